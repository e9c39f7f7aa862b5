/**
 * A bounds-checked FlexBuffers decoder for operators' `custom_options` (TFLM's signal-library ops keep their
 * parameters there as a FlexBuffers map). It decodes the whole value tree once, at prepare time, into plain JS
 * values; every offset, width and count is checked first, so a corrupted buffer raises FlexbufferError (a
 * ModelFormatError) instead of reading out of bounds, throwing RangeError, recursing without end or looping.
 *
 * Format (flatbuffers' flexbuffers.h): the last byte is the root's byte width, the byte before it the root's
 * packed type (`type << 2 | log2(bit width / 8)`); inline scalars use their parent's width, everything else is
 * an unsigned back-offset to data whose vectors carry their length just before the first element.
 */
import { ModelFormatError } from '../errors';

export class FlexbufferError extends ModelFormatError {
  constructor(message: string) {
    super(`custom options (flexbuffer): ${message}`);
    this.name = 'FlexbufferError';
  }
}

export type FlexValue = null | number | boolean | string | Uint8Array | FlexValue[] | FlexMap;
export interface FlexMap {
  [key: string]: FlexValue;
}

/** Far above what any operator's options need; bounds the work a hostile buffer can cause. */
const MAX_DEPTH = 32;
const MAX_ELEMENTS = 1 << 16;

// Type codes of flexbuffers.h.
const NULL = 0;
const INT = 1;
const UINT = 2;
const FLOAT = 3;
const KEY = 4;
const STRING = 5;
const INDIRECT_INT = 6;
const INDIRECT_UINT = 7;
const INDIRECT_FLOAT = 8;
const MAP = 9;
const VECTOR = 10;
const VECTOR_INT = 11;
const VECTOR_FLOAT = 13;
const VECTOR_KEY = 14;
const VECTOR_INT2 = 16;
const VECTOR_FLOAT4 = 24;
const BLOB = 25;
const BOOL = 26;
const VECTOR_BOOL = 36;

export function readFlexbuffer(bytes: Uint8Array): FlexValue {
  if (!(bytes instanceof Uint8Array)) throw new FlexbufferError('expected bytes');
  if (bytes.length < 3) throw new FlexbufferError(`${bytes.length} bytes is too short`);
  const reader = new Reader(bytes);
  const rootWidth = bytes[bytes.length - 1];
  checkWidth(rootWidth, 'root');
  const rootPos = bytes.length - 2 - rootWidth;
  if (rootPos < 0) throw new FlexbufferError('root outside the buffer');
  return reader.value(rootPos, rootWidth, bytes[bytes.length - 2], 0);
}

/** Decodes a buffer whose root must be a map (the form every TFLM custom op uses). */
export function readFlexbufferMap(bytes: Uint8Array): FlexMap {
  const root = readFlexbuffer(bytes);
  if (root === null || typeof root !== 'object' || Array.isArray(root) || root instanceof Uint8Array)
    throw new FlexbufferError('root is not a map');
  return root;
}

function checkWidth(width: number, what: string): void {
  if (width !== 1 && width !== 2 && width !== 4 && width !== 8)
    throw new FlexbufferError(`${what} byte width ${width} (expected 1, 2, 4 or 8)`);
}

class Reader {
  private readonly view: DataView;
  private elements = 0;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private ensure(pos: number, length: number, what: string): void {
    if (!(pos >= 0 && length >= 0 && pos + length <= this.bytes.length))
      throw new FlexbufferError(`${what} out of bounds (offset ${pos}, ${length} bytes, buffer ${this.bytes.length})`);
  }

  uint(pos: number, width: number): number {
    this.ensure(pos, width, 'value');
    switch (width) {
      case 1:
        return this.view.getUint8(pos);
      case 2:
        return this.view.getUint16(pos, true);
      case 4:
        return this.view.getUint32(pos, true);
      default: {
        const hi = this.view.getUint32(pos + 4, true);
        if (hi >= 0x200000) throw new FlexbufferError(`64-bit unsigned value beyond 2^53 at ${pos}`);
        return hi * 4294967296 + this.view.getUint32(pos, true);
      }
    }
  }

  int(pos: number, width: number): number {
    this.ensure(pos, width, 'value');
    switch (width) {
      case 1:
        return this.view.getInt8(pos);
      case 2:
        return this.view.getInt16(pos, true);
      case 4:
        return this.view.getInt32(pos, true);
      default: {
        const hi = this.view.getInt32(pos + 4, true);
        if (hi >= 0x200000 || hi < -0x200000) throw new FlexbufferError(`64-bit integer beyond 2^53 at ${pos}`);
        return hi * 4294967296 + this.view.getUint32(pos, true);
      }
    }
  }

  float(pos: number, width: number): number {
    this.ensure(pos, width, 'value');
    if (width === 4) return this.view.getFloat32(pos, true);
    if (width === 8) return this.view.getFloat64(pos, true);
    throw new FlexbufferError(`float of ${width} bytes at ${pos}`);
  }

