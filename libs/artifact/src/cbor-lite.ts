/**
 * The small, strict CBOR (RFC 8949) subset the device manifest uses, written out so that a device's
 * decoder and ours agree on every byte: unsigned and negative integers, byte and text strings,
 * arrays, null, and floats. Definite lengths only, shortest heads only, floats in the shortest of
 * float32/float64 that holds the value exactly (no float16, no NaN or infinities), no maps, no tags,
 * at most 8 levels, exactly one item. Every value therefore has exactly one encoding, which is what
 * lets a signature cover the bytes as sent.
 */

/**
 * A float item. Integers and floats are distinct items (1 and 1.0 have different encodings), so a
 * float is always wrapped, on the way in and on the way out: a schema says which one a field holds.
 */
export class CborFloat {
  constructor(readonly value: number) {}
}

/** A decoded item; plain numbers are integers. */
export type CborValue = number | CborFloat | Uint8Array | string | null | CborValue[];

export class CborError extends Error {
  override name = 'CborError';
}

const MAX_DEPTH = 8;
const MAX_LENGTH = 1 << 20;

export function encodeCbor(value: CborValue): Uint8Array {
  const out: number[] = [];
  write(out, value, 0);
  return Uint8Array.from(out);
}

function head(out: number[], major: number, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new CborError(`cannot encode ${n} as a CBOR argument`);
  const m = major << 5;
  if (n < 24) out.push(m | n);
  else if (n < 0x100) out.push(m | 24, n);
  else if (n < 0x10000) out.push(m | 25, n >> 8, n & 0xff);
  else if (n < 0x100000000) out.push(m | 26, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  else {
    const hi = Math.floor(n / 0x100000000);
    const lo = n >>> 0;
    out.push(m | 27, 0, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff);
    out.push(lo >>> 24, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff);
  }
}

function write(out: number[], value: CborValue, depth: number): void {
  if (depth > MAX_DEPTH) throw new CborError(`nesting deeper than ${MAX_DEPTH}`);
  if (value === null) out.push(0xf6);
  else if (value instanceof CborFloat) writeFloat(out, value.value);
  else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new CborError(`${value} is not an integer: wrap floats in CborFloat`);
    if (value >= 0) head(out, 0, value);
    else head(out, 1, -1 - value);
  } else if (typeof value === 'string') {
    const bytes = new TextEncoder().encode(value);
    head(out, 3, bytes.length);
    for (const b of bytes) out.push(b);
  } else if (value instanceof Uint8Array) {
    head(out, 2, value.length);
    for (const b of value) out.push(b);
  } else {
    head(out, 4, value.length);
    for (const item of value) write(out, item, depth + 1);
  }
}

function writeFloat(out: number[], value: number): void {
  if (!Number.isFinite(value)) throw new CborError(`cannot encode ${value}: only finite floats`);
  const v = value === 0 ? 0 : value; // -0 is encoded as 0: one encoding per value
  const view = new DataView(new ArrayBuffer(8));
  if (Math.fround(v) === v) {
    view.setFloat32(0, v);
    out.push(0xfa, ...new Uint8Array(view.buffer, 0, 4));
  } else {
    view.setFloat64(0, v);
    out.push(0xfb, ...new Uint8Array(view.buffer));
  }
}

/** Decodes exactly one item of the subset; anything else (trailing bytes included) is a CborError. */
export function decodeCbor(bytes: Uint8Array): CborValue {
  const r = { bytes, pos: 0, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  const value = read(r, 0);
  if (r.pos !== bytes.length) throw new CborError(`${bytes.length - r.pos} trailing bytes`);
  return value;
}

interface Reader {
  bytes: Uint8Array;
  pos: number;
  view: DataView;
}

function need(r: Reader, n: number): void {
  if (r.pos + n > r.bytes.length) throw new CborError(`truncated at byte ${r.pos}`);
}

function argument(r: Reader, info: number): number {
  if (info < 24) return info;
  const width = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
  if (width === 0) throw new CborError(`unsupported additional information ${info} at byte ${r.pos - 1}`);
  need(r, width);
  let n: number;
  if (width === 1) n = r.bytes[r.pos]!;
  else if (width === 2) n = r.view.getUint16(r.pos);
  else if (width === 4) n = r.view.getUint32(r.pos);
  else {
    const hi = r.view.getUint32(r.pos);
    if (hi > 0x1fffff) throw new CborError(`integer above 2^53-1 at byte ${r.pos - 1}`);
    n = hi * 0x100000000 + r.view.getUint32(r.pos + 4);
  }
  const shortest = width === 1 ? 24 : width === 2 ? 0x100 : width === 4 ? 0x10000 : 0x100000000;
  if (n < shortest) throw new CborError(`non-shortest head at byte ${r.pos - 1}`);
  r.pos += width;
  return n;
}

function read(r: Reader, depth: number): CborValue {
  if (depth > MAX_DEPTH) throw new CborError(`nesting deeper than ${MAX_DEPTH}`);
  need(r, 1);
  const initial = r.bytes[r.pos++]!;
  const major = initial >> 5;
  const info = initial & 31;
  switch (major) {
    case 0:
      return argument(r, info);
    case 1: {
      const n = argument(r, info);
      if (n >= Number.MAX_SAFE_INTEGER) throw new CborError(`integer below -2^53 at byte ${r.pos}`);
      return -1 - n;
    }
    case 2:
    case 3: {
      const n = argument(r, info);
      if (n > MAX_LENGTH) throw new CborError(`string of ${n} bytes is too long`);
      need(r, n);
      const raw = r.bytes.slice(r.pos, r.pos + n);
      r.pos += n;
      if (major === 2) return raw;
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(raw);
      } catch {
        throw new CborError(`invalid UTF-8 in a text string at byte ${r.pos - n}`);
      }
    }
    case 4: {
      const n = argument(r, info);
      if (n > r.bytes.length - r.pos) throw new CborError(`array of ${n} items cannot fit`);
      const items: CborValue[] = [];
      for (let i = 0; i < n; i++) items.push(read(r, depth + 1));
      return items;
    }
    case 7:
      return simple(r, info);
    default:
      throw new CborError(`major type ${major} is not allowed (no maps, no tags) at byte ${r.pos - 1}`);
  }
}

function simple(r: Reader, info: number): CborValue {
  if (info === 22) return null;
  if (info === 26) {
    need(r, 4);
    const v = r.view.getFloat32(r.pos);
    r.pos += 4;
    if (!Number.isFinite(v) || Object.is(v, -0)) throw new CborError('NaN, infinities and -0 are not allowed');
    return new CborFloat(v);
  }
  if (info === 27) {
    need(r, 8);
    const v = r.view.getFloat64(r.pos);
    r.pos += 8;
    if (!Number.isFinite(v) || Object.is(v, -0)) throw new CborError('NaN, infinities and -0 are not allowed');
    if (Math.fround(v) === v) throw new CborError('a float64 that float32 holds exactly (not the shortest form)');
    return new CborFloat(v);
  }
  throw new CborError(`simple value ${info} is not allowed (only null and float32/float64)`);
}
