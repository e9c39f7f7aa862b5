/**
 * Canonical Huffman coding of small integer alphabets (symbols 0..n-1). Only the code lengths are
 * stored; both sides rebuild the same canonical codes, as DEFLATE does. Browser-safe.
 */
import { BitReader, BitWriter, ByteReader, ByteWriter } from './bit-stream';

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

export function huffmanDecode(block: HuffmanBlock, count: number): Uint32Array {
  const { lengths } = block;
  const maxLen = Math.max(0, ...lengths);
  const out = new Uint32Array(count);
  if (count === 0) return out;
  // Decode canonically: per length, the first code and the symbols in canonical order.
  const countPerLen = new Array<number>(maxLen + 1).fill(0);
  for (const l of lengths) if (l) countPerLen[l]++;
  const sorted: number[] = [];
  for (let len = 1; len <= maxLen; len++)
    for (let s = 0; s < lengths.length; s++) if (lengths[s] === len) sorted.push(s);
  const r = new BitReader(block.data, block.bitLength);
  for (let i = 0; i < count; i++) {
    let code = 0;
    let first = 0;
    let index = 0;
    let len = 1;
    for (; len <= maxLen; len++) {
      code |= r.readBit();
      const n = countPerLen[len];
      if (code - first < n) break;
      index += n;
      first = (first + n) << 1;
      code <<= 1;
    }
    if (len > maxLen) throw new Error(`invalid Huffman code at symbol ${i}`);
    out[i] = sorted[index + (code - first)];
  }
  return out;
}

export function writeHuffmanBlock(w: ByteWriter, block: HuffmanBlock): void {
  w.varint(block.lengths.length);
  w.bytes(block.lengths);
  w.varint(block.bitLength);
  w.bytes(block.data);
}

export function readHuffmanBlock(r: ByteReader): HuffmanBlock {
  const n = r.varint();
  const lengths = Uint8Array.from(r.bytes(n));
  for (const l of lengths) if (l > MAX_CODE_BITS) throw new Error(`Huffman code length ${l} exceeds ${MAX_CODE_BITS}`);
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
