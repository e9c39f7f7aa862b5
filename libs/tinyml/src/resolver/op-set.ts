/**
 * A compact, stable identity for the set of kernels a device build registers, for its status message and for
 * admission: a bitset over OP_CODES (append-only: a code's bit never moves), then, for ops registered for some
 * types only, a 16-bit mask over OP_SET_DTYPES (append-only too). Encoded as `ops1.` + base64url.
 *
 * Byte layout (little-endian bit order within bytes): [version=1] [n = bitset bytes] [op bitset: n bytes]
 * [restricted bitset: n bytes] [one uint16 LE dtype mask per restricted op, in code order].
 */
import { sha256 } from './sha256';

/** Append-only: new ops go at the end, never reorder or remove (a device in the field encodes by index). */
export const OP_CODES: readonly string[] = [
  'ADD',
  'AVERAGE_POOL_2D',
  'CAST',
  'CONCATENATION',
  'CONV_2D',
  'DEPTHWISE_CONV_2D',
  'DEQUANTIZE',
  'FULLY_CONNECTED',
  'LOGISTIC',
  'MAX_POOL_2D',
  'MAXIMUM',
  'MEAN',
  'MINIMUM',
  'MUL',
  'PAD',
  'PADV2',
  'QUANTIZE',
  'RELU',
  'RELU6',
  'RESHAPE',
  'SOFTMAX',
  'SQUEEZE',
  'STRIDED_SLICE',
  'SUB',
  'TANH',
  'UNIDIRECTIONAL_SEQUENCE_LSTM',
  'SVDF',
  'CUSTOM:SignalWindow',
  'CUSTOM:SignalFftAutoScale',
  'CUSTOM:SignalRfft',
  'CUSTOM:SignalEnergy',
  'CUSTOM:SignalFilterBank',
  'CUSTOM:SignalFilterBankSquareRoot',
  'CUSTOM:SignalFilterBankSpectralSubtraction',
  'CUSTOM:SignalPCAN',
  'CUSTOM:SignalFilterBankLog',
  'DIV',
  'LEAKY_RELU',
  'TRANSPOSE_CONV',
  'TRANSPOSE',
  'GATHER',
  'PACK',
  'UNPACK',
  'SPLIT',
  'SPLIT_V',
  'SLICE',
  'EXPAND_DIMS',
  'SHAPE',
  'FILL',
  'ZEROS_LIKE',
  'BROADCAST_TO',
  'BROADCAST_ARGS',
  'GATHER_ND',
  'BATCH_TO_SPACE_ND',
  'SPACE_TO_BATCH_ND',
  'DEPTH_TO_SPACE',
  'SPACE_TO_DEPTH',
  'MIRROR_PAD',
  'RESIZE_NEAREST_NEIGHBOR',
  'RESIZE_BILINEAR',
  'SELECT_V2',
  'ARG_MAX',
  'ARG_MIN',
  'CUMSUM',
  'EMBEDDING_LOOKUP',
  'L2_POOL_2D',
  'BATCH_MATMUL',
  'ABS',
  'NEG',
  'SQUARE',
  'SQRT',
  'RSQRT',
  'CEIL',
  'FLOOR',
  'ROUND',
  'EXP',
  'LOGICAL_NOT',
  'EQUAL',
  'NOT_EQUAL',
  'GREATER',
  'GREATER_EQUAL',
  'LESS',
  'LESS_EQUAL',
  'LOGICAL_AND',
  'LOGICAL_OR',
  'FLOOR_DIV',
  'FLOOR_MOD',
  'SUM',
  'REDUCE_MAX',
  'ELU',
  'SQUARED_DIFFERENCE',
  'ADD_N',
  'PRELU',
  'HARD_SWISH',
  'IF',
  'WHILE',
  'CALL_ONCE',
  'VAR_HANDLE',
  'READ_VARIABLE',
  'ASSIGN_VARIABLE',
  'CUSTOM:TFLite_Detection_PostProcess',
  'CUSTOM:SignalFramer',
  'CUSTOM:SignalStacker',
  'CUSTOM:SignalDelay',
  'CUSTOM:SignalOverlapAdd',
  'CUSTOM:SignalIrfft',
  'CUSTOM:CIRCULAR_BUFFER',
  'LOG',
  'SIN',
  'COS',
  'LOG_SOFTMAX',
  'L2_NORMALIZATION',
];

