/**
 * Shared pieces of TFLM's signal library (signal/src): option access, MostSignificantBit, integer square
 * roots, and 64-bit words for uint64 tensors (kept as two uint32 halves; no BigInt on the hot path).
 */
import type { Field, StructLayout } from '../../memory/device-layout';
import type { FlexMap } from '../../schema/flexbuffer-reader';
import type { PrepareContext, TensorData } from '../kernel.types';

/** An integer option of the op's FlexBuffers map, range-checked (TFLM reads these as int32). */
export function intOption(ctx: PrepareContext, options: FlexMap, key: string, min: number, max: number): number {
  const v = options[key];
  if (typeof v !== 'number' || !Number.isInteger(v)) ctx.fail(`custom option '${key}' missing or not an integer`);
  if (v < min || v > max) ctx.unsupported(`custom option '${key}' = ${v} outside [${min}, ${max}]`);
  return v;
}

export function boolOption(ctx: PrepareContext, options: FlexMap, key: string): boolean {
  const v = options[key];
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return v !== 0;
  return ctx.fail(`custom option '${key}' missing or not a bool`);
}

/**
 * Bounds on a streaming op's state (rows with their own ring or buffer, and samples in all of them, counting
 * the doubled ring storage): its options and shapes alone could otherwise make prepare() allocate without
 * limit. Far above what a TFLM front-end holds (a few rows of a few hundred samples).
 */
const MAX_STATE_ROWS = 1 << 16;
const MAX_STATE_SAMPLES = 1 << 25;

/** Refuses state beyond the bounds above before anything is allocated. */
export function checkState(ctx: PrepareContext, rows: number, samples: number): void {
  if (rows > MAX_STATE_ROWS || samples > MAX_STATE_SAMPLES)
    ctx.unsupported(
      `state of ${rows} rows, ${samples} samples is larger than this interpreter allows ` +
        `(${MAX_STATE_ROWS} rows, ${MAX_STATE_SAMPLES} samples)`,
    );
}

/** An array of `count` pointers that a kernel allocates persistently (one per row of its state). */
export function pointerArray(name: string, count: number): StructLayout {
  return { name: `${name} (${count} pointers)`, fields: Array<Field>(count).fill('ptr') };
}

/** signal/src/msb_32.cc with the GCC builtin (the reference build): 32 - clz(x), and 32 for x = 0. */
export function mostSignificantBit32(x: number): number {
  return x === 0 ? 32 : 32 - Math.clz32(x);
}

/** signal/src/square_root_32.cc: bit-by-bit integer square root of a uint32, rounded to nearest. */
export function sqrt32(value: number): number {
  let num = value >>> 0;
  if (num === 0) return 0;
  let res = 0;
  const maxBitNumber = (32 - mostSignificantBit32(num)) | 1;
  let bit = 2 ** (31 - maxBitNumber);
  let iterations = ((31 - maxBitNumber) >> 1) + 1;
  while (iterations--) {
    if (num >= res + bit) {
      num -= res + bit;
      res = (res >>> 1) + bit;
    } else {
      res >>>= 1;
    }
    bit = Math.floor(bit / 4);
  }
  if (num > res && res !== 0xffff) res++;
  return res;
}

/**
 * signal/src/square_root_64.cc for a uint64 given as (hi, lo) uint32 halves. Values >= 2^32 run the same
 * bit-by-bit loop on exact doubles: `num` and `res + bit` stay below 2^64 but every quantity the loop
 * compares or subtracts is kept split so no step needs more than 53 bits.
 */
export function sqrt64(hi: number, lo: number): number {
  if (hi === 0) return sqrt32(lo);
  // num as (numHi, numLo) with numLo < 2^32; bit = 2^bitExp.
  let numHi = hi;
  let numLo = lo;
  let res = 0;
  const msb = 32 + mostSignificantBit32(hi);
  const maxBitNumber = (64 - msb) | 1;
  let bitExp = 63 - maxBitNumber;
  let iterations = (bitExp >> 1) + 1;
  // res is large but has at most 33 significant bits (a partial root times a power of two): doubles hold it exactly.
  while (iterations--) {
    // t = res + bit, split into (tHi, tLo).
    const bitHi = bitExp >= 32 ? 2 ** (bitExp - 32) : 0;
    const bitLo = bitExp >= 32 ? 0 : 2 ** bitExp;
    let tLo = (res % 4294967296) + bitLo;
    let tHi = Math.floor(res / 4294967296) + bitHi;
    if (tLo >= 4294967296) {
      tLo -= 4294967296;
      tHi += 1;
    }
    if (numHi > tHi || (numHi === tHi && numLo >= tLo)) {
      numLo -= tLo;
      numHi -= tHi;
      if (numLo < 0) {
        numLo += 4294967296;
        numHi -= 1;
      }
      res = Math.floor(res / 2) + bitHi * 4294967296 + bitLo;
    } else {
      res = Math.floor(res / 2);
    }
    bitExp -= 2;
  }
  if ((numHi > 0 || numLo > res) && res !== 0xffffffff) res++;
  return res;
}

/** A cached Uint32Array over a uint64 tensor's bytes (little-endian lo, hi words); built once per tensor. */
export class Uint64Words {
  private source: TensorData | null = null;
  private words: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

  of(t: TensorData): Uint32Array<ArrayBufferLike> {
    if (t !== this.source) {
      this.source = t;
      this.words = new Uint32Array(t.buffer, t.byteOffset, t.byteLength >>> 2);
    }
    return this.words;
  }
}
