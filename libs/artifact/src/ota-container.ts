/**
 * The over-the-air form of a model ("TFHC" container): the .tflite with its int8 weight buffers cut
 * out (the "skeleton": flatbuffer tables, biases, shapes) plus, per weight buffer, Huffman-coded values
 * and, for pruned layers, a Huffman-coded relative sparse index (Deep Compression, Han et al. 2016, §3:
 * store the gap to the previous nonzero; a gap wider than the index field gets a filler zero).
 * decodeOtaContainer() rebuilds the exact .tflite bytes. Browser-safe: Uint8Array only.
 *
 * Layout (all integers LEB128 varints unless noted):
 *   "TFHC" u8 version=1 | skeleton | recordCount |
 *   per record: offset length u8 mode(0 dense, 1 sparse) u8 indexBits
 *               codebookSize, codebook as int8 bytes | values Huffman block | [gaps Huffman block]
 * offset = byte position of the buffer in the original .tflite; records are sorted by offset.
 * skeleton = u8 mode, length, then raw bytes (mode 0) or one Huffman block over byte literals and
 * zero-run tokens (mode 1): the flatbuffer tables hold long zero runs (int64 zero points of
 * per-channel quantization, padding), which would otherwise cost as much as the pruned weights.
 */
import { ByteReader, ByteWriter } from './bit-stream';
import {
  huffmanBlockBytes,
  huffmanDecode,
  huffmanEncode,
  readHuffmanBlock,
  writeHuffmanBlock,
  type HuffmanBlock,
} from './huffman-codec';

const MAGIC = [0x54, 0x46, 0x48, 0x43]; // "TFHC"
export const OTA_CONTAINER_VERSION = 1;

export class OtaContainerError extends Error {
  override name = 'OtaContainerError';
}

/** One int8 weight buffer inside the .tflite to code. */
export interface WeightRange {
  offset: number;
  length: number;
  /** For the report: which tensor. */
  name?: string;
}

export interface EncodedRecordStats {
  name?: string;
  elements: number;
  nonzeros: number;
  mode: 'dense' | 'sparse';
  indexBits: number;
  codebookSize: number;
  valueBits: number;
  indexBitsTotal: number;
  bytes: number;
}

interface EncodedRecord {
  range: WeightRange;
  mode: 0 | 1;
  indexBits: number;
  codebook: Int8Array;
  values: HuffmanBlock;
  gaps?: HuffmanBlock;
  /** (gap, value) pairs of a sparse record. */
  pairs: number;
  stats: EncodedRecordStats;
}

function encodeRecord(range: WeightRange, weights: Int8Array): EncodedRecord {
  const nonzeros = weights.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
  const candidates: EncodedRecord[] = [];
  // Dense: every element is a symbol.
  candidates.push(buildRecord(range, weights, Array.from(weights), null, 0, nonzeros));
  // Sparse: try index widths like the paper (it uses 5 bits for FC and 8 for conv); keep the smallest.
  if (nonzeros < weights.length * 0.6) {
    for (let bits = 2; bits <= 8; bits++) {
      const maxGap = (1 << bits) - 1;
      const values: number[] = [];
      const gaps: number[] = [];
      let p = 0;
      for (let i = 0; i < weights.length; i++) {
        if (weights[i] === 0) continue;
        while (i - p > maxGap) {
          gaps.push(maxGap);
          values.push(0); // filler zero
          p += maxGap + 1;
        }
        gaps.push(i - p);
        values.push(weights[i]);
        p = i + 1;
      }
      candidates.push(buildRecord(range, weights, values, gaps, bits, nonzeros));
    }
  }
  return candidates.reduce((a, b) => (b.stats.bytes < a.stats.bytes ? b : a));
}

