import { PROFILE_NAME } from '@tinyfleet/wire/schema';

/**
 * An artifact's name travels in every OTA offer and device status as `modelId`, which the wire
 * schema holds to PROFILE_NAME (lower-case letters, digits, dashes; at most 32). A name outside it was
 * packaged, signed and registered, and then no rollout could offer it: refuse it before building.
 */
export function checkModelName(name: string, option = '--name'): string {
  if (!PROFILE_NAME.test(name))
    throw new Error(
      `${option} ${JSON.stringify(name)} cannot be sent to devices: a model name is 1-32 lower-case letters, digits or dashes, starting with a letter or digit (profile-name, docs/protocol.md §3.4)`,
    );
  return name;
}
