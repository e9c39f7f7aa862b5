/**
 * Tiny schema combinators shared by every message. One description per field drives both
 * directions, so encode-side validation and decode-side validation cannot drift apart.
 *
 * `encode` takes an application value (unknown at runtime: callers may be untyped JS) and returns the
 * wire value handed to cbor-x; `decode` takes what cbor-x produced and returns the application value.
 * Both throw WireError('schema') with a dotted path naming the offending field.
 */
import { toWireInt } from './codec';
import { WireError } from './errors';

export interface FieldCodec<T> {
  encode(value: unknown, path: string): unknown;
  decode(wire: unknown, path: string): T;
}

export function schemaError(path: string, message: string): WireError {
  return new WireError('schema', `${path}: ${message}`);
}

export const UINT32_MAX = 0xffffffff;
export const SAFE_UINT_MAX = Number.MAX_SAFE_INTEGER;

function checkInt(value: unknown, path: string, min: number, max: number): number {
  // Number.isSafeInteger rejects NaN, ±Infinity, fractions, bigint and anything beyond 2^53-1.
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw schemaError(path, `expected an integer, got ${describe(value)}`);
  }
  if (value < min || value > max) throw schemaError(path, `${value} is outside ${min}..${max}`);
  // -0 is an integer but not a CBOR integer; normalise so encode(decode(x)) is stable.
  return value === 0 ? 0 : value;
}

export function int(min: number, max: number): FieldCodec<number> {
  return {
    encode: (value, path) => toWireInt(checkInt(value, path, min, max)),
    decode: (wire, path) => checkInt(wire, path, min, max),
  };
}

export const uint8 = int(0, 0xff);
export const int8 = int(-128, 127);
export const uint16 = int(0, 0xffff);
export const uint32 = int(0, UINT32_MAX);
/** Counters: JS can represent integers exactly only up to 2^53-1. */
export const uint53 = int(0, SAFE_UINT_MAX);
/**
 * The last instant a unix-ms timestamp may name: 8.64e15 ms = +275760-09-13T00:00:00Z, the end of
 * ECMAScript's Date range (PostgreSQL's timestamptz reaches further). A larger device clock value is
 * a schema error, because no platform read path could show it as a time.
 */
export const UNIX_MS_MAX = 8_640_000_000_000_000;
/** Unix-ms timestamps (device clocks): 0..UNIX_MS_MAX. */
export const unixMs = int(0, UNIX_MS_MAX);

/** Printable ASCII: every v1 string is an identifier/version, never free text. */
export const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
export const PRINTABLE_ASCII_NO_SPACE = /^[\x21-\x7e]*$/;
export const PROFILE_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** SemVer 2.0.0 (core + optional pre-release + build metadata); length is limited separately. */
export const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

function checkString(value: unknown, path: string, minLength: number, maxLength: number, pattern: RegExp): string {
  if (typeof value !== 'string') throw schemaError(path, `expected a string, got ${describe(value)}`);
  if (value.length < minLength || value.length > maxLength) {
    throw schemaError(path, `length ${value.length} is outside ${minLength}..${maxLength}`);
  }
  if (!pattern.test(value)) throw schemaError(path, `${JSON.stringify(value)} does not match ${pattern.source}`);
  return value;
}

/** Lengths are in characters; every pattern used is ASCII-only, so characters == bytes on the wire. */
export function str(minLength: number, maxLength: number, pattern: RegExp): FieldCodec<string> {
  return {
    encode: (value, path) => checkString(value, path, minLength, maxLength, pattern),
    decode: (wire, path) => checkString(wire, path, minLength, maxLength, pattern),
  };
}

function checkBytes(value: unknown, path: string, length: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw schemaError(path, `expected a Uint8Array, got ${describe(value)}`);
  if (value.length !== length) throw schemaError(path, `expected ${length} bytes, got ${value.length}`);
  // Always a fresh plain Uint8Array: no Buffer subclass leaks out, no aliasing of caller memory.
  return new Uint8Array(value);
}

export function fixedBytes(length: number): FieldCodec<Uint8Array> {
  return {
    encode: (value, path) => checkBytes(value, path, length),
    decode: (wire, path) => checkBytes(wire, path, length),
  };
}

function checkBytesRange(value: unknown, path: string, minLength: number, maxLength: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw schemaError(path, `expected a Uint8Array, got ${describe(value)}`);
  if (value.length < minLength || value.length > maxLength) {
    throw schemaError(path, `expected ${minLength}..${maxLength} bytes, got ${value.length}`);
  }
  return new Uint8Array(value);
}

/**
 * Variable-length byte string (CBOR major type 2), `minLength..maxLength` bytes. The decoder's
 * profile scanner caps every string at MAX_STRING_BYTES (4096) and the payload at the kind's limit
 * before this runs, so `maxLength` above 4096 would be unreachable on decode.
 */
export function bytes(minLength: number, maxLength: number): FieldCodec<Uint8Array> {
  return {
    encode: (value, path) => checkBytesRange(value, path, minLength, maxLength),
    decode: (wire, path) => checkBytesRange(wire, path, minLength, maxLength),
  };
}

