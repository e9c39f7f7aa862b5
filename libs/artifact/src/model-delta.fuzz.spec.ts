/**
 * Fuzzes applyModelDelta (TFDL/1) with >= 5,000 seeded cases (testing/fuzz-harness.ts): random bytes
 * after the magic, byte damage to real deltas (between TFLM's hello_world int8 model and retrained,
 * pruned, longer and shorter versions of it), and changes to the fields of docs/ota.md's layout (target
 * and base length, each op's copy and literal length). Every case is applied twice: alone (bound: the
 * 16 MiB OTA limit) and told the original target length (bound: that length).
 */
import { mulberry32 } from '@tinyfleet/random';
import { ByteReader } from './bit-stream';
import { applyModelDelta, encodeModelDelta, ModelDeltaError } from './model-delta';
import { OTA_MODEL_BYTES_LIMIT } from './ota-limits';
import { FUZZ_SEED, Fuzzer, hex, mutateBytes, splice, varint } from './testing/fuzz-harness';
import { helloWorldInt8, int8WeightRanges, pruned } from './testing/ota-corpus';

type FieldKind = 'target-length' | 'base-length' | 'copy' | 'literal';
interface Field {
  kind: FieldKind;
  start: number;
  end: number;
  value: number;
}

/** Every varint of a valid delta, by the layout of docs/ota.md. */
function fields(delta: Uint8Array): Field[] {
  const r = new ByteReader(delta, ModelDeltaError);
  const out: Field[] = [];
  const v = (kind: FieldKind) => {
    const start = r.pos;
    const value = r.varint();
    out.push({ kind, start, end: r.pos, value });
    return value;
  };
  r.bytes(5);
  const target = v('target-length');
  v('base-length');
  for (let pos = 0; pos < target;) {
    const copy = v('copy');
    const lit = v('literal');
    r.bytes(lit);
    pos += copy + lit;
  }
  expect(r.remaining).toBe(0);
  return out;
}

describe('TFDL/1 decoder fuzz', () => {
  const base = helloWorldInt8();
  const ranges = int8WeightRanges(base, 16);
  const rnd = mulberry32(5);
  const head = base.slice();
  const last = ranges[ranges.length - 1]!;
  for (let i = last.offset; i < last.offset + last.length; i++) head[i] = Math.floor(rnd() * 256); // a new head
  const retrained = base.slice();
  for (const r of ranges) for (let i = r.offset; i < r.offset + r.length; i++) retrained[i] = Math.floor(rnd() * 256);
  const corpus = [
    head,
    retrained,
    pruned(base, ranges, 0.8),
    Uint8Array.from([...base, 1, 2, 3]),
    base.subarray(0, 2000),
  ]
    .map((target) => ({ target, delta: encodeModelDelta(base, target) }))
    .map((c) => ({ ...c, fields: fields(c.delta) }));

  it('fuzzes from deltas with copies and literals, longer and shorter targets', () => {
    expect(corpus.every((c) => c.fields.some((f) => f.kind === 'copy' && f.value > 0))).toBe(true);
    expect(corpus.some((c) => c.delta.length < c.target.length / 4)).toBe(true); // the new head: mostly copies
  });

  it('rebuilds every case to the original target, or refuses it with a ModelDeltaError', () => {
    const f = new Fuzzer('TFDL/1', FUZZ_SEED, (e) => e instanceof ModelDeltaError);
    const both = (kind: string, input: Uint8Array, target: Uint8Array, mustRefuse: boolean, sameLength: boolean) => {
      f.run({
        kind,
        input,
        decode: () => applyModelDelta(base, input),
        boundBytes: OTA_MODEL_BYTES_LIMIT,
        mustRefuse,
      });
      f.run({
        kind: `${kind}, told the length`,
        input,
        decode: () => applyModelDelta(base, input, { modelBytes: target.length }),
        boundBytes: target.length,
        mustRefuse: mustRefuse || !sameLength,
        check: (out) => (out.length !== target.length ? `rebuilt ${out.length} bytes, told ${target.length}` : null),
      });
    };
    const baseCopy = base.slice();
    for (const c of corpus)
      f.run({
        kind: 'unmodified',
        input: c.delta,
        decode: () => applyModelDelta(base, c.delta, { modelBytes: c.target.length }),
        boundBytes: c.target.length,
        check: (out) => (hex(out) === hex(c.target) ? null : 'rebuilt other bytes'),
      });
    const r = mulberry32(FUZZ_SEED ^ 0xa5a5);
    for (let i = 0; i < 800; i++) {
      const tail = Uint8Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256));
      both(
        'random bytes',
        Uint8Array.from([0x54, 0x46, 0x44, 0x4c, 0x01, ...tail]),
        corpus[i % corpus.length]!.target,
        false,
        true,
      );
    }
    for (let i = 0; i < 1200; i++) {
      const c = f.pick(corpus);
      both('byte damage', mutateBytes(f, c.delta), c.target, false, true);
    }
    for (let i = 0; i < 300; i++) {
      const c = f.pick(corpus);
      both('truncated', c.delta.subarray(0, f.int(c.delta.length)), c.target, true, true);
      const extra = Array.from({ length: 1 + f.int(8) }, () => f.int(256));
      both('trailing bytes', Uint8Array.from([...c.delta, ...extra]), c.target, true, true);
    }
    for (let i = 0; i < 1000; i++) {
      const c = f.pick(corpus);
      const kind = f.pick([...new Set(c.fields.map((x) => x.kind))]);
      const field = f.pick(c.fields.filter((x) => x.kind === kind));
      if (f.int(5) === 0) {
        const bytes = varint(field.value);
        bytes[bytes.length - 1]! |= 0x80;
        both('non-minimal varint', splice(c.delta, field.start, field.end, [...bytes, 0]), c.target, true, true);
        continue;
      }
      const value = f.pick([
        0,
        1,
        field.value + 1,
        Math.max(0, field.value - 1),
        field.value * 2,
        f.int(1 << 16),
        OTA_MODEL_BYTES_LIMIT,
        OTA_MODEL_BYTES_LIMIT + 1,
        2 ** 31,
        2 ** 32 - 1,
      ]);
      const changed = value !== field.value;
      // The ops make exactly the target length against exactly this base: another length in the
      // header, or a copy that shifts every later op, cannot be met (the ops end early or overrun).
      const mustRefuse = changed && field.kind !== 'literal';
      const sameLength = !(changed && field.kind === 'target-length');
      both(
        `field ${field.kind}`,
        splice(c.delta, field.start, field.end, varint(value)),
        c.target,
        mustRefuse,
        sameLength,
      );
    }
    expect(hex(base)).toBe(hex(baseCopy)); // the base (a model slot) is only read
    if (process.env.FUZZ_REPORT) console.log(f.report());
    expect(f.cases).toBeGreaterThanOrEqual(5000);
    expect(f.tally('byte damage').decoded).toBeGreaterThan(0);
    expect(f.tally('byte damage').refused).toBeGreaterThan(0);
    for (const kind of ['target-length', 'base-length', 'copy', 'literal'])
      expect([kind, f.tally(`field ${kind}`).cases > 0]).toEqual([kind, true]);
  });
});
