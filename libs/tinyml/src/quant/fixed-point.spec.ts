import { lcg32 } from '@tinyfleet/random';
import {
  INT32_MAX,
  INT32_MIN,
  frexp,
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierInt64,
  quantizeMultiplier,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from './fixed-point';

/** BigInt transcription of gemmlowp's int64 formula; used only as the test oracle. */
function srdhmOracle(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates like C++
}

function rdpotOracle(x: number, e: number): number {
  const mask = (1n << BigInt(e)) - 1n;
  const bx = BigInt(x);
  const remainder = bx & mask;
  const threshold = (mask >> 1n) + (bx < 0n ? 1n : 0n);
  return Number((bx >> BigInt(e)) + (remainder > threshold ? 1n : 0n));
}

const lcg = lcg32;

describe('fixed-point primitives (TFLM / gemmlowp)', () => {
  it('SaturatingRoundingDoublingHighMul matches the exact 64-bit formula', () => {
    const rnd = lcg(42);
    const edge = [0, 1, -1, 2, -2, INT32_MAX, INT32_MIN, 1 << 30, -(1 << 30), 12345, -65536, 65535];
    for (const a of edge) for (const b of edge) expect(saturatingRoundingDoublingHighMul(a, b)).toBe(srdhmOracle(a, b));
    for (let i = 0; i < 20000; i++) {
      const a = rnd() | 0;
      // Mix full-range and small accumulators (the fast path) against Q31 multipliers.
      const b = i % 2 ? rnd() | 0 : (rnd() >>> 1) | (1 << 30);
      const small = (rnd() % 2000000) - 1000000;
      expect(saturatingRoundingDoublingHighMul(a, b)).toBe(srdhmOracle(a, b));
      expect(saturatingRoundingDoublingHighMul(small, b)).toBe(srdhmOracle(small, b));
    }
  });

  it('RoundingDivideByPOT rounds half away from zero', () => {
    expect(roundingDivideByPOT(5, 1)).toBe(3);
    expect(roundingDivideByPOT(-5, 1)).toBe(-3);
    expect(roundingDivideByPOT(4, 1)).toBe(2);
    expect(roundingDivideByPOT(-6, 2)).toBe(-2);
    expect(roundingDivideByPOT(-10, 2)).toBe(-3);
    const rnd = lcg(7);
    for (let i = 0; i < 5000; i++) {
      const x = rnd() | 0;
      const e = rnd() % 32;
      expect(roundingDivideByPOT(x, e)).toBe(rdpotOracle(x, e));
    }
  });

  it('QuantizeMultiplier uses frexp and rounds the Q31 mantissa', () => {
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 1 << 30, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 1 << 30, shift: 1 });
    expect(quantizeMultiplier(0.25)).toEqual({ multiplier: 1 << 30, shift: -1 });
    // Mantissa rounding up to 2^31 renormalises to 2^30 with shift + 1.
    expect(quantizeMultiplier(1 - 2 ** -40)).toEqual({ multiplier: 1 << 30, shift: 1 });
    // 1/3: 0.666..*2^31 rounded, exponent -1.
    expect(quantizeMultiplier(1 / 3)).toEqual({ multiplier: 1431655765, shift: -1 });
    // Too small for a shift >= -31 flushes to zero.
    expect(quantizeMultiplier(2 ** -40)).toEqual({ multiplier: 0, shift: 0 });
    expect(frexp(8)).toEqual({ mantissa: 0.5, exponent: 4 });
    expect(frexp(0.1).exponent).toBe(-3);
  });

  it('MultiplyByQuantizedMultiplier (double rounding) matches a BigInt oracle', () => {
    const rnd = lcg(99);
    for (let i = 0; i < 20000; i++) {
      const x = ((rnd() | 0) >> (rnd() % 24)) | 0;
      const real = 2 ** -((rnd() % 20) - 2) * (0.5 + (rnd() % 1000) / 2000);
      const { multiplier, shift } = quantizeMultiplier(real);
      const left = shift > 0 ? shift : 0;
      const right = shift > 0 ? 0 : -shift;
      const shifted = Number(BigInt.asIntN(32, BigInt(x) << BigInt(left)));
      const expected = rdpotOracle(srdhmOracle(shifted, multiplier), right);
      expect(multiplyByQuantizedMultiplier(x, multiplier, shift)).toBe(expected);
    }
  });

  it('int64 MultiplyByQuantizedMultiplier (16x8 kernels) matches a BigInt transcription of TFLM’s formula', () => {
    const oracle = (x: bigint, m: number, shift: number): number => {
      const reduced = BigInt(m < 0x7fff0000 ? (m + (1 << 15)) >> 16 : 0x7fff);
      const total = BigInt(15 - shift);
      return Number(BigInt.asIntN(32, (x * reduced + (1n << (total - 1n))) >> total));
    };
    const rnd = lcg(7);
    const edges = [0, 1, -1, 2 ** 47 - 1, -(2 ** 47), 2 ** 24, -(2 ** 24) - 1, 123456789012, -98765432109];
    for (let i = 0; i < 20000; i++) {
      // Accumulators of every magnitude up to TFLM's asserted 2^47, both signs.
      const bits = rnd() % 48;
      const x = i < edges.length ? edges[i] : Math.floor((rnd() / 2 ** 32) * 2 ** bits) * (rnd() % 2 ? 1 : -1);
      const m = i % 97 === 0 ? 0x7fffffff : (rnd() >>> 1) | (1 << 30);
      const shift = (rnd() % 39) - 31;
      expect(multiplyByQuantizedMultiplierInt64(x, m, shift)).toBe(oracle(BigInt(x), m, shift));
    }
  });
});