/** Append-only list of tensor types a registration can be restricted to (bit k = OP_SET_DTYPES[k]). */
export const OP_SET_DTYPES: readonly string[] = [
  'int8',
  'float32',
  'int16',
  'int32',
  'uint8',
  'bool',
  'int64',
  'uint16',
  'uint32',
  'uint64',
  // A registration for int4 filters (FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D; TFLM's *_INT4 variants).
  'int4',
];

/** One registered op; `types` absent = every type the kernel supports. */
export interface OpSetEntry {
  op: string;
  types?: readonly string[];
}

const PREFIX = 'ops1.';
const VERSION = 1;

export class OpSetFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpSetFormatError';
  }
}

function codeOf(op: string): number {
  const code = OP_CODES.indexOf(op);
  if (code < 0) throw new OpSetFormatError(`op ${op} has no code in OP_CODES (append it there first)`);
  return code;
}

/** Op code -> uint16 type mask (0 = every type): the op set as the wire carries it, before names. */
type CodeMasks = Map<number, number>;

function toCodeMasks(entries: readonly OpSetEntry[]): CodeMasks {
  const masks: CodeMasks = new Map();
  for (const e of entries) {
    const code = codeOf(e.op);
    if (e.types?.length === 0) throw new OpSetFormatError(`${e.op} is registered for no type`);
    let mask = 0;
    for (const t of e.types ?? []) {
      const bit = OP_SET_DTYPES.indexOf(t);
      if (bit < 0) throw new OpSetFormatError(`type ${t} of ${e.op} has no bit in OP_SET_DTYPES`);
      mask |= 1 << bit;
    }
    // Registering an op twice widens it: any-type (0) wins, otherwise the masks combine.
    const prev = masks.get(code);
    masks.set(code, prev === undefined ? mask : prev === 0 || mask === 0 ? 0 : prev | mask);
  }
  return masks;
}

/** The canonical layout: the shortest bitsets that hold the highest code, masks in code order. */
function layout(masks: CodeMasks): Uint8Array {
  const maxCode = Math.max(-1, ...masks.keys());
  const n = (maxCode >> 3) + 1;
  const restricted = [...masks.entries()].filter(([, m]) => m !== 0).sort((a, b) => a[0] - b[0]);
  const bytes = new Uint8Array(2 + 2 * n + 2 * restricted.length);
  bytes[0] = VERSION;
  bytes[1] = n;
  for (const code of masks.keys()) bytes[2 + (code >> 3)] |= 1 << (code & 7);
  restricted.forEach(([code, mask], k) => {
    bytes[2 + n + (code >> 3)] |= 1 << (code & 7);
    bytes[2 + 2 * n + 2 * k] = mask & 0xff;
    bytes[2 + 2 * n + 2 * k + 1] = mask >> 8;
  });
  return bytes;
}

/** Structure only (version, lengths, masks present exactly for restricted ops); codes and type bits unchecked. */
function parse(bytes: Uint8Array): CodeMasks {
  if (bytes.length < 2 || bytes[0] !== VERSION) throw new OpSetFormatError('unknown op set version');
  const n = bytes[1];
  if (bytes.length < 2 + 2 * n) throw new OpSetFormatError('op set truncated');
  const masks: CodeMasks = new Map();
  let k = 0;
  for (let code = 0; code < 8 * n; code++) {
    const present = (bytes[2 + (code >> 3)] >> (code & 7)) & 1;
    const restricted = (bytes[2 + n + (code >> 3)] >> (code & 7)) & 1;
    if (restricted && !present) throw new OpSetFormatError(`type mask for absent op code ${code}`);
    if (!present) continue;
    if (!restricted) {
      masks.set(code, 0);
      continue;
    }
    const at = 2 + 2 * n + 2 * k++;
    if (at + 1 >= bytes.length) throw new OpSetFormatError('op set truncated');
    const mask = bytes[at] | (bytes[at + 1] << 8);
    if (mask === 0) throw new OpSetFormatError(`empty type mask for op code ${code}`);
    masks.set(code, mask);
  }
  if (2 + 2 * n + 2 * k !== bytes.length) throw new OpSetFormatError('op set has trailing bytes');
  return masks;
}

