/**
 * Fuzzes decodeOtaContainer (TFHC/1) with >= 5,000 seeded cases (testing/fuzz-harness.ts): random
 * bytes after the magic, byte damage to real encodings, and changes to the fields the layout of
 * docs/ota.md names (lengths, counts, alphabet sizes, index bits, code lengths), which a walker below
 * locates on its own reading of that layout. Every case is decoded twice: alone (bound: the 16 MiB OTA
 * limit) and told the original model length (bound: that length, a few KiB), so a decoder that
 * allocates what a field asks for before checking it fails the memory bound.
 */
import { mulberry32 } from '@tinyfleet/random';
import { OTA_MAX_MODEL_BYTES } from '@tinyfleet/wire';
import { ByteReader } from './bit-stream';
import { decodeOtaContainer, encodeOtaContainer, OtaContainerError } from './ota-container';
import { OTA_MODEL_BYTES_LIMIT } from './ota-limits';
import { FUZZ_SEED, Fuzzer, hex, mutateBytes, splice, varint } from './testing/fuzz-harness';
import { helloWorldInt8, int8WeightRanges, pruned, syntheticModel } from './testing/ota-corpus';

type FieldKind =
  | 'skeleton-length'
  | 'token-count'
  | 'record-count'
  | 'offset'
  | 'length'
  | 'mode'
  | 'index-bits'
  | 'codebook-size'
  | 'alphabet'
  | 'bit-length'
  | 'pairs'
  | 'code-length';

interface Field {
  kind: FieldKind;
  start: number;
  end: number;
  value: number;
  /** code-length: the block's lengths, to tell whether a change makes the code over-full. */
  lengths?: Uint8Array;
  /** code-length: the index in `lengths`. */
  symbol?: number;
  /** length, index-bits: the record's mode. */
  mode?: number;
}

/** Every field of a valid container, by the layout of docs/ota.md. */
function fields(c: Uint8Array): Field[] {
  const r = new ByteReader(c, OtaContainerError);
  const out: Field[] = [];
  const v = (kind: FieldKind) => {
    const start = r.pos;
    const value = r.varint();
    out.push({ kind, start, end: r.pos, value });
    return value;
  };
  const u8 = (kind: FieldKind, extra: Partial<Field> = {}) => {
    const start = r.pos;
    const value = r.u8();
    out.push({ kind, start, end: r.pos, value, ...extra });
    return value;
  };
  const block = () => {
    const n = v('alphabet');
    const lengths = c.subarray(r.pos, r.pos + n);
    for (let s = 0; s < n; s++) u8('code-length', { lengths, symbol: s });
    r.bytes(Math.ceil(v('bit-length') / 8));
  };
  r.bytes(5);
  const skeletonMode = r.u8();
  const length = v('skeleton-length');
  if (skeletonMode === 0) r.bytes(length);
  else {
    v('token-count');
    block();
  }
  const records = v('record-count');
  for (let k = 0; k < records; k++) {
    v('offset');
    v('length');
    const lengthField = out[out.length - 1]!;
    const mode = u8('mode');
    lengthField.mode = mode;
    u8('index-bits', { mode });
    r.bytes(v('codebook-size'));
    block();
    if (mode === 1) {
      v('pairs');
      block();
    }
  }
  expect(r.remaining).toBe(0);
  return out;
}

const kraftOver = (lengths: Uint8Array, symbol: number, l: number) =>
  [...lengths].reduce((s, x, i) => s + ((i === symbol ? l : x) ? 2 ** -(i === symbol ? l : x) : 0), 0) > 1;

/** A changed field whose change the decoder must refuse whatever else the container holds. */
function mustRefuse(f: Field, value: number): boolean {
  if (value === f.value) return false;
  switch (f.kind) {
    case 'record-count': // records missing (trailing bytes) or past the end
    case 'token-count': // tokens, pairs, dense values: the symbols no longer take exactly the block's bits
    case 'pairs':
    case 'alphabet': // fixed by the context
    case 'mode': // dense needs index bits 0, sparse 2..8
    case 'index-bits': // dense: 0; sparse: the gaps block's alphabet is 2^b
      return true;
    case 'length':
      return f.mode === 0 || value > OTA_MODEL_BYTES_LIMIT;
    case 'bit-length':
      return Math.ceil(value / 8) === Math.ceil(f.value / 8); // the same bytes: bits short or left over
    case 'code-length':
      return value > 24 || kraftOver(f.lengths!, f.symbol!, value);
    case 'skeleton-length':
      return value > OTA_MODEL_BYTES_LIMIT;
    default:
      return false;
  }
}

