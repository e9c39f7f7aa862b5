/**
 * int64 elements of raw little-endian byte views (interpreter/tensor-view.ts: a double cannot hold every int64),
 * compared without BigInt: the signed high words decide, then the low words as unsigned. Allocation-free.
 */
import type { TensorData } from './kernel.types';

/** Word k (0 low, 1 high) of int64 element i, as a signed int32. */
function int64Word(bytes: TensorData, i: number, k: number): number {
  const o = 8 * i + 4 * k;
  return bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24);
}

/** Three-way comparison (-1, 0, 1) of int64 element i of `a` with element j of `b`. */
export function compareInt64(a: TensorData, i: number, b: TensorData, j: number): number {
  const hiA = int64Word(a, i, 1);
  const hiB = int64Word(b, j, 1);
  if (hiA !== hiB) return hiA < hiB ? -1 : 1;
  const loA = int64Word(a, i, 0) >>> 0;
  const loB = int64Word(b, j, 0) >>> 0;
  return loA === loB ? 0 : loA < loB ? -1 : 1;
}

/** Copies int64 element i of `from` to element o of `to` (8 bytes). */
export function copyInt64(from: TensorData, i: number, to: TensorData, o: number): void {
  for (let k = 0; k < 8; k++) to[8 * o + k] = from[8 * i + k];
}
