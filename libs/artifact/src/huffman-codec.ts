/**
 * Canonical Huffman coding of small integer alphabets (symbols 0..n-1). Only the code lengths are
 * stored; both sides rebuild the same canonical codes, as DEFLATE does. Browser-safe.
 */
import { BitReader, BitWriter, ByteReader, ByteWriter, type FormatError } from './bit-stream';

/** Longest code we allow; 24 bits keep codes inside a JS int for any realistic weight tensor. */
export const MAX_CODE_BITS = 24;

/** Code length per symbol from frequencies (0 for unused symbols). */
export function huffmanCodeLengths(freqs: ArrayLike<number>): Uint8Array {
  let f = Array.from(freqs);
  for (;;) {
    const lengths = plainHuffmanLengths(f);
    if (Math.max(0, ...lengths) <= MAX_CODE_BITS) return lengths;
    // Too deep: flatten the distribution and retry (keeps every used symbol codable).
    f = f.map((x) => (x > 0 ? Math.max(1, x >> 1) : 0));
  }
}

function plainHuffmanLengths(freqs: number[]): Uint8Array {
  const lengths = new Uint8Array(freqs.length);
  const used = freqs.map((f, s) => ({ f, s })).filter((x) => x.f > 0);
  if (used.length === 0) return lengths;
  if (used.length === 1) {
    lengths[used[0].s] = 1; // a single symbol still needs one bit per occurrence
    return lengths;
  }
  type Node = { f: number; syms: number[]; order: number };
  // Sorted-array "heap": alphabets are at most a few thousand symbols, so O(n^2) is fine.
  let order = 0;
  const nodes: Node[] = used.map((u) => ({ f: u.f, syms: [u.s], order: order++ }));
  const cmp = (a: Node, b: Node) => a.f - b.f || a.order - b.order;
  nodes.sort(cmp);
  while (nodes.length > 1) {
    const a = nodes.shift()!;
    const b = nodes.shift()!;
    for (const s of a.syms) lengths[s]++;
    for (const s of b.syms) lengths[s]++;
    const merged: Node = { f: a.f + b.f, syms: a.syms.concat(b.syms), order: order++ };
    let i = 0;
    while (i < nodes.length && cmp(nodes[i], merged) <= 0) i++;
    nodes.splice(i, 0, merged);
  }
  return lengths;
}

/** Canonical codes: shorter codes first, ties by symbol index. */
export function canonicalCodes(lengths: Uint8Array): Uint32Array {
  const codes = new Uint32Array(lengths.length);
  const maxLen = Math.max(0, ...lengths);
  const blCount = new Array<number>(maxLen + 1).fill(0);
  for (const l of lengths) if (l) blCount[l]++;
  const next = new Array<number>(maxLen + 2).fill(0);
  let code = 0;
  for (let bits = 1; bits <= maxLen; bits++) {
    code = (code + blCount[bits - 1]) << 1;
    next[bits] = code;
  }
  for (let s = 0; s < lengths.length; s++) if (lengths[s]) codes[s] = next[lengths[s]]++;
  return codes;
}

export interface HuffmanBlock {
  lengths: Uint8Array;
  bitLength: number;
  data: Uint8Array;
}

export function huffmanEncode(symbols: ArrayLike<number>, alphabetSize: number): HuffmanBlock {
  const freqs = new Array<number>(alphabetSize).fill(0);
  for (let i = 0; i < symbols.length; i++) freqs[symbols[i]]++;
  const lengths = huffmanCodeLengths(freqs);
  const codes = canonicalCodes(lengths);
  const w = new BitWriter();
  for (let i = 0; i < symbols.length; i++) w.write(codes[symbols[i]], lengths[symbols[i]]);
  return { lengths, bitLength: w.bitLength, data: w.finish() };
}

