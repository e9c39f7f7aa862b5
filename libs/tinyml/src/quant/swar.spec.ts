import { lcg32 } from '@tinyfleet/random';
import { SWAR_SHIFT, interleaveBlocks, packRowPairs, swarFits, swarHigh } from './swar';

describe('two dot products per multiply (SWAR)', () => {
  it('recovers both sums exactly at the extremes of the allowed bound', () => {
    // Conv bound: |x| <= 255, |w| <= 128, n = 1024 terms.
    const n = 1024;
    expect(swarFits(n, 255 * 128)).toBe(true);
    expect(swarFits(1028, 255 * 128)).toBe(true);
    expect(swarFits(1029, 255 * 128)).toBe(false);
    for (const [w0, w1, x] of [
      [-128, -128, 255],
      [-128, 127, -255],
      [127, -128, 255],
      [127, 127, -255],
      [0, -128, 255],
      [-128, 0, -255],
    ]) {
      const w = new Int8Array(2 * n);
      w.fill(w0, 0, n);
      w.fill(w1, n);
      const packed = packRowPairs(w, 2, n);
      let s = 0;
      for (let k = 0; k < n; k++) s += packed[k] * x;
      const hi = swarHigh(s);
      expect(hi).toBe(w1 * x * n + 0);
      expect(s - hi * SWAR_SHIFT).toBe(w0 * x * n + 0);
    }
  });

  it('matches plain dot products on random data, odd row counts included', () => {
    const rnd = lcg32(9);
    const rows = 7;
    const n = 300;
    const w = Int8Array.from({ length: rows * n }, () => (rnd() % 256) - 128);
    const x = Array.from({ length: n }, () => (rnd() % 511) - 255);
    const packed = packRowPairs(w, rows, n);
    for (let p = 0; p < 4; p++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += packed[p * n + k] * x[k];
      const hi = swarHigh(s);
      const dot = (r: number): number => x.reduce((acc, xi, k) => acc + xi * w[r * n + k], 0);
      expect(s - hi * SWAR_SHIFT).toBe(dot(2 * p));
      expect(hi).toBe(2 * p + 1 < rows ? dot(2 * p + 1) : 0);
    }
  });

  it('interleaves blocks as [k][width] and leaves the tail row-major', () => {
    const packed = Float64Array.from({ length: 5 * 3 }, (_, i) => i); // 5 pairs x 3
    const out = interleaveBlocks(packed, 5, 3, 4);
    expect(Array.from(out.subarray(0, 12))).toEqual([0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]);
    expect(Array.from(out.subarray(12))).toEqual([12, 13, 14]);
  });
});
