import { ByteWriter } from './bit-stream';
import { decodeOtaContainer, encodeOtaContainer, OtaContainerError } from './ota-container';

function fakeModel(): { bytes: Uint8Array; ranges: { offset: number; length: number }[] } {
  let s = 3;
  const rnd = () => (s = (s * 48271) % 2147483647) / 2147483647;
  const bytes = new Uint8Array(6000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rnd() * 256);
  // A sparse weight buffer (90 % zeros, small values) and a dense one.
  for (let i = 1000; i < 4000; i++) bytes[i] = rnd() < 0.9 ? 0 : Math.round((rnd() - 0.5) * 30) & 0xff;
  for (let i = 4500; i < 5500; i++) bytes[i] = Math.round((rnd() - 0.5) * 60) & 0xff;
  return {
    bytes,
    ranges: [
      { offset: 4500, length: 1000 },
      { offset: 1000, length: 3000 },
    ],
  };
}

describe('TFHC over-the-air container', () => {
  it('decodes to the identical bytes and uses the sparse index for the pruned buffer', () => {
    const { bytes, ranges } = fakeModel();
    const enc = encodeOtaContainer(bytes, ranges);
    expect(decodeOtaContainer(enc.bytes)).toEqual(bytes);
    const sparse = enc.records.find((r) => r.elements === 3000)!;
    expect(sparse.mode).toBe('sparse');
    expect(sparse.bytes).toBeLessThan(3000 * 0.25);
    expect(enc.bytes.length).toBeLessThan(bytes.length);
  });

  it('round-trips an all-zero buffer and gaps longer than the index field (filler zeros)', () => {
    const bytes = new Uint8Array(3000);
    bytes[2999] = 5;
    bytes[10] = 0xff;
    const enc = encodeOtaContainer(bytes, [
      { offset: 0, length: 1500 },
      { offset: 1500, length: 1500 },
    ]);
    expect(decodeOtaContainer(enc.bytes)).toEqual(bytes);
  });

  it('rejects overlapping ranges and corrupt input with a typed error', () => {
    const { bytes } = fakeModel();
    expect(() =>
      encodeOtaContainer(bytes, [
        { offset: 0, length: 10 },
        { offset: 5, length: 10 },
      ]),
    ).toThrow(OtaContainerError);
    const enc = encodeOtaContainer(bytes, [{ offset: 1000, length: 3000 }]);
    expect(() => decodeOtaContainer(enc.bytes.subarray(0, enc.bytes.length - 50))).toThrow(OtaContainerError);
    const badMagic = enc.bytes.slice();
    badMagic[0] ^= 1;
    expect(() => decodeOtaContainer(badMagic)).toThrow(/bad magic/);
  });
});

/** A TFHC/1 container written field by field (the layout of docs/ota.md), for inputs our encoder never makes. */
function container(build: (w: ByteWriter) => void): Uint8Array {
  const w = new ByteWriter();
  w.bytes(Uint8Array.of(0x54, 0x46, 0x48, 0x43, 1));
  build(w);
  return w.finish();
}
/** An empty raw skeleton and one record header. */
function record(w: ByteWriter, r: { length: number; mode: number; indexBits: number; codebook: number[] }): void {
  w.u8(0);
  w.varint(0);
  w.varint(1);
  w.varint(0);
  w.varint(r.length);
  w.u8(r.mode);
  w.u8(r.indexBits);
  w.varint(r.codebook.length);
  w.bytes(Uint8Array.from(r.codebook, (v) => v & 0xff));
}
function block(w: ByteWriter, lengths: number[], bitLength: number, data: number[]): void {
  w.varint(lengths.length);
  w.bytes(Uint8Array.from(lengths));
  w.varint(bitLength);
  w.bytes(Uint8Array.from(data));
}
const refusal = (bytes: Uint8Array, modelBytes?: number): string => {
  try {
    decodeOtaContainer(bytes, modelBytes === undefined ? {} : { modelBytes });
  } catch (err) {
    if (err instanceof OtaContainerError) return err.message;
    throw err;
  }
  return 'accepted';
};

