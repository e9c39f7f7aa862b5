/** Shared set-up of the data-movement kernels (GATHER, PACK, UNPACK, SPLIT, SLICE, …): sizes and axes. */
import type { DType } from '../schema/tflite-schema';
import type { PrepareContext } from './kernel.types';

/**
 * View elements per tensor element: int64 / uint64 tensors are raw byte views (interpreter/tensor-view.ts), so
 * a copy of n elements moves 8n view elements; every other type is one view element per tensor element.
 */
export function viewUnits(dtype: DType): number {
  return dtype === 'int64' || dtype === 'uint64' ? 8 : 1;
}

/** Product of dims[from..to) (1 for an empty range), as TFLM's outer/inner size loops. */
export function dimsProduct(dims: readonly number[], from: number, to: number): number {
  let p = 1;
  for (let i = from; i < to; i++) p *= dims[i];
  return p;
}

/** A negative axis counts from the end (axis + rank); the result must lie in [0, rank). */
export function resolveAxis(ctx: PrepareContext, axis: number, rank: number, what = 'axis'): number {
  const resolved = axis < 0 ? axis + rank : axis;
  if (!(resolved >= 0 && resolved < rank)) ctx.fail(`${what} ${axis} out of range for rank ${rank}`);
  return resolved;
}

/** The single value of a constant int32 scalar or one-element tensor input (SPLIT's axis, …). */
export function constantScalarInt32(ctx: PrepareContext, k: number, what: string): number {
  const values = ctx.constantInt32(ctx.input(k), what);
  if (values.length !== 1) ctx.fail(`${what} must hold one value, has ${values.length}`);
  return values[0];
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Element i of an int64 tensor held as raw little-endian bytes, as a JS number (exact below 2^53; index and
 * shape values are far smaller). Allocation-free, for runtime index tensors read in eval().
 */
export function int64At(bytes: Uint8Array, i: number): number {
  const o = 8 * i;
  const lo = (bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24)) >>> 0;
  const hi = bytes[o + 4] | (bytes[o + 5] << 8) | (bytes[o + 6] << 16) | (bytes[o + 7] << 24);
  return hi * 2 ** 32 + lo;
}

/** Element i of an int32 or (byte-view) int64 index tensor. */
export function indexAt(data: ArrayLike<number>, is64: boolean, i: number): number {
  return is64 ? int64At(data as Uint8Array, i) : data[i];
}

/** Writes a (|v| < 2^53) integer as element i of an int64 tensor held as raw little-endian bytes. */
export function setInt64(bytes: Uint8Array, i: number, v: number): void {
  const hi = Math.floor(v / 2 ** 32);
  const lo = v - hi * 2 ** 32;
  for (let k = 0; k < 4; k++) {
    bytes[8 * i + k] = (lo >>> (8 * k)) & 0xff;
    bytes[8 * i + 4 + k] = (hi >> (8 * k)) & 0xff;
  }
}

/** The values of a constant int32 or int64 vector (shape or index operands read at prepare time). */
export function constantIndexVector(ctx: PrepareContext, k: number, what: string): number[] {
  const t = ctx.input(k);
  if (!t.data) ctx.unsupported(`${what} must be a constant tensor`);
  ctx.expectType(t, ['int32', 'int64'], what);
  if (t.shape.length !== 1) ctx.fail(`${what} must be a vector, has shape [${t.shape}]`);
  const bytes = t.data.slice();
  const values = t.dtype === 'int64' ? null : new Int32Array(bytes.buffer);
  return Array.from({ length: t.elementCount }, (_, i) => (values ? values[i] : int64At(bytes, i)));
}
