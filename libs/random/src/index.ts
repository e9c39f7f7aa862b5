/**
 * The project's seeded pseudo-random generators, one copy each: reproducible streams for weight
 * init, shuffling, simulated devices and test data. Neither is for secrets (node:crypto is).
 */

/** mulberry32 (Tommy Ettinger's 32-bit generator): uniform floats in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The Numerical Recipes linear congruential generator (×1664525 + 1013904223 mod 2^32): raw
 * uint32 steps, for test data that must stay exactly what earlier tests were written against.
 */
export function lcg32(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}