describe('TFHC decoder refusals', () => {
  it('accepts the hand-built reference: two dense values', () => {
    const c = container((w) => {
      record(w, { length: 2, mode: 0, indexBits: 0, codebook: [5, -7] });
      block(w, [1, 1], 2, [0x40]); // symbols 0, 1
    });
    expect(Array.from(decodeOtaContainer(c, { modelBytes: 2 }))).toEqual([5, 0xf9]);
  });

  it('refuses a value symbol without a codebook entry (it used to become 0)', () => {
    const empty = container((w) => {
      record(w, { length: 2, mode: 0, indexBits: 0, codebook: [] });
      block(w, [1], 2, [0x00]);
    });
    expect(refusal(empty)).toMatch(/record 0: 2 values, empty codebook/);
    const wide = container((w) => {
      record(w, { length: 2, mode: 0, indexBits: 0, codebook: [5] });
      block(w, [1, 1], 2, [0xc0]); // symbol 1 of a 1-value codebook
    });
    expect(refusal(wide)).toMatch(/record 0 values: Huffman alphabet of 2 symbols, expected 1/);
  });

  it('refuses trailing bytes, over-full code lengths and blocks of another alphabet than the format fixes', () => {
    const model = new Uint8Array(40).fill(3);
    const ok = encodeOtaContainer(model, []).bytes;
    expect(refusal(Uint8Array.from([...ok, 0]))).toMatch(/1 trailing bytes after the last record/);
    const overFull = container((w) => {
      record(w, { length: 1, mode: 0, indexBits: 0, codebook: [5, 6, 7] });
      block(w, [1, 1, 1], 1, [0x80]);
    });
    expect(refusal(overFull)).toMatch(/over-full Huffman code lengths/);
    const lengths = new Array<number>(400).fill(0);
    lengths[399] = 1; // token 399 would be a run of 145 zeros
    const wideSkeleton = container((w) => {
      w.u8(1);
      w.varint(145);
      w.varint(1);
      block(w, lengths, 1, [0]);
      w.varint(0);
    });
    expect(refusal(wideSkeleton)).toMatch(/skeleton tokens: Huffman alphabet of 400 symbols, expected 320/);
    const wideGaps = container((w) => {
      record(w, { length: 4, mode: 1, indexBits: 2, codebook: [5] });
      block(w, [1], 1, [0]);
      w.varint(1);
      block(w, [1, 0, 0, 0, 0, 0, 0, 1], 1, [0x80]); // gap 7 with 2 index bits
    });
    expect(refusal(wideGaps)).toMatch(/record 0 gaps: Huffman alphabet of 8 symbols, expected 4/);
  });

  it.each([
    [0, 1, /index bits 1 \(dense: 0, sparse: 2\.\.8\)/],
    [1, 0, /index bits 0/],
    [1, 1, /index bits 1/],
    [1, 9, /index bits 9/],
    [1, 32, /index bits 32/], // 1 << 32 is 1 in JavaScript
    [2, 0, /unknown record mode 2/],
  ])('refuses record mode %d with index bits %d', (mode, indexBits, message) => {
    const c = container((w) => {
      record(w, { length: 1, mode, indexBits, codebook: [5] });
      block(w, [1], 1, [0]);
    });
    expect(refusal(c)).toMatch(message);
  });

  it('refuses varints that are not in their shortest form, reach 2^32 or run past 5 bytes', () => {
    const ok = encodeOtaContainer(new Uint8Array(40).fill(3), []).bytes; // ... 00 (record count 0) at the end
    const body = ok.subarray(0, ok.length - 1);
    expect(refusal(Uint8Array.from([...body, 0x80, 0x00]))).toMatch(/varint at byte \d+ is not in its shortest form/);
    expect(refusal(Uint8Array.from([...body, 0x80, 0x80, 0x80, 0x80, 0x10]))).toMatch(/2\^32 or more/);
    expect(refusal(Uint8Array.from([...body, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]))).toMatch(/longer than 5 bytes/);
  });

  it('refuses a length beyond the 16 MiB limit or the expected model length from the headers, allocating nothing', () => {
    const huge = container((w) => {
      w.u8(1);
      w.varint(2 ** 31); // 2 GiB of skeleton from one token: it used to be allocated
      w.varint(1);
      const lengths = new Array<number>(320).fill(0);
      lengths[0] = 1;
      block(w, lengths, 1, [0]);
      w.varint(0);
    });
    const before = process.memoryUsage().arrayBuffers;
    expect(refusal(huge)).toMatch(/skeleton of 2147483648 bytes exceeds the model's 16777216/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
    const zeros = (length: number) =>
      container((w) => {
        record(w, { length, mode: 1, indexBits: 2, codebook: [] });
        block(w, [0], 0, []);
        w.varint(0);
        block(w, [0, 0, 0, 0], 0, []);
      });
    expect(refusal(zeros(2 ** 32 - 1))).toMatch(/record 0 makes the model longer than 16777216 bytes/);
    expect(refusal(zeros(5000), 4096)).toMatch(/record 0 makes the model longer than 4096 bytes/);
    expect(refusal(zeros(4000), 4096)).toMatch(/the container makes a 4000-byte model, expected 4096/);
    expect(Array.from(decodeOtaContainer(zeros(3), { modelBytes: 3 }))).toEqual([0, 0, 0]);
    for (const bad of [-1, 1.5, 16 * 1024 * 1024 + 1]) expect(refusal(zeros(3), bad)).toMatch(/expected model length/);
  });

  it('refuses counts the remaining input cannot hold before reading on', () => {
    const ok = encodeOtaContainer(new Uint8Array(40).fill(3), []).bytes;
    const body = ok.subarray(0, ok.length - 1);
    expect(refusal(Uint8Array.from([...body, 0x80, 0x80, 0x80, 0x80, 0x0f]))).toMatch(
      /4026531840 records cannot fit in the 0 bytes left/,
    );
    const dense = container((w) => {
      record(w, { length: 100, mode: 0, indexBits: 0, codebook: [5] });
      block(w, [1], 8, [0]); // 100 values cannot come from 8 bits
    });
    expect(refusal(dense)).toMatch(/record 0: 100 values cannot fit in 8 bits/);
    const pairs = container((w) => {
      record(w, { length: 4, mode: 1, indexBits: 2, codebook: [5] });
      block(w, [1], 5, [0]);
      w.varint(5); // 5 pairs in a 4-byte buffer
      block(w, [1, 0, 0, 0], 5, [0]);
    });
    expect(refusal(pairs)).toMatch(/record 0: 5 pairs in 4 bytes/);
    const tokens = container((w) => {
      w.u8(1);
      w.varint(200);
      w.varint(3); // 3 tokens make at most 195 bytes
      const lengths = new Array<number>(320).fill(0);
      lengths[319] = 1;
      block(w, lengths, 3, [0]);
      w.varint(0);
    });
    expect(refusal(tokens)).toMatch(/3 skeleton tokens cannot make 200 bytes in 3 bits/);
  });

  it('refuses coded bits left over after the last symbol', () => {
    const c = container((w) => {
      record(w, { length: 2, mode: 0, indexBits: 0, codebook: [5, -7] });
      block(w, [1, 1], 3, [0x40]);
    });
    expect(refusal(c)).toMatch(/1 coded bits left after 2 symbols/);
  });
});
