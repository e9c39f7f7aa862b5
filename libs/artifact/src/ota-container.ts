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
 *               codebookSize, codebook as int8 bytes | values Huffman block | [pairs, gaps Huffman block]
 * offset = byte position of the buffer in the original .tflite; records are sorted by offset.
 * skeleton = u8 mode, length, then raw bytes (mode 0) or one Huffman block over byte literals and
 * zero-run tokens (mode 1): the flatbuffer tables hold long zero runs (int64 zero points of
 * per-channel quantization, padding), which would otherwise cost as much as the pruned weights.
 */
import { ByteReader, ByteWriter } from './bit-stream';
import {
  HuffmanDecoder,
  huffmanBlockBytes,
  huffmanEncode,
  readHuffmanBlock,
  writeHuffmanBlock,
  type HuffmanBlock,
} from './huffman-codec';
import { modelBytesBound } from './ota-limits';

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
/** Tokens per skeleton block: 256 byte literals and 64 run lengths; the only alphabet the format has. */
const SKELETON_ALPHABET = RUN_BASE + MAX_RUN - 1;

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
  const block = huffmanEncode(tokens, SKELETON_ALPHABET);
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

type SkeletonHeader = { length: number } & ({ raw: Uint8Array } | { tokens: number; block: HuffmanBlock });

function readSkeletonHeader(r: ByteReader, maxBytes: number): SkeletonHeader {
  const mode = r.u8();
  if (mode > 1) throw new OtaContainerError(`unknown skeleton mode ${mode}`);
  const length = r.varint();
  if (length > maxBytes) throw new OtaContainerError(`skeleton of ${length} bytes exceeds the model's ${maxBytes}`);
  if (mode === 0) return { length, raw: r.bytes(length) };
  const tokens = r.varint();
  const block = readHuffmanBlock(r, SKELETON_ALPHABET, 'skeleton tokens');
  // Each token makes 1..MAX_RUN bytes and takes at least one bit.
  if (tokens > length || tokens * MAX_RUN < length || tokens > block.bitLength)
    throw new OtaContainerError(`${tokens} skeleton tokens cannot make ${length} bytes in ${block.bitLength} bits`);
  return { length, tokens, block };
}

interface RecordHeader {
  offset: number;
  length: number;
  codebook: Int8Array;
  values: HuffmanBlock;
  /** Sparse records: the (gap, value) pairs and their gaps. */
  sparse: { pairs: number; gaps: HuffmanBlock } | null;
  /** Where the skeleton is cut open for this record. */
  cut: number;
}

/** The smallest record: 5 one-byte fields (offset … K) and a values block of 3 (n, one length, bit length). */
const MIN_RECORD_BYTES = 8;

function readRecordHeader(r: ByteReader, k: number): Omit<RecordHeader, 'cut'> {
  const offset = r.varint();
  const length = r.varint();
  const mode = r.u8();
  const indexBits = r.u8();
  if (mode > 1) throw new OtaContainerError(`unknown record mode ${mode} in record ${k}`);
  if (mode === 0 ? indexBits !== 0 : indexBits < 2 || indexBits > 8)
    throw new OtaContainerError(`record ${k}: index bits ${indexBits} (dense: 0, sparse: 2..8)`);
  const codebookSize = r.varint();
  if (codebookSize > 256) throw new OtaContainerError(`record ${k}: codebook of ${codebookSize} int8 values`);
  const raw = r.bytes(codebookSize);
  const codebook = new Int8Array(raw.buffer, raw.byteOffset, codebookSize);
  const values = readHuffmanBlock(r, Math.max(1, codebookSize), `record ${k} values`);
  let symbols = length;
  let sparse: RecordHeader['sparse'] = null;
  if (mode === 1) {
    const pairs = r.varint();
    const gaps = readHuffmanBlock(r, 1 << indexBits, `record ${k} gaps`);
    // Each pair writes one of the N places, in increasing order; each gap takes at least one bit.
    if (pairs > length || pairs > gaps.bitLength)
      throw new OtaContainerError(`record ${k}: ${pairs} pairs in ${length} bytes and ${gaps.bitLength} gap bits`);
    symbols = pairs;
    sparse = { pairs, gaps };
  }
  // The values alphabet is max(1, K): with K = 0 there is no value to give symbol 0.
  if (symbols > 0 && codebookSize === 0) throw new OtaContainerError(`record ${k}: ${symbols} values, empty codebook`);
  if (symbols > values.bitLength)
    throw new OtaContainerError(`record ${k}: ${symbols} values cannot fit in ${values.bitLength} bits`);
  return { offset, length, codebook, values, sparse };
}

export interface DecodeOtaOptions {
  /**
   * The length the model must have (the offer's and device manifest's modelBytes): a container that
   * makes another is refused from its headers, before the model is allocated.
   */
  modelBytes?: number;
}

