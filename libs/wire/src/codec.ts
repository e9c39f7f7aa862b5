/**
 * The single place cbor-x is configured. Everything else in the library goes through
 * `encodeCbor` / `decodeCbor`.
 *
 * Decoding is two-stage on purpose:
 *  1. `scanProfile` walks the raw bytes with a tiny hand-written parser and rejects anything outside
 *     the tinyfleet CBOR profile (tags, indefinite lengths, floats, undefined/simple values, non-shortest
 *     heads, invalid UTF-8, trailing bytes, too many items, too deep). cbor-x registers global tag
 *     extensions (Date, RegExp, typed arrays, records, shared refs, tag 27 "generic object" that calls
 *     constructors by name, ...) that cannot be switched off per decoder, so the only safe way to use it
 *     on untrusted input is to never let it see a tag.
 *  2. cbor-x decodes the (now known to be plain, small, bounded) bytes.
 *
 * Size limits: cbor-x only offers process-global `setSizeLimits`, which would silently change
 * behaviour for every other cbor-x user in the process. The scanner enforces stricter per-call limits
 * instead (MAX_CONTAINER_ITEMS, MAX_NESTING_DEPTH, MAX_STRING_BYTES) plus the caller's byte limit,
 * checked before parsing.
 */
import { Encoder, FLOAT32_OPTIONS, type Options } from 'cbor-x';
import { WireError } from './errors';

/** No v1 message has a container with more than 18 entries; 64 leaves room and bounds allocations. */
export const MAX_CONTAINER_ITEMS = 64;
/** v1 nests at most 3 levels (status → slots → slot); anything deeper is hostile. */
export const MAX_NESTING_DEPTH = 8;
/**
 * Longest byte or text string any v1 message carries: the data of one down/ota-chunk (4096 bytes).
 * Every other string is ≤ 128 bytes and each message's own maxBytes (≤ 4224) bounds it far more
 * tightly; this cap only makes the scanner's own bound explicit, independent of the caller's limit.
 */
export const MAX_STRING_BYTES = 4096;

const CBOR_OPTIONS: Options & { int64AsNumber: boolean } = {
  useRecords: false, // no tag-105 record structures: every message is a plain array
  structuredClone: false, // no shared-reference / cycle tags
  pack: false, // no packed-value tags
  bundleStrings: false, // no string-bundle tags
  sequential: false,
  mapsAsObjects: false, // maps decode to Map: never a plain object, so no __proto__ games
  tagUint8Array: false, // sha256 etc. are bare byte strings (major type 2), not tag 64
  useFloat32: FLOAT32_OPTIONS.NEVER,
  largeBigIntToFloat: false,
  useSelfDescribedHeader: false,
  copyBuffers: true, // decoded byte strings must not alias the caller's buffer
  int64AsNumber: true, // 8-byte ints decode as number; the schema layer rejects > 2^53-1
};

const cbor = new Encoder(CBOR_OPTIONS);

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Integers beyond 32 bits (above 2^32-1, or below -2^32) must be given to cbor-x as BigInt: for a
 * large `number` it emits a float64, which a C decoder on the device side would not accept as an
 * integer. The schema layer calls this.
 */
export function toWireInt(value: number): number | bigint {
  return value > 0xffffffff || value < -0x100000000 ? BigInt(value) : value;
}

/** Encode an already-validated wire value. Returns a plain Uint8Array copy (never a Node Buffer). */
export function encodeCbor(value: unknown): Uint8Array {
  let out: Uint8Array;
  try {
    out = cbor.encode(value);
  } catch (error) {
    throw new WireError('schema', `cannot encode value: ${describeError(error)}`);
  }
  // Copy: cbor-x hands out views into its shared scratch buffer (and Buffers in Node).
  return new Uint8Array(out);
}

/**
 * Decode untrusted bytes into a plain JS value made only of: safe-ish numbers, strings, Uint8Array
 * (byte strings), arrays, Maps, booleans and null. Throws WireError only.
 */
export function decodeCbor(bytes: Uint8Array, maxBytes: number): unknown {
  if (!(bytes instanceof Uint8Array)) {
    throw new WireError('malformed', 'payload is not a Uint8Array');
  }
  if (bytes.length > maxBytes) {
    throw new WireError('oversized', `payload is ${bytes.length} bytes, limit is ${maxBytes}`);
  }
  scanProfile(bytes);
  try {
    return normalise(cbor.decode(bytes));
  } catch (error) {
    throw new WireError('malformed', `cbor decode failed: ${describeError(error)}`);
  }
}

