import { ByteReader, ByteWriter } from './bit-stream';
import {
  canonicalCodes,
  huffmanCodeLengths,
  huffmanDecode,
  huffmanEncode,
  readHuffmanBlock,
  writeHuffmanBlock,
} from './huffman-codec';

class CodeError extends Error {}

describe('canonical Huffman codec', () => {
  it('round-trips skewed and uniform symbol streams', () => {
    let s = 7;
    const rnd = () => (s = (s * 48271) % 2147483647) / 2147483647;
    const skewed = Array.from({ length: 5000 }, () => Math.min(20, Math.floor(-Math.log(rnd()) * 2)));
    const uniform = Array.from({ length: 777 }, () => Math.floor(rnd() * 256));
    for (const [syms, n] of [
      [skewed, 21],
      [uniform, 256],
    ] as const) {
      const block = huffmanEncode(syms, n);
      expect(Array.from(huffmanDecode(block, syms.length, CodeError))).toEqual(syms);
    }
  });

  it('gives frequent symbols shorter codes and beats fixed-width coding on skewed data', () => {
    const syms = [...new Array(900).fill(0), ...new Array(90).fill(1), ...new Array(10).fill(2)];
    const block = huffmanEncode(syms, 3);
    expect(block.lengths[0]).toBe(1);
    expect(block.lengths[1]).toBe(2);
    expect(block.bitLength).toBe(900 + 90 * 2 + 10 * 2);
  });

  it('handles a single-symbol alphabet with one bit per symbol', () => {
    const block = huffmanEncode([4, 4, 4], 5);
    expect(block.bitLength).toBe(3);
    expect(Array.from(huffmanDecode(block, 3, CodeError))).toEqual([4, 4, 4]);
  });

  it('builds prefix-free canonical codes', () => {
    const lengths = huffmanCodeLengths([5, 9, 12, 13, 16, 45]);
    const codes = canonicalCodes(lengths);
    const strs = Array.from(codes, (c, i) => c.toString(2).padStart(lengths[i], '0'));
    for (const a of strs) for (const b of strs) if (a !== b) expect(b.startsWith(a)).toBe(false);
    // Kraft equality for a complete code.
    expect(Array.from(lengths).reduce((s, l) => s + 2 ** -l, 0)).toBeCloseTo(1, 12);
  });

  it('refuses unread coded bits, a count the bits cannot hold and a bit string that is no code', () => {
    const block = huffmanEncode([0, 1, 2, 2], 3); // codes 0: 10, 1: 11, 2: 0: 6 bits, the first 3 symbols 5
    expect(() => huffmanDecode(block, 3, CodeError)).toThrow(/1 coded bits left after 3 symbols/);
    expect(() => huffmanDecode(block, 7, CodeError)).toThrow(/7 symbols cannot fit in 6 bits/);
    expect(() => huffmanDecode({ ...block, bitLength: 5 }, 4, CodeError)).toThrow(/bit stream exhausted/);
    const single = huffmanEncode([4, 4], 5); // one used symbol: code 0, so a 1 bit is no code
    expect(() => huffmanDecode({ ...single, data: Uint8Array.of(0x40) }, 2, CodeError)).toThrow(
      /invalid Huffman code at symbol 1/,
    );
  });

  it('reads a block only of the alphabet its context fixes, with lengths of at most 24 bits and Kraft sum <= 1', () => {
    const read = (lengths: number[], alphabet = lengths.length) => {
      const w = new ByteWriter();
      writeHuffmanBlock(w, { lengths: Uint8Array.from(lengths), bitLength: 0, data: new Uint8Array(0) });
      return readHuffmanBlock(new ByteReader(w.finish(), CodeError), alphabet, 'test');
    };
    expect(read([1, 2, 2]).lengths).toEqual(Uint8Array.of(1, 2, 2));
    expect(read([24, 0]).lengths).toEqual(Uint8Array.of(24, 0)); // incomplete codes are allowed
    expect(() => read([1, 1, 1])).toThrow(/over-full/);
    expect(() => read([1, 2, 2, 24])).toThrow(/over-full/);
    expect(() => read([25, 1])).toThrow(/code length 25 exceeds 24/);
    expect(() => read([1, 1], 3)).toThrow(/alphabet of 2 symbols, expected 3/);
    expect(() => read([1, 1])).not.toThrow();
    for (const f of [() => read([1, 1, 1]), () => read([1, 1], 3)]) expect(f).toThrow(CodeError);
  });
});
