/** The exact bytes that are signed: a domain tag, the model's sha256 and the canonical manifest. */
import { canonicalJson } from './canonical-json';

export const SIGNATURE_DOMAIN = 'tinyfleet-artifact-v1';

export function signedMessage(modelSha256Hex: string, manifest: unknown): Uint8Array {
  // The domain tag keeps a signature from being replayed as some other kind of signed object.
  return new TextEncoder().encode(`${SIGNATURE_DOMAIN}\n${modelSha256Hex}\n${canonicalJson(manifest)}`);
}
