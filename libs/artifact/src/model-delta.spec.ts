import { lcg32 } from '@tinyfleet/random';
import { applyModelDelta, encodeModelDelta, ModelDeltaError } from './model-delta';

function rng(seed: number): () => number {
  const next = lcg32(seed);
  return () => next() / 2 ** 32;
}

describe('model delta', () => {
  const random = rng(7);
  const base = Uint8Array.from({ length: 50_000 }, () => Math.floor(random() * 256));

  it('is small when only a head changed, and rebuilds the exact bytes', () => {
    const target = new Uint8Array(base);
    for (let i = 45_000; i < 46_000; i++) target[i] = (target[i]! + 1) & 0xff; // a 1 KB "classifier head"
    const delta = encodeModelDelta(base, target);
    expect(delta.length).toBeLessThan(1_100);
    expect(applyModelDelta(base, delta)).toEqual(target);
  });

  it('round-trips a retrained model (no gain), a longer and a shorter one', () => {
    const random2 = rng(9);
    for (const target of [
      Uint8Array.from({ length: 50_000 }, () => Math.floor(random2() * 256)),
      Uint8Array.from([...base, 1, 2, 3]),
      base.subarray(0, 30_000),
      new Uint8Array(0),
    ]) {
      expect(applyModelDelta(base, encodeModelDelta(base, target))).toEqual(target);
    }
  });

  it('refuses a delta for another base, and corrupt or truncated deltas, with a typed error', () => {
    const target = new Uint8Array(base);
    target[10] ^= 1;
    const delta = encodeModelDelta(base, target);
    expect(() => applyModelDelta(base.subarray(1), delta)).toThrow(/delta is against a 50000-byte model/);
    const random3 = rng(3);
    for (let k = 0; k < 2000; k++) {
      const bad = delta.subarray(0, Math.floor(random3() * delta.length));
      const flipped = new Uint8Array(delta);
      flipped[Math.floor(random3() * flipped.length)]! ^= 1 << Math.floor(random3() * 8);
      for (const d of [bad, flipped]) {
        try {
          applyModelDelta(base, d);
        } catch (err) {
          expect(err).toBeInstanceOf(ModelDeltaError);
        }
      }
    }
  });
});