export function nullable<T>(inner: FieldCodec<T>): FieldCodec<T | null> {
  return {
    encode: (value, path) => (value === null ? null : inner.encode(value, path)),
    decode: (wire, path) => (wire === null ? null : inner.decode(wire, path)),
  };
}

/**
 * String enumerations travel as their index (1 byte instead of up to 20). The order of `values` is
 * therefore part of the wire format: append-only is NOT allowed either (old decoders would reject),
 * a new value means a new message version.
 */
export function enumeration<T extends string>(values: readonly T[]): FieldCodec<T> {
  return {
    encode: (value, path) => {
      const index = values.indexOf(value as T);
      if (typeof value !== 'string' || index < 0) {
        throw schemaError(path, `expected one of ${values.join('|')}, got ${describe(value)}`);
      }
      return index;
    },
    decode: (wire, path) => {
      if (typeof wire !== 'number' || !Number.isSafeInteger(wire) || wire < 0 || wire >= values.length) {
        throw schemaError(path, `expected an enum code 0..${values.length - 1}, got ${describe(wire)}`);
      }
      return values[wire]!;
    },
  };
}

/** Fixed-length JS array <-> CBOR array of the same length. */
export function tuple<T>(inner: FieldCodec<T>, length: number): FieldCodec<T[]> {
  return {
    encode: (value, path) => {
      if (!Array.isArray(value) || value.length !== length) {
        throw schemaError(path, `expected an array of ${length}, got ${describe(value)}`);
      }
      // Array.from, not map: map skips holes of a sparse array and cbor-x would emit `undefined`.
      return Array.from(value, (v, i) => inner.encode(v, `${path}[${i}]`));
    },
    decode: (wire, path) => {
      if (!Array.isArray(wire) || wire.length !== length) {
        throw schemaError(path, `expected an array of ${length}, got ${describe(wire)}`);
      }
      return wire.map((v, i) => inner.decode(v, `${path}[${i}]`));
    },
  };
}

/** Variable-length JS array <-> CBOR array of `minLength..maxLength` items of one kind. */
export function list<T>(inner: FieldCodec<T>, minLength: number, maxLength: number): FieldCodec<T[]> {
  const check = (value: unknown, path: string): unknown[] => {
    if (!Array.isArray(value) || value.length < minLength || value.length > maxLength) {
      throw schemaError(path, `expected an array of ${minLength}..${maxLength}, got ${describe(value)}`);
    }
    return value;
  };
  return {
    // Array.from, not map: a hole in a sparse array must reach `inner` (and fail), not become `undefined`.
    encode: (value, path) => Array.from(check(value, path), (v, i) => inner.encode(v, `${path}[${i}]`)),
    decode: (wire, path) => check(wire, path).map((v, i) => inner.decode(v, `${path}[${i}]`)),
  };
}

/**
 * Cross-field rules (e.g. "chunkCount = ceil(transferBytes / chunkBytes)"). `check` runs after the
 * inner codec has validated every field, in both directions, so encode and decode enforce the same
 * invariant; it throws schemaError to reject.
 */
export function refine<T>(inner: FieldCodec<T>, check: (value: T, path: string) => void): FieldCodec<T> {
  return {
    encode: (value, path) => {
      const wire = inner.encode(value, path);
      check(value as T, path); // shape already validated by inner.encode
      return wire;
    },
    decode: (wire, path) => {
      const value = inner.decode(wire, path);
      check(value, path);
      return value;
    },
  };
}

export type RecordFields<T> = { readonly [K in keyof T]-?: FieldCodec<T[K]> };

/**
 * JS object <-> positional CBOR array. The order of `fields` (object insertion order) IS the wire
 * order. Unknown keys are rejected on encode (typos like `latencyMs` must not be silently dropped)
 * and the array length must match exactly on decode (no trailing extension slots in v1).
 */
export function record<T extends object>(
  fields: RecordFields<T>,
): FieldCodec<T> & { readonly keys: readonly (keyof T & string)[] } {
  const keys = Object.keys(fields) as (keyof T & string)[];
  const keySet = new Set<string>(keys);
  return {
    keys,
    encode: (value, path) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
        throw schemaError(path, `expected an object, got ${describe(value)}`);
      }
      for (const key of Object.keys(value)) {
        if (!keySet.has(key)) throw schemaError(`${path}.${key}`, 'unknown field');
      }
      const source = value as Record<string, unknown>;
      return keys.map((key) => {
        if (!Object.prototype.hasOwnProperty.call(source, key)) throw schemaError(`${path}.${key}`, 'missing field');
        return fields[key].encode(source[key], `${path}.${key}`);
      });
    },
    decode: (wire, path) => {
      if (!Array.isArray(wire) || wire.length !== keys.length) {
        throw schemaError(path, `expected an array of ${keys.length}, got ${describe(wire)}`);
      }
      const out = {} as T;
      keys.forEach((key, i) => {
        out[key] = fields[key].decode(wire[i], `${path}.${key}`);
      });
      return out;
    },
  };
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array(${value.length})`;
  if (value instanceof Uint8Array) return `bytes(${value.length})`;
  if (value instanceof Map) return `map(${value.size})`;
  if (typeof value === 'string') return `string(${value.length})`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return `${typeof value} ${String(value)}`;
  return typeof value;
}