/** Node's cbor-x returns Buffers for byte strings; the public API promises plain Uint8Array. */
function normalise(value: unknown): unknown {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map(normalise);
  return value;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function malformed(message: string, offset: number): WireError {
  return new WireError('malformed', `${message} at byte ${offset}`);
}

/**
 * Validates that `bytes` is exactly one data item of the tinyfleet CBOR profile (RFC 8949
 * "preferred serialization" of definite-length items, no tags, no floats, simple values only
 * false/true/null). Linear in the input and bounded by the byte limit checked before.
 */
export function scanProfile(bytes: Uint8Array): void {
  let pos = 0;
  const end = bytes.length;

  const need = (n: number, at: number): void => {
    if (end - pos < n) throw malformed('unexpected end of input', at);
  };

  const readArgument = (ai: number, at: number): number => {
    if (ai < 24) return ai;
    switch (ai) {
      case 24: {
        need(1, at);
        const v = bytes[pos++]!;
        if (v < 24) throw malformed('non-shortest integer/length encoding', at);
        return v;
      }
      case 25: {
        need(2, at);
        const v = (bytes[pos]! << 8) | bytes[pos + 1]!;
        pos += 2;
        if (v < 0x100) throw malformed('non-shortest integer/length encoding', at);
        return v;
      }
      case 26: {
        need(4, at);
        const v = bytes[pos]! * 0x1000000 + ((bytes[pos + 1]! << 16) | (bytes[pos + 2]! << 8) | bytes[pos + 3]!);
        pos += 4;
        if (v < 0x10000) throw malformed('non-shortest integer/length encoding', at);
        return v;
      }
      case 27: {
        need(8, at);
        const hi = bytes[pos]! * 0x1000000 + ((bytes[pos + 1]! << 16) | (bytes[pos + 2]! << 8) | bytes[pos + 3]!);
        const lo = bytes[pos + 4]! * 0x1000000 + ((bytes[pos + 5]! << 16) | (bytes[pos + 6]! << 8) | bytes[pos + 7]!);
        pos += 8;
        if (hi === 0) throw malformed('non-shortest integer/length encoding', at);
        // May be inexact above 2^53; only used for range checks and "too long" rejections.
        return hi * 0x100000000 + lo;
      }
      case 31:
        throw malformed('indefinite-length items are not allowed', at);
      default:
        throw malformed(`reserved additional information ${ai}`, at);
    }
  };

  const item = (depth: number): void => {
    const at = pos;
    need(1, at);
    const initial = bytes[pos++]!;
    const major = initial >> 5;
    const ai = initial & 0x1f;
    if (major === 7) {
      // false, true, null only: no floats (NaN/-0/rounding games), no undefined, no simple values.
      if (ai === 20 || ai === 21 || ai === 22) return;
      throw malformed(
        ai >= 25 && ai <= 27 ? 'floating-point values are not allowed' : `simple value ${ai} is not allowed`,
        at,
      );
    }
    if (major === 6) throw malformed('CBOR tags are not allowed', at);
    const arg = readArgument(ai, at);
    switch (major) {
      case 0:
      case 1:
        return;
      case 2:
      case 3: {
        if (arg > MAX_STRING_BYTES) throw malformed(`string of ${arg} bytes, limit ${MAX_STRING_BYTES}`, at);
        if (arg > end - pos) throw malformed('string longer than remaining input', at);
        if (major === 3) {
          try {
            fatalUtf8.decode(bytes.subarray(pos, pos + arg));
          } catch {
            throw malformed('text string is not valid UTF-8', at);
          }
        }
        pos += arg;
        return;
      }
      case 4:
      case 5: {
        const count = major === 4 ? arg : arg * 2;
        if (arg > MAX_CONTAINER_ITEMS)
          throw malformed(`container has ${arg} entries, limit ${MAX_CONTAINER_ITEMS}`, at);
        if (count > end - pos) throw malformed('container longer than remaining input', at);
        if (depth + 1 > MAX_NESTING_DEPTH) throw malformed(`nesting deeper than ${MAX_NESTING_DEPTH}`, at);
        for (let i = 0; i < count; i++) item(depth + 1);
        return;
      }
    }
  };

  item(0);
  if (pos !== end) throw malformed(`${end - pos} trailing byte(s) after the message`, pos);
}