/**
 * Reads one symbol at a time, so a caller writes each straight into its place and never holds a
 * symbol array as long as the stream claims. The block's lengths are trusted: readHuffmanBlock
 * checked them.
 */
export class HuffmanDecoder {
  private readonly bits: BitReader;
  private readonly maxLen: number;
  /** Codes of each length, and the used symbols ordered by (length, symbol): the canonical order. */
  private readonly countPerLen: number[];
  private readonly sorted: number[] = [];
  private decoded = 0;

  constructor(
    block: HuffmanBlock,
    private readonly Err: FormatError,
  ) {
    this.maxLen = block.lengths.reduce((m, l) => Math.max(m, l), 0);
    this.countPerLen = new Array<number>(this.maxLen + 1).fill(0);
    for (const l of block.lengths) if (l) this.countPerLen[l]!++;
    for (let len = 1; len <= this.maxLen; len++)
      for (let s = 0; s < block.lengths.length; s++) if (block.lengths[s] === len) this.sorted.push(s);
    this.bits = new BitReader(block.data, block.bitLength, Err);
  }

  next(): number {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len <= this.maxLen; len++) {
      code |= this.bits.readBit();
      const n = this.countPerLen[len]!;
      if (code - first < n) {
        this.decoded++;
        return this.sorted[index + (code - first)]!;
      }
      index += n;
      first = (first + n) << 1;
      code <<= 1;
    }
    throw new this.Err(`invalid Huffman code at symbol ${this.decoded}`);
  }

  /** The symbols must take exactly the block's bit length: unread coded bits are refused like trailing bytes. */
  finish(): void {
    if (this.bits.bitsLeft !== 0)
      throw new this.Err(`${this.bits.bitsLeft} coded bits left after ${this.decoded} symbols`);
  }
}

/** Exactly `count` symbols, which must use up the block's bits. */
export function huffmanDecode(block: HuffmanBlock, count: number, Err: FormatError): Uint32Array {
  // Every symbol takes at least one bit: a larger count cannot be right, and is not allocated.
  if (count > block.bitLength) throw new Err(`${count} symbols cannot fit in ${block.bitLength} bits`);
  const decoder = new HuffmanDecoder(block, Err);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = decoder.next();
  decoder.finish();
  return out;
}

export function writeHuffmanBlock(w: ByteWriter, block: HuffmanBlock): void {
  w.varint(block.lengths.length);
  w.bytes(block.lengths);
  w.varint(block.bitLength);
  w.bytes(block.data);
}

/**
 * One block of a stream whose context fixes the alphabet (320 skeleton tokens, K values, 2^b gaps):
 * any other size is refused before its lengths are read, as are lengths above MAX_CODE_BITS and an
 * over-full set (Kraft sum above 1: codes that cannot all be distinct).
 */
export function readHuffmanBlock(r: ByteReader, alphabetSize: number, what: string): HuffmanBlock {
  const n = r.varint();
  if (n !== alphabetSize) throw new r.Err(`${what}: Huffman alphabet of ${n} symbols, expected ${alphabetSize}`);
  const lengths = r.bytes(n);
  let kraft = 0; // in units of 2^-MAX_CODE_BITS
  for (const l of lengths) {
    if (l > MAX_CODE_BITS) throw new r.Err(`${what}: Huffman code length ${l} exceeds ${MAX_CODE_BITS}`);
    if (l) kraft += 2 ** (MAX_CODE_BITS - l);
  }
  if (kraft > 2 ** MAX_CODE_BITS) throw new r.Err(`${what}: over-full Huffman code lengths (Kraft sum above 1)`);
  const bitLength = r.varint();
  const data = r.bytes(Math.ceil(bitLength / 8));
  return { lengths, bitLength, data };
}

/** Size in bytes a block takes in the container (for choosing between encodings). */
export function huffmanBlockBytes(block: HuffmanBlock): number {
  const w = new ByteWriter();
  writeHuffmanBlock(w, block);
  return w.length;
}