function buildRecord(
  range: WeightRange,
  weights: Int8Array,
  values: number[],
  gaps: number[] | null,
  indexBits: number,
  nonzeros: number,
): EncodedRecord {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  const codebook = Int8Array.from(distinct);
  const symbolOf = new Map(distinct.map((v, i) => [v, i]));
  const valueBlock = huffmanEncode(
    values.map((v) => symbolOf.get(v)!),
    Math.max(1, distinct.length),
  );
  const gapBlock = gaps ? huffmanEncode(gaps, 1 << indexBits) : undefined;
  const bytes = 8 + codebook.length + huffmanBlockBytes(valueBlock) + (gapBlock ? huffmanBlockBytes(gapBlock) + 4 : 0);
  return {
    range,
    mode: gaps ? 1 : 0,
    indexBits,
    codebook,
    values: valueBlock,
    gaps: gapBlock,
    pairs: values.length,
    stats: {
      name: range.name,
      elements: weights.length,
      nonzeros,
      mode: gaps ? 'sparse' : 'dense',
      indexBits,
      codebookSize: codebook.length,
      valueBits: valueBlock.bitLength,
      indexBitsTotal: gapBlock?.bitLength ?? 0,
      bytes,
    },
  };
}

export interface EncodeResult {
  bytes: Uint8Array;
  records: EncodedRecordStats[];
  skeletonBytes: number;
}

export function encodeOtaContainer(tflite: Uint8Array, ranges: WeightRange[]): EncodeResult {
  const sorted = [...ranges].sort((a, b) => a.offset - b.offset);
  let prevEnd = 0;
  for (const r of sorted) {
    if (r.offset < prevEnd || r.offset + r.length > tflite.length)
      throw new OtaContainerError(
        `weight range ${r.name ?? ''} [${r.offset}, +${r.length}) overlaps or is outside the model`,
      );
    prevEnd = r.offset + r.length;
  }
  const skeletonParts: Uint8Array[] = [];
  let pos = 0;
  const records = sorted.map((r) => {
    skeletonParts.push(tflite.subarray(pos, r.offset));
    pos = r.offset + r.length;
    const w = new Int8Array(tflite.buffer, tflite.byteOffset + r.offset, r.length);
    return encodeRecord(r, Int8Array.from(w));
  });
  skeletonParts.push(tflite.subarray(pos));
  const skeletonLength = skeletonParts.reduce((s, p) => s + p.length, 0);

  const w = new ByteWriter();
  w.bytes(Uint8Array.from(MAGIC));
  w.u8(OTA_CONTAINER_VERSION);
  const skeleton = new Uint8Array(skeletonLength);
  let sp = 0;
  for (const p of skeletonParts) {
    skeleton.set(p, sp);
    sp += p.length;
  }
  writeSkeleton(w, skeleton);
  w.varint(records.length);
  for (const rec of records) {
    w.varint(rec.range.offset);
    w.varint(rec.range.length);
    w.u8(rec.mode);
    w.u8(rec.indexBits);
    w.varint(rec.codebook.length);
    w.bytes(new Uint8Array(rec.codebook.buffer, rec.codebook.byteOffset, rec.codebook.length));
    writeHuffmanBlock(w, rec.values);
    if (rec.gaps) {
      w.varint(rec.pairs);
      writeHuffmanBlock(w, rec.gaps);
    }
  }
  return { bytes: w.finish(), records: records.map((r) => r.stats), skeletonBytes: skeletonLength };
}

/** Zero runs of 2..65 bytes become symbols 256..319; everything else is a byte literal. */
const RUN_BASE = 256;
const MAX_RUN = 65;

function skeletonTokens(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length;) {
    if (b[i] === 0) {
      let run = 1;
      while (i + run < b.length && b[i + run] === 0 && run < MAX_RUN) run++;
      if (run >= 2) {
        out.push(RUN_BASE + run - 2);
        i += run;
        continue;
      }
    }
    out.push(b[i]);
    i++;
  }
  return out;
}

