import { mulberry32 } from '@tinyfleet/random';

/** Deterministic PRNG (mulberry32) for weight init, shuffling and subsets: same seed, same model. */
export class SeededRandom {
  readonly next: () => number;
  constructor(seed: number) {
    // Seed 0 would start mulberry32 from 0 too; a fixed odd constant keeps seed 0 usable.
    this.next = mulberry32(seed >>> 0 || 0x9e3779b9);
  }

  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  }
}
