/**
 * TFLite's int16 lookup tables (kernels/internal/common.h): gen_lut<float, int16_t, int16_t> builds 512
 * interpolation points plus one for the last slope, every step in float arithmetic (hence Math.fround on
 * each operation, and the C library's expf for exp); generic_int16_table_lookup interpolates one. int16
 * SOFTMAX builds its exp and 1/(1+x) tables with them in prepare.
 */
import { roundHalfAwayFromZero } from './fixed-point';

const { fround: f32 } = Math;

/** 512 interpolation points and the end point (kInt16LUTArraySize). */
export const INT16_LUT_SIZE = 513;
const STEPS = 512;
const TABLE_MIN = -32768;
const TABLE_MAX = 32767;

const clampTable = (v: number): number => (v < TABLE_MIN ? TABLE_MIN : v > TABLE_MAX ? TABLE_MAX : v);

/**
 * Fills `lut` with func on [inputMin, inputMax] scaled to [outputMin, outputMax] -> [-32768, 32767]. Each
 * point is biased by half the interpolation error at the midpoint of its segment, as TFLite does.
 */
export function genLutInt16(
  func: (x: number) => number,
  inputMin: number,
  inputMax: number,
  outputMin: number,
  outputMax: number,
  lut: Int16Array,
): void {
  const step = f32(f32(inputMax - inputMin) / STEPS);
  const halfStep = f32(step / 2);
  const scalingInv = f32(65536 / f32(outputMax - outputMin));
  const round = (v: number): number => roundHalfAwayFromZero(v);
  for (let i = 0; i < STEPS; i++) {
    const at = f32(inputMin + f32(i * step));
    const val = func(at);
    const valMidpoint = func(f32(at + halfStep));
    const valNext = func(f32(inputMin + f32((i + 1) * step)));
    const sample = round(f32(val * scalingInv));
    const midpointInterp = round(f32(f32(f32(valNext * scalingInv) + sample) / 2));
    const midpoint = round(f32(valMidpoint * scalingInv));
    const bias = round(f32(f32(midpointInterp - midpoint) / 2));
    lut[i] = clampTable(f32(sample - bias));
  }
  lut[STEPS] = clampTable(round(f32(func(inputMax) * scalingInv)));
}

/** generic_int16_table_lookup: segment (value >> 7) + 256, Q0.7 fraction, rounded; int16 wrap like the C++. */
export function int16TableLookup(value: number, lut: Int16Array): number {
  const index = 256 + (value >> 7);
  const base = lut[index];
  const slope = ((lut[index + 1] - base) << 16) >> 16;
  const delta = (slope * (value & 0x7f) + 64) >> 7;
  return ((base + delta) << 16) >> 16;
}