  /** Follows the unsigned back-offset stored at `pos`. */
  indirect(pos: number, width: number): number {
    const offset = this.uint(pos, width);
    const target = pos - offset;
    if (target < 0 || target >= this.bytes.length)
      throw new FlexbufferError(`offset ${offset} at ${pos} leaves buffer`);
    return target;
  }

  /** Length prefix of a vector at `pos`, checked against the bytes its elements need. */
  private length(pos: number, width: number, bytesPerElement: number): number {
    const n = this.uint(pos - width, width);
    this.ensure(pos, n * bytesPerElement, 'vector');
    this.elements += n;
    if (this.elements > MAX_ELEMENTS) throw new FlexbufferError(`more than ${MAX_ELEMENTS} elements`);
    return n;
  }

  private cString(pos: number): string {
    let end = pos;
    while (end < this.bytes.length && this.bytes[end] !== 0) end++;
    if (end >= this.bytes.length) throw new FlexbufferError(`unterminated key at ${pos}`);
    return utf8(this.bytes.subarray(pos, end));
  }

  value(pos: number, parentWidth: number, packedType: number, depth: number): FlexValue {
    if (depth > MAX_DEPTH) throw new FlexbufferError(`nested deeper than ${MAX_DEPTH}`);
    const type = packedType >> 2;
    const width = 1 << (packedType & 3);
    switch (type) {
      case NULL:
        return null;
      case INT:
        return this.int(pos, parentWidth);
      case UINT:
        return this.uint(pos, parentWidth);
      case FLOAT:
        return this.float(pos, parentWidth);
      case BOOL:
        return this.uint(pos, parentWidth) !== 0;
      case INDIRECT_INT:
        return this.int(this.indirect(pos, parentWidth), width);
      case INDIRECT_UINT:
        return this.uint(this.indirect(pos, parentWidth), width);
      case INDIRECT_FLOAT:
        return this.float(this.indirect(pos, parentWidth), width);
      case KEY:
        return this.cString(this.indirect(pos, parentWidth));
      case STRING:
      case BLOB: {
        const start = this.indirect(pos, parentWidth);
        const n = this.length(start, width, 1);
        const data = this.bytes.slice(start, start + n);
        return type === STRING ? utf8(data) : data;
      }
      case MAP:
        return this.map(this.indirect(pos, parentWidth), width, depth);
      case VECTOR: {
        const start = this.indirect(pos, parentWidth);
        const n = this.length(start, width, width + 1);
        const out: FlexValue[] = [];
        for (let i = 0; i < n; i++)
          out.push(this.value(start + i * width, width, this.bytes[start + n * width + i], depth + 1));
        return out;
      }
      default:
        return this.typedVector(type, this.indirect(pos, parentWidth), width);
    }
  }

  private map(start: number, width: number, depth: number): FlexMap {
    const n = this.length(start, width, width + 1);
    const keysField = start - 3 * width;
    const keysStart = this.indirect(keysField, width);
    const keysWidth = this.uint(start - 2 * width, width);
    checkWidth(keysWidth, 'map keys');
    if (this.uint(keysStart - keysWidth, keysWidth) !== n) throw new FlexbufferError('map has more values than keys');
    this.ensure(keysStart, n * keysWidth, 'map keys');
    // A null-prototype object: keys such as "__proto__" stay plain data.
    const out = Object.create(null) as FlexMap;
    for (let i = 0; i < n; i++) {
      const key = this.cString(this.indirect(keysStart + i * keysWidth, keysWidth));
      out[key] = this.value(start + i * width, width, this.bytes[start + n * width + i], depth + 1);
    }
    return out;
  }

  private typedVector(type: number, start: number, width: number): FlexValue[] {
    let elementType: number;
    let n: number;
    if ((type >= VECTOR_INT && type <= VECTOR_KEY) || type === VECTOR_BOOL) {
      elementType = type === VECTOR_BOOL ? BOOL : type - VECTOR_INT + INT;
      n = this.length(start, width, width);
    } else if (type >= VECTOR_INT2 && type <= VECTOR_FLOAT4) {
      elementType = ((type - VECTOR_INT2) % 3) + INT;
      n = Math.floor((type - VECTOR_INT2) / 3) + 2;
      this.ensure(start, n * width, 'fixed vector');
    } else {
      throw new FlexbufferError(`unknown type ${type}`);
    }
    if (type === VECTOR_FLOAT && width < 4) throw new FlexbufferError(`float vector of ${width}-byte elements`);
    const out: FlexValue[] = [];
    for (let i = 0; i < n; i++) {
      const p = start + i * width;
      if (elementType === INT) out.push(this.int(p, width));
      else if (elementType === UINT) out.push(this.uint(p, width));
      else if (elementType === FLOAT) out.push(this.float(p, width));
      else if (elementType === BOOL) out.push(this.uint(p, width) !== 0);
      else out.push(this.cString(this.indirect(p, width)));
    }
    return out;
  }
}

const decoder = new TextDecoder('utf-8');
function utf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