/** A decoded op set; `unknownOps`/`unknownTypes` hold what a newer device registered that this version cannot name. */
export interface DecodedOpSet {
  entries: OpSetEntry[];
  /** Op codes past OP_CODES (tolerant mode only; strict mode throws). */
  unknownOps: number[];
  /** Per known op, type bits past OP_SET_DTYPES (tolerant mode only). */
  unknownTypes: Array<{ op: string; bits: number[] }>;
}

export interface DecodeOpSetOptions {
  /**
   * Skip op codes and type bits this version does not know instead of throwing: a device with newer firmware
   * registers ops the platform has no name for, and none of them can be one a model built here needs.
   * Malformed structure still throws.
   */
  tolerant?: boolean;
}

/** Encodes an op set to its wire bytes (canonical: independent of entry order and duplicates). */
export function encodeOpSetBytes(entries: readonly OpSetEntry[]): Uint8Array {
  return layout(toCodeMasks(entries));
}

/** Decodes wire bytes; throws OpSetFormatError on malformed structure and (unless tolerant) unknown codes/types. */
export function decodeOpSetBytes(bytes: Uint8Array, options: DecodeOpSetOptions = {}): DecodedOpSet {
  const out: DecodedOpSet = { entries: [], unknownOps: [], unknownTypes: [] };
  for (const [code, mask] of [...parse(bytes)].sort((a, b) => a[0] - b[0])) {
    if (code >= OP_CODES.length) {
      if (!options.tolerant) throw new OpSetFormatError(`op code ${code} unknown to this version`);
      out.unknownOps.push(code);
      continue;
    }
    const op = OP_CODES[code];
    if (mask === 0) {
      out.entries.push({ op });
      continue;
    }
    const unknownBits = [...Array(16).keys()].filter((bit) => bit >= OP_SET_DTYPES.length && (mask >> bit) & 1);
    if (unknownBits.length > 0) {
      if (!options.tolerant) throw new OpSetFormatError(`bad type mask ${mask} for ${op}`);
      out.unknownTypes.push({ op, bits: unknownBits });
    }
    // An op registered only for types this version cannot name keeps an empty list: present, runs nothing we build.
    out.entries.push({ op, types: OP_SET_DTYPES.filter((_, bit) => (mask >> bit) & 1) });
  }
  return out;
}

/**
 * A short stable id for display and grouping: `ops-` + the first 12 hex digits of the sha-256 of the canonical
 * bytes (unknown codes kept, bitsets shortened), so two devices that registered the same kernels show the same id
 * whatever bitset length their firmware chose. Throws OpSetFormatError on malformed structure.
 */
export function opSetId(bytes: Uint8Array): string {
  const digest = sha256(layout(parse(bytes)));
  return `ops-${[...digest.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Encodes an op set as text (`ops1.` + base64url of the wire bytes), e.g. for a config file or a log line. */
export function encodeOpSet(entries: readonly OpSetEntry[]): string {
  return PREFIX + toBase64Url(encodeOpSetBytes(entries));
}

/** Decodes the text form strictly; throws OpSetFormatError on anything malformed or unknown. */
export function decodeOpSet(id: string): OpSetEntry[] {
  if (!id.startsWith(PREFIX)) throw new OpSetFormatError(`op set id must start with ${PREFIX}`);
  return decodeOpSetBytes(fromBase64Url(id.slice(PREFIX.length))).entries;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const v = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    // Unpadded: r remaining bytes give r + 1 characters.
    const chars = Math.min(3, bytes.length - i) + 1;
    for (let c = 0; c < chars; c++) out += ALPHABET[(v >> (18 - 6 * c)) & 63];
  }
  return out;
}

function fromBase64Url(s: string): Uint8Array {
  if (s.length % 4 === 1 || !/^[A-Za-z0-9_-]*$/.test(s)) throw new OpSetFormatError('op set id is not base64url');
  const bytes = new Uint8Array(Math.floor((s.length * 6) / 8));
  let acc = 0;
  let bits = 0;
  let k = 0;
  for (const ch of s) {
    acc = (acc << 6) | ALPHABET.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[k++] = (acc >> bits) & 0xff;
    }
  }
  // Non-canonical encodings (stray low bits) would give one set two ids.
  if ((acc & ((1 << bits) - 1)) !== 0) throw new OpSetFormatError('op set id is not canonical base64url');
  return bytes;
}
