import { EVIDENCE_KEY_LABEL } from '@tinyfleet/wire';
import { createHmac, timingSafeEqual } from 'node:crypto';

/** K = HMAC-SHA256(device secret, "tinyfleet/v1 evidence-key") (docs/protocol.md §12.2). */
export function evidenceKeyOf(deviceSecret: string): Buffer {
  return createHmac('sha256', Buffer.from(deviceSecret, 'utf8')).update(EVIDENCE_KEY_LABEL).digest();
}

/** Constant-time check of a window blob's HMAC-SHA256 over its signed bytes. */
export function evidenceSignatureValid(key: Uint8Array, signedBytes: Uint8Array, signature: Uint8Array): boolean {
  const expected = createHmac('sha256', key).update(signedBytes).digest();
  return signature.length === expected.length && timingSafeEqual(expected, signature);
}
