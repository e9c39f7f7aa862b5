/**
 * The exact bytes that are signed: the domain tag `tinyfleet-artifact-v2` and a newline (UTF-8,
 * 22 bytes), then the device manifest's CBOR bytes exactly as a device receives them. The device
 * manifest names the sha256 of the .tflite and of manifest.json, so this one signature covers all
 * three, and nothing needs a canonical form: the bytes are the bytes.
 */
export const SIGNATURE_DOMAIN = 'tinyfleet-artifact-v2';

const PREFIX = new TextEncoder().encode(`${SIGNATURE_DOMAIN}\n`);

export function signedMessage(deviceManifest: Uint8Array): Uint8Array {
  // The domain tag keeps a signature from being replayed as some other kind of signed object.
  const out = new Uint8Array(PREFIX.length + deviceManifest.length);
  out.set(PREFIX, 0);
  out.set(deviceManifest, PREFIX.length);
  return out;
}
