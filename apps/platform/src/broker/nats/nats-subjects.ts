import {
  allDeviceUplinksFilter,
  natsSubjectOf,
  parseNatsSubject,
  type ParsedTopic,
  principalFilterTemplates,
} from '@tinyfleet/wire';
import type { SubjectPermissions } from './nats-jwt';

/** The JetStream stream in which nats-server 2.9 stores every QoS 1 MQTT PUBLISH (README-MQTT.md). */
export const MQTT_MESSAGES_STREAM = '$MQTT_msgs';
/** Its subjects: this prefix, then the topic as a subject. */
const MQTT_MESSAGES_PREFIX = '$MQTT.msgs.';

/** The platform's durable consumer's filter: every device uplink, nothing else. */
export function uplinkConsumerFilter(): string {
  return MQTT_MESSAGES_PREFIX + natsSubjectOf(allDeviceUplinksFilter());
}

/** The uplink a `$MQTT_msgs` message carries, or null if it is none (the consumer filter excludes those). */
export function parseStoredUplink(subject: string): Extract<ParsedTopic, { direction: 'up' }> | null {
  if (!subject.startsWith(MQTT_MESSAGES_PREFIX)) return null;
  const topic = parseNatsSubject(subject.slice(MQTT_MESSAGES_PREFIX.length));
  return topic?.scope === 'device' && topic.direction === 'up' ? topic : null;
}

/**
 * What a device's user JWT allows (deny-by-default: nothing else): publish only its own uplinks,
 * subscribe only to its own downlinks, over MQTT only. `$MQTT.sub.>` is where nats-server delivers
 * a QoS 1 subscription's messages to the connection; an MQTT client cannot subscribe to `$MQTT/…`
 * itself, and since these users cannot open a NATS-protocol connection it grants nothing more.
 * Explicit per-user lists rather than a scoped signing key's template: in nats-server 2.9.10 a
 * template cannot limit connection types (a scoped user that carries them is refused), and a
 * device on the NATS protocol with `$MQTT.sub.>` could read every device's QoS 1 downlinks.
 */
export function deviceNatsPermissions(deviceId: string): SubjectPermissions {
  const t = principalFilterTemplates({ deviceId, claimId: '-', sessionId: '-' });
  return {
    pub: { allow: [natsSubjectOf(t.deviceUplinks)] },
    sub: { allow: [natsSubjectOf(t.deviceDownlinks), '$MQTT.sub.>'] },
  };
}
