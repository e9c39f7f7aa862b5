import { canonicalCodes, huffmanCodeLengths, huffmanDecode, huffmanEncode } from './huffman-codec';

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
      expect(Array.from(huffmanDecode(block, syms.length))).toEqual(syms);
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
    expect(Array.from(huffmanDecode(block, 3))).toEqual([4, 4, 4]);
  });

  it('builds prefix-free canonical codes', () => {
    const lengths = huffmanCodeLengths([5, 9, 12, 13, 16, 45]);
    const codes = canonicalCodes(lengths);
    const strs = Array.from(codes, (c, i) => c.toString(2).padStart(lengths[i], '0'));
    for (const a of strs) for (const b of strs) if (a !== b) expect(b.startsWith(a)).toBe(false);
    // Kraft equality for a complete code.
    expect(Array.from(lengths).reduce((s, l) => s + 2 ** -l, 0)).toBeCloseTo(1, 12);
  });
});
