import type { FormatError } from './bit-stream';

/**
 * The largest model an over-the-air transfer rebuilds: libs/wire's OTA_MAX_MODEL_BYTES (16 MiB), the
 * bound of an offer's modelBytes. A copy, not an import: the wire library pulls in Node modules and a
 * CBOR codec that these browser-safe decoders do not need; ota-container.fuzz.spec.ts keeps the two equal.
 */
export const OTA_MODEL_BYTES_LIMIT = 16 * 1024 * 1024;

/**
 * The bound a decoder holds a rebuilt model to: the expected length when the caller knows it (the
 * offer's or device manifest's modelBytes), else the OTA limit.
 */
export function modelBytesBound(expected: number | undefined, Err: FormatError): number {
  if (expected === undefined) return OTA_MODEL_BYTES_LIMIT;
  if (!Number.isInteger(expected) || expected < 0 || expected > OTA_MODEL_BYTES_LIMIT)
    throw new Err(`expected model length ${expected} is outside 0..${OTA_MODEL_BYTES_LIMIT} bytes`);
  return expected;
}