describe('TFHC/1 decoder fuzz', () => {
  const hello = helloWorldInt8();
  const helloRanges = int8WeightRanges(hello, 16);
  const synthetic = syntheticModel(11);
  const corpus = [
    { model: hello, ranges: helloRanges },
    { model: pruned(hello, helloRanges, 0.8), ranges: helloRanges },
    synthetic,
    { model: hello, ranges: [] },
  ].map(({ model, ranges }) => {
    const enc = encodeOtaContainer(model, ranges);
    return { model, container: enc.bytes, records: enc.records, fields: fields(enc.bytes) };
  });

  it('keeps the decoders’ limit equal to the wire protocol’s', () => {
    expect(OTA_MODEL_BYTES_LIMIT).toBe(OTA_MAX_MODEL_BYTES);
  });

  it('fuzzes from a corpus with dense and sparse records, filler pairs and both skeleton modes', () => {
    const records = corpus.flatMap((c) => c.records);
    expect(records.some((r) => r.mode === 'dense')).toBe(true);
    expect(records.some((r) => r.mode === 'sparse')).toBe(true);
    expect(corpus.some((c) => c.container[5] === 0) && corpus.some((c) => c.container[5] === 1)).toBe(true);
    // Filler pairs: more pairs than nonzeros (a container's pairs fields follow its sparse records in order).
    const fillers = corpus.some((c) => {
      const pairs = c.fields.filter((f) => f.kind === 'pairs');
      return c.records.filter((r) => r.mode === 'sparse').some((r, k) => pairs[k]!.value > r.nonzeros);
    });
    expect(fillers).toBe(true);
  });

  it('decodes every case to the original bytes, or refuses it with an OtaContainerError', () => {
    const f = new Fuzzer('TFHC/1', FUZZ_SEED, (e) => e instanceof OtaContainerError);
    const both = (kind: string, input: Uint8Array, model: Uint8Array, mustRefuse: boolean, sameLength: boolean) => {
      f.run({
        kind,
        input,
        decode: () => decodeOtaContainer(input),
        boundBytes: OTA_MODEL_BYTES_LIMIT,
        mustRefuse,
        check: (out) => (out.length > OTA_MODEL_BYTES_LIMIT ? `decoded ${out.length} bytes` : null),
      });
      f.run({
        kind: `${kind}, told the length`,
        input,
        decode: () => decodeOtaContainer(input, { modelBytes: model.length }),
        boundBytes: model.length,
        mustRefuse: mustRefuse || !sameLength,
        check: (out) => (out.length !== model.length ? `decoded ${out.length} bytes, told ${model.length}` : null),
      });
    };
    for (const c of corpus) {
      f.run({
        kind: 'unmodified',
        input: c.container,
        decode: () => decodeOtaContainer(c.container, { modelBytes: c.model.length }),
        boundBytes: c.model.length,
        check: (out) => (hex(out) === hex(c.model) ? null : 'decoded to other bytes'),
      });
    }
    const rnd = mulberry32(FUZZ_SEED ^ 0x5a5a);
    for (let i = 0; i < 800; i++) {
      const c = corpus[i % corpus.length]!;
      const tail = Uint8Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256));
      both('random bytes', Uint8Array.from([0x54, 0x46, 0x48, 0x43, 0x01, ...tail]), c.model, false, true);
    }
    for (let i = 0; i < 1200; i++) {
      const c = f.pick(corpus);
      both('byte damage', mutateBytes(f, c.container), c.model, false, true);
    }
    for (let i = 0; i < 300; i++) {
      const c = f.pick(corpus);
      const cut = f.int(c.container.length);
      both('truncated', c.container.subarray(0, cut), c.model, true, true);
      const extra = Array.from({ length: 1 + f.int(8) }, () => f.int(256));
      both('trailing bytes', Uint8Array.from([...c.container, ...extra]), c.model, true, true);
    }
    for (let i = 0; i < 1800; i++) {
      const c = f.pick(corpus);
      // A kind first, then one of its fields: code lengths would otherwise be nearly every pick.
      const kind = f.pick([...new Set(c.fields.map((x) => x.kind))]);
      const field = f.pick(c.fields.filter((x) => x.kind === kind));
      if (field.kind === 'mode' || field.kind === 'index-bits' || field.kind === 'code-length') {
        const value = f.pick([0, 1, 2, 8, 9, 24, 25, 255, f.int(256), (field.value + 1) & 0xff]);
        const input = splice(c.container, field.start, field.end, [value]);
        both(`field ${field.kind}`, input, c.model, mustRefuse(field, value), true);
        continue;
      }
      if (f.int(5) === 0) {
        // The same value with one more (zero) group: not the shortest form.
        const bytes = varint(field.value);
        bytes[bytes.length - 1]! |= 0x80;
        both('non-minimal varint', splice(c.container, field.start, field.end, [...bytes, 0]), c.model, true, true);
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
      const input = splice(c.container, field.start, field.end, varint(value));
      const lengthChanged = (field.kind === 'skeleton-length' || field.kind === 'length') && value !== field.value;
      both(`field ${field.kind}`, input, c.model, mustRefuse(field, value), !lengthChanged);
    }
    if (process.env.FUZZ_REPORT) console.log(f.report());
    expect(f.cases).toBeGreaterThanOrEqual(5000);
    // Damage reached past the first check (some damaged containers still decode), and every field was changed.
    expect(f.tally('byte damage').decoded).toBeGreaterThan(0);
    expect(f.tally('byte damage').refused).toBeGreaterThan(0);
    for (const kind of new Set(corpus.flatMap((c) => c.fields.map((x) => x.kind))))
      expect([kind, f.tally(`field ${kind}`).cases > 0]).toEqual([kind, true]);
  });
});