/**
 * Turn the OTA container back into the exact .tflite bytes. Every refusal is an OtaContainerError;
 * all headers are read and checked before the one allocation, of the model's length, which is at most
 * `modelBytes` (or the 16 MiB OTA limit).
 */
export function decodeOtaContainer(bytes: Uint8Array, opts: DecodeOtaOptions = {}): Uint8Array {
  const maxBytes = modelBytesBound(opts.modelBytes, OtaContainerError);
  if (!isOtaContainer(bytes)) throw new OtaContainerError('not a TFHC container (bad magic)');
  const r = new ByteReader(bytes, OtaContainerError);
  r.bytes(MAGIC.length);
  const version = r.u8();
  if (version !== OTA_CONTAINER_VERSION) throw new OtaContainerError(`unsupported TFHC version ${version}`);
  const skeleton = readSkeletonHeader(r, maxBytes);
  const count = r.varint();
  if (count > r.remaining / MIN_RECORD_BYTES)
    throw new OtaContainerError(`${count} records cannot fit in the ${r.remaining} bytes left`);
  const records: RecordHeader[] = [];
  let modelLength = skeleton.length;
  let skelPos = 0;
  let outPos = 0;
  for (let k = 0; k < count; k++) {
    const rec = readRecordHeader(r, k);
    modelLength += rec.length;
    if (modelLength > maxBytes)
      throw new OtaContainerError(`record ${k} makes the model longer than ${maxBytes} bytes`);
    if (rec.offset < outPos) throw new OtaContainerError(`record ${k} offset ${rec.offset} goes backwards`);
    const take = rec.offset - outPos;
    if (skelPos + take > skeleton.length)
      throw new OtaContainerError(`record ${k} offset ${rec.offset} beyond skeleton`);
    skelPos += take;
    outPos = rec.offset + rec.length;
    records.push({ ...rec, cut: skelPos });
  }
  if (r.remaining !== 0) throw new OtaContainerError(`${r.remaining} trailing bytes after the last record`);
  if (opts.modelBytes !== undefined && modelLength !== opts.modelBytes)
    throw new OtaContainerError(`the container makes a ${modelLength}-byte model, expected ${opts.modelBytes}`);
  const out = new Uint8Array(modelLength);
  placeSkeleton(out, skeleton, records);
  records.forEach((rec, k) => decodeRecord(new Int8Array(out.buffer, rec.offset, rec.length), rec, k));
  return out;
}

/** Skeleton byte s lands at s + the lengths of the records cut in at or before s. */
function placeSkeleton(out: Uint8Array, skeleton: SkeletonHeader, records: RecordHeader[]): void {
  if ('raw' in skeleton) {
    let s = 0;
    let o = 0;
    for (const rec of records) {
      out.set(skeleton.raw.subarray(s, rec.cut), o);
      s = rec.cut;
      o = rec.offset + rec.length;
    }
    out.set(skeleton.raw.subarray(s), o);
    return;
  }
  const decoder = new HuffmanDecoder(skeleton.block, OtaContainerError);
  let k = 0;
  let shift = 0;
  let s = 0;
  for (let i = 0; i < skeleton.tokens; i++) {
    const t = decoder.next();
    const n = t >= RUN_BASE ? t - RUN_BASE + 2 : 1;
    if (s + n > skeleton.length) throw new OtaContainerError('skeleton tokens make more bytes than declared');
    if (t < RUN_BASE) {
      while (k < records.length && records[k]!.cut <= s) shift += records[k++]!.length;
      out[s + shift] = t;
    } // a zero run writes nothing: the model starts zeroed
    s += n;
  }
  if (s !== skeleton.length) throw new OtaContainerError(`skeleton is ${s} bytes, declared ${skeleton.length}`);
  decoder.finish();
}

function decodeRecord(weights: Int8Array, rec: RecordHeader, k: number): void {
  const values = new HuffmanDecoder(rec.values, OtaContainerError);
  if (!rec.sparse) {
    for (let i = 0; i < weights.length; i++) weights[i] = rec.codebook[values.next()]!;
  } else {
    const gaps = new HuffmanDecoder(rec.sparse.gaps, OtaContainerError);
    let p = 0;
    for (let i = 0; i < rec.sparse.pairs; i++) {
      p += gaps.next();
      if (p >= weights.length) throw new OtaContainerError(`sparse index out of range in record ${k}`);
      weights[p] = rec.codebook[values.next()]!;
      p++;
    }
    gaps.finish();
  }
  values.finish();
}

export function isOtaContainer(bytes: Uint8Array): boolean {
  return bytes.length >= 5 && MAGIC.every((m, i) => bytes[i] === m);
}
