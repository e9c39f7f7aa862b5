/**
 * A compact, stable identity for the set of kernels a device build registers, for its status message and for
 * admission: a bitset over OP_CODES (append-only: a code's bit never moves), then, for ops registered for some
 * types only, a 16-bit mask over OP_SET_DTYPES (append-only too). Encoded as `ops1.` + base64url.
 *
 * Byte layout (little-endian bit order within bytes): [version=1] [n = bitset bytes] [op bitset: n bytes]
 * [restricted bitset: n bytes] [one uint16 LE dtype mask per restricted op, in code order].
 */

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

/** Encodes an op set; the result does not depend on entry order or duplicates. */
export function encodeOpSet(entries: readonly OpSetEntry[]): string {
  const types = new Map<number, number>();
  for (const e of entries) {
    const code = codeOf(e.op);
    let mask = 0;
    for (const t of e.types ?? []) {
      const bit = OP_SET_DTYPES.indexOf(t);
      if (bit < 0) throw new OpSetFormatError(`type ${t} of ${e.op} has no bit in OP_SET_DTYPES`);
      mask |= 1 << bit;
    }
    // Registering an op twice widens it: any-type (0) wins, otherwise the masks combine.
    const prev = types.get(code);
    types.set(code, prev === undefined ? mask : prev === 0 || mask === 0 ? 0 : prev | mask);
  }
  const maxCode = Math.max(-1, ...types.keys());
  const n = (maxCode >> 3) + 1;
  const restricted = [...types.entries()].filter(([, m]) => m !== 0).sort((a, b) => a[0] - b[0]);
  const bytes = new Uint8Array(2 + 2 * n + 2 * restricted.length);
  bytes[0] = VERSION;
  bytes[1] = n;
  for (const code of types.keys()) bytes[2 + (code >> 3)] |= 1 << (code & 7);
  restricted.forEach(([code, mask], k) => {
    bytes[2 + n + (code >> 3)] |= 1 << (code & 7);
    bytes[2 + 2 * n + 2 * k] = mask & 0xff;
    bytes[2 + 2 * n + 2 * k + 1] = mask >> 8;
  });
  return PREFIX + toBase64Url(bytes);
}

/** Decodes an op-set identity; throws OpSetFormatError on anything malformed or unknown. */
export function decodeOpSet(id: string): OpSetEntry[] {
  if (!id.startsWith(PREFIX)) throw new OpSetFormatError(`op set id must start with ${PREFIX}`);
  const bytes = fromBase64Url(id.slice(PREFIX.length));
  if (bytes.length < 2 || bytes[0] !== VERSION) throw new OpSetFormatError('unknown op set version');
  const n = bytes[1];
  if (bytes.length < 2 + 2 * n) throw new OpSetFormatError('op set id truncated');
  const entries: OpSetEntry[] = [];
  let k = 0;
  for (let code = 0; code < 8 * n; code++) {
    const present = (bytes[2 + (code >> 3)] >> (code & 7)) & 1;
    const restricted = (bytes[2 + n + (code >> 3)] >> (code & 7)) & 1;
    if (restricted && !present) throw new OpSetFormatError(`type mask for absent op code ${code}`);
    if (!present) continue;
    if (code >= OP_CODES.length) throw new OpSetFormatError(`op code ${code} unknown to this version`);
    if (!restricted) {
      entries.push({ op: OP_CODES[code] });
      continue;
    }
    const at = 2 + 2 * n + 2 * k++;
    if (at + 1 >= bytes.length) throw new OpSetFormatError('op set id truncated');
    const mask = bytes[at] | (bytes[at + 1] << 8);
    if (mask === 0 || mask >> OP_SET_DTYPES.length !== 0) throw new OpSetFormatError(`bad type mask ${mask}`);
    entries.push({ op: OP_CODES[code], types: OP_SET_DTYPES.filter((_, bit) => (mask >> bit) & 1) });
  }
  if (2 + 2 * n + 2 * k !== bytes.length) throw new OpSetFormatError('op set id has trailing bytes');
  return entries;
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
