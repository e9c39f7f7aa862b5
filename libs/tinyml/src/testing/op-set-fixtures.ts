/**
 * Op sets from a firmware newer than this version, for tests (not exported from index.ts): the wire bytes of
 * `entries` with op codes `extra` (registered for any type) added, in a bitset of `n` bytes. Codes near the top
 * of a 30-byte bitset stay unknown however many ops OP_CODES gains (the wire allows 64 bytes in all: 30-byte
 * bitsets leave room for two type masks).
 */
import { encodeOpSetBytes, OpSetEntry } from '../resolver/op-set';

export const FAR_FUTURE_OP_CODE = 239;

export function opSetWithUnknownCodes(entries: readonly OpSetEntry[], extra: readonly number[], n = 30): Uint8Array {
  const known = encodeOpSetBytes(entries);
  const n0 = known[1];
  if (n < n0 || extra.some((c) => c >= 8 * n)) throw new RangeError(`codes do not fit a ${n}-byte bitset`);
  const masks = known.subarray(2 + 2 * n0);
  const out = new Uint8Array(2 + 2 * n + masks.length);
  out[0] = known[0];
  out[1] = n;
  out.set(known.subarray(2, 2 + n0), 2);
  out.set(known.subarray(2 + n0, 2 + 2 * n0), 2 + n);
  for (const c of extra) out[2 + (c >> 3)] |= 1 << (c & 7);
  out.set(masks, 2 + 2 * n);
  return out;
}
