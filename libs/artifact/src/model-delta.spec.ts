import { lcg32 } from '@tinyfleet/random';
import { ByteWriter } from './bit-stream';
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

  it('refuses a target above 16 MiB, another length than expected, or one the delta cannot fill, before allocating it', () => {
    const header = (target: number, baseLength: number, ...rest: number[]) => {
      const w = new ByteWriter();
      w.bytes(Uint8Array.of(0x54, 0x46, 0x44, 0x4c, 1));
      w.varint(target);
      w.varint(baseLength);
      for (const v of rest) w.varint(v);
      return w.finish();
    };
    const refusal = (b: Uint8Array, d: Uint8Array, modelBytes?: number) => {
      const before = process.memoryUsage().arrayBuffers;
      try {
        applyModelDelta(b, d, modelBytes === undefined ? {} : { modelBytes });
        return 'accepted';
      } catch (err) {
        expect(err).toBeInstanceOf(ModelDeltaError);
        expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
        return (err as Error).message;
      }
    };
    const big = new Uint8Array(20 * 1024 * 1024);
    // 17 MiB copied from a 20 MiB base: the delta is 12 bytes; it used to be allowed up to 64 MiB.
    expect(refusal(big, header(17 * 1024 * 1024, big.length, 17 * 1024 * 1024, 0))).toMatch(
      /target of 17825792 bytes exceeds 16777216/,
    );
    const delta = encodeModelDelta(base, base);
    expect(refusal(base, delta, base.length - 1)).toMatch(/delta makes a 50000-byte model, expected 49999/);
    expect(applyModelDelta(base, delta, { modelBytes: base.length })).toEqual(base);
    expect(refusal(new Uint8Array(10), header(16 * 1024 * 1024, 10))).toMatch(
      /a 16777216-byte target cannot come from 10 base and 0 delta bytes/,
    );
    expect(refusal(base, header(0, 50_000, 0), 0)).toMatch(/trailing bytes/);
    const nonMinimal = Uint8Array.from([...delta.subarray(0, 5), 0xd0, 0x86, 0x83, 0x00, ...delta.subarray(8)]);
    expect(refusal(base, nonMinimal)).toMatch(/varint at byte 5 is not in its shortest form/);
    expect(refusal(base, Uint8Array.of(0x54, 0x46))).toMatch(/bad magic/);
    for (const bad of [-1, 0.5, 16 * 1024 * 1024 + 1])
      expect(refusal(base, delta, bad)).toMatch(/expected model length/);
  });
});
