import {
  activationRange,
  asymmetricParams,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  quantizePerChannel,
  saturatingRoundingDoublingHighMul,
  saturatingRoundingDoublingHighMulBig,
} from './quant-math';
import { kmeansShareInt8 } from './weight-sharing';

describe('TFLite integer arithmetic', () => {
  it('the BigInt-free SaturatingRoundingDoublingHighMul equals the exact 64-bit reference', () => {
    let s = 11;
    const rnd = () => (s = (s * 48271) % 2147483647) / 2147483647;
    const edge = [0, 1, -1, 2 ** 30, -(2 ** 30), 2 ** 31 - 1, -(2 ** 31), 12345, -98765];
    const values = [...edge, ...Array.from({ length: 3000 }, () => Math.floor((rnd() - 0.5) * 2 ** 32))];
    for (let i = 0; i < values.length; i++) {
      const a = values[i];
      const b = values[(i * 7 + 3) % values.length];
      expect(saturatingRoundingDoublingHighMul(a, b)).toBe(saturatingRoundingDoublingHighMulBig(a, b));
    }
  });

  it('quantizeMultiplier represents the real multiplier to 31-bit precision', () => {
    for (const m of [0.0004, 0.0123, 0.5, 0.75, 0.999999, 1.5, 3.2]) {
      const q = quantizeMultiplier(m);
      expect(q.multiplier).toBeGreaterThanOrEqual(2 ** 30);
      expect(q.multiplier).toBeLessThan(2 ** 31);
      expect(Math.abs((q.multiplier / 2 ** 31) * 2 ** q.shift - m) / m).toBeLessThan(2 ** -30);
    }
    // Requantizing 1000 by 0.0123 rounds to the nearest integer.
    expect(multiplyByQuantizedMultiplier(1000, quantizeMultiplier(0.0123))).toBe(12);
    expect(multiplyByQuantizedMultiplier(-1000, quantizeMultiplier(0.0125))).toBe(-13);
  });

  it('asymmetric activation parameters include zero and map the range onto [-128, 127]', () => {
    const p = asymmetricParams(-1, 3);
    expect(Math.round(-1 / p.scale) + p.zeroPoint).toBe(-128);
    expect(Math.round(3 / p.scale) + p.zeroPoint).toBe(127);
    expect(asymmetricParams(0.5, 2).zeroPoint).toBe(-128); // range nudged to include 0
    expect(activationRange('relu', p)).toEqual([p.zeroPoint, 127]);
    expect(activationRange('relu6', { scale: 0.1, zeroPoint: -100 })).toEqual([-100, -40]);
  });

  it('per-channel weights are symmetric int8 in [-127, 127] with one scale per output channel', () => {
    const w = Float32Array.from([0.5, -1, 0.25, 0.01, 0.03, -0.04, 0, 0, 0]);
    const { q, scales } = quantizePerChannel(w, 3);
    expect(Array.from(q.subarray(0, 3))).toEqual([64, -127, 32]);
    expect(Array.from(q.subarray(3, 6))).toEqual([32, 95, -127]);
    expect(Array.from(q.subarray(6))).toEqual([0, 0, 0]);
    expect(scales[0]).toBeCloseTo(1 / 127, 7);
    expect(scales[2]).toBeGreaterThan(0);
  });

  it('k-means sharing keeps zeros and uses at most 2^bits - 1 nonzero values', () => {
    const q = Int8Array.from({ length: 2000 }, (_, i) => (i % 3 === 0 ? 0 : ((i * 37) % 255) - 127));
    const shared = kmeansShareInt8(q, 4);
    const distinct = new Set(Array.from(shared.q).filter((v) => v !== 0));
    expect(distinct.size).toBeLessThanOrEqual(15);
    for (let i = 0; i < q.length; i++) expect(shared.q[i] === 0).toBe(q[i] === 0);
    const err = q.reduce((s, v, i) => s + Math.abs(v - shared.q[i]), 0) / q.length;
    expect(err).toBeLessThan(6);
  });
});