function writeSkeleton(w: ByteWriter, skeleton: Uint8Array): void {
  const tokens = skeletonTokens(skeleton);
  const block = huffmanEncode(tokens, RUN_BASE + MAX_RUN - 1);
  if (huffmanBlockBytes(block) + 4 < skeleton.length) {
    w.u8(1);
    w.varint(skeleton.length);
    w.varint(tokens.length);
    writeHuffmanBlock(w, block);
  } else {
    w.u8(0);
    w.varint(skeleton.length);
    w.bytes(skeleton);
  }
}

function readSkeleton(r: ByteReader): Uint8Array {
  const mode = r.u8();
  const length = r.varint();
  if (mode === 0) return r.bytes(length);
  if (mode !== 1) throw new OtaContainerError(`unknown skeleton mode ${mode}`);
  const count = r.varint();
  const tokens = huffmanDecode(readHuffmanBlock(r), count);
  const out = new Uint8Array(length);
  let p = 0;
  for (const t of tokens) {
    const n = t >= RUN_BASE ? t - RUN_BASE + 2 : 1;
    if (p + n > length) throw new OtaContainerError('skeleton longer than declared');
    if (t < RUN_BASE) out[p] = t;
    p += n;
  }
  if (p !== length) throw new OtaContainerError(`skeleton is ${p} bytes, declared ${length}`);
  return out;
}

export function isOtaContainer(bytes: Uint8Array): boolean {
  return bytes.length >= 5 && MAGIC.every((m, i) => bytes[i] === m);
}

/** Turn the OTA container back into the exact .tflite bytes. */
export function decodeOtaContainer(bytes: Uint8Array): Uint8Array {
  if (!isOtaContainer(bytes)) throw new OtaContainerError('not a TFHC container (bad magic)');
  try {
    const r = new ByteReader(bytes);
    r.bytes(4);
    const version = r.u8();
    if (version !== OTA_CONTAINER_VERSION) throw new OtaContainerError(`unsupported TFHC version ${version}`);
    const skeleton = readSkeleton(r);
    const count = r.varint();
    const parts: Uint8Array[] = [];
    let skelPos = 0;
    let outPos = 0;
    for (let k = 0; k < count; k++) {
      const offset = r.varint();
      const length = r.varint();
      const mode = r.u8();
      const indexBits = r.u8();
      const codebook = new Int8Array(Uint8Array.from(r.bytes(r.varint())).buffer);
      const values = readHuffmanBlock(r);
      const weights = new Int8Array(length);
      if (mode === 0) {
        const syms = huffmanDecode(values, length);
        for (let i = 0; i < length; i++) weights[i] = codebook[syms[i]];
      } else if (mode === 1) {
        const pairs = r.varint();
        const gapBlock = readHuffmanBlock(r);
        const gaps = huffmanDecode(gapBlock, pairs);
        const vals = huffmanDecode(values, pairs);
        let p = 0;
        for (let i = 0; i < pairs; i++) {
          p += gaps[i];
          if (gaps[i] > (1 << indexBits) - 1 || p >= length)
            throw new OtaContainerError(`sparse index out of range in record ${k}`);
          weights[p] = codebook[vals[i]];
          p++;
        }
      } else throw new OtaContainerError(`unknown record mode ${mode}`);
      if (offset < outPos) throw new OtaContainerError(`record ${k} offset ${offset} goes backwards`);
      const take = offset - outPos;
      if (skelPos + take > skeleton.length) throw new OtaContainerError(`record ${k} offset ${offset} beyond skeleton`);
      parts.push(skeleton.subarray(skelPos, skelPos + take), new Uint8Array(weights.buffer));
      skelPos += take;
      outPos = offset + length;
    }
    parts.push(skeleton.subarray(skelPos));
    const total = parts.reduce((s, p) => s + p.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  } catch (err) {
    if (err instanceof OtaContainerError) throw err;
    throw new OtaContainerError(`corrupt TFHC container: ${(err as Error).message}`);
  }
}
