import { lcg32, mulberry32 } from './index';

describe('seeded generators', () => {
  it('mulberry32 is reproducible, in [0, 1), and seeds give different streams', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(43)()).not.toBe(xs[0]);
    // Mean of 1000 uniform draws: 0.5 ± a few standard errors (0.009).
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5)).toBeLessThan(0.05);
  });

  it('lcg32 follows x ← 1664525·x + 1013904223 mod 2^32', () => {
    const next = lcg32(0);
    expect(next()).toBe(1013904223);
    expect(next()).toBe((1664525 * 1013904223 + 1013904223) % 2 ** 32);
  });
});
