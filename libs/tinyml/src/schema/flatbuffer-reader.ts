/**
 * Bounds-checked access to flatbuffer tables on top of the `flatbuffers` runtime's ByteBuffer.
 * Every offset is validated before it is followed, so a corrupted file raises ModelFormatError
 * instead of reading garbage, throwing RangeError or looping.
 */
import { ByteBuffer } from 'flatbuffers';
import { ModelFormatError } from '../errors';

/** Upper bound for any vector length; TFLite files of TinyML size are far below it. */
export const MAX_VECTOR_LENGTH = 1 << 28;

export class FlatbufferReader {
  readonly bb: ByteBuffer;
  readonly size: number;

  constructor(readonly bytes: Uint8Array) {
    this.bb = new ByteBuffer(bytes);
    this.size = bytes.length;
  }

  ensure(offset: number, length: number, what: string): void {
    if (!(offset >= 0 && length >= 0 && offset + length <= this.size)) {
      throw new ModelFormatError(`${what} out of bounds (offset ${offset}, ${length} bytes, file ${this.size} bytes)`);
    }
  }

  u8(offset: number): number {
    return this.bb.readUint8(offset);
  }
  i8(offset: number): number {
    return this.bb.readInt8(offset);
  }
  u16(offset: number): number {
    return this.bb.readUint16(offset);
  }
  i32(offset: number): number {
    return this.bb.readInt32(offset);
  }
  u32(offset: number): number {
    return this.bb.readUint32(offset);
  }
  f32(offset: number): number {
    return this.bb.readFloat32(offset);
  }

  root(what: string): FbTable {
    this.ensure(0, 8, 'root offset');
    return this.tableAt(this.u32(0), what);
  }

  tableAt(pos: number, what: string): FbTable {
    this.ensure(pos, 4, `${what} table`);
    if (pos % 2 !== 0) throw new ModelFormatError(`${what} table misaligned at ${pos}`);
    const vtable = pos - this.i32(pos);
    this.ensure(vtable, 4, `${what} vtable`);
    const vtableBytes = this.u16(vtable);
    const objectBytes = this.u16(vtable + 2);
    if (vtableBytes < 4 || vtableBytes % 2 !== 0)
      throw new ModelFormatError(`${what} vtable size ${vtableBytes} invalid`);
    this.ensure(vtable, vtableBytes, `${what} vtable`);
    this.ensure(pos, objectBytes, `${what} object`);
    return new FbTable(this, pos, vtable, vtableBytes, objectBytes, what);
  }
}

/** One table; field ids are the declaration order in schema.fbs (a union takes two ids). */
export class FbTable {
  constructor(
    private readonly r: FlatbufferReader,
    readonly pos: number,
    private readonly vtable: number,
    private readonly vtableBytes: number,
    private readonly objectBytes: number,
    readonly what: string,
  ) {}

  /** Absolute position of a field's inline value, or 0 when absent. */
  private field(id: number, size: number): number {
    const slot = 4 + 2 * id;
    if (slot + 2 > this.vtableBytes) return 0;
    const rel = this.r.u16(this.vtable + slot);
    if (rel === 0) return 0;
    if (rel + size > this.objectBytes) throw new ModelFormatError(`${this.what} field ${id} outside its table`);
    return this.pos + rel;
  }

  has(id: number): boolean {
    return this.field(id, 1) !== 0;
  }
  i8(id: number, def = 0): number {
    const p = this.field(id, 1);
    return p === 0 ? def : this.r.i8(p);
  }
  u8(id: number, def = 0): number {
    const p = this.field(id, 1);
    return p === 0 ? def : this.r.u8(p);
  }
  bool(id: number, def = false): boolean {
    const p = this.field(id, 1);
    return p === 0 ? def : this.r.u8(p) !== 0;
  }
  i32(id: number, def = 0): number {
    const p = this.field(id, 4);
    return p === 0 ? def : this.r.i32(p);
  }
  u32(id: number, def = 0): number {
    const p = this.field(id, 4);
    return p === 0 ? def : this.r.u32(p);
  }
  f32(id: number, def = 0): number {
    const p = this.field(id, 4);
    return p === 0 ? def : this.r.f32(p);
  }
  /** uint64 as a double; exact below 2^53, which any offset into a JS byte array is. */
  u64(id: number, def = 0): number {
    const p = this.field(id, 8);
    return p === 0 ? def : this.r.u32(p) + this.r.u32(p + 4) * 4294967296;
  }

  private indirect(id: number, what: string): number {
    const p = this.field(id, 4);
    if (p === 0) return 0;
    const target = p + this.r.u32(p);
    this.r.ensure(target, 4, `${this.what}.${what}`);
    return target;
  }

  /** A vector's [start, length]; length 0 when absent. */
  vector(id: number, elementBytes: number, what: string): { start: number; length: number } {
    const v = this.indirect(id, what);
    if (v === 0) return { start: 0, length: 0 };
    const length = this.r.u32(v);
    if (length > MAX_VECTOR_LENGTH) throw new ModelFormatError(`${this.what}.${what} has absurd length ${length}`);
    this.r.ensure(v + 4, length * elementBytes, `${this.what}.${what} vector`);
    return { start: v + 4, length };
  }

  i32Vector(id: number, what: string): number[] {
    const { start, length } = this.vector(id, 4, what);
    const out = new Array<number>(length);
    for (let i = 0; i < length; i++) out[i] = this.r.i32(start + 4 * i);
    return out;
  }

  f32Vector(id: number, what: string): number[] {
    const { start, length } = this.vector(id, 4, what);
    const out = new Array<number>(length);
    for (let i = 0; i < length; i++) out[i] = this.r.f32(start + 4 * i);
    return out;
  }

  /** int64 vector read as doubles (zero points are small; the high word only carries the sign). */
  i64Vector(id: number, what: string): number[] {
    const { start, length } = this.vector(id, 8, what);
    const out = new Array<number>(length);
    for (let i = 0; i < length; i++) out[i] = this.r.u32(start + 8 * i) + this.r.i32(start + 8 * i + 4) * 4294967296;
    return out;
  }

  bytesVector(id: number, what: string): { start: number; length: number } {
    return this.vector(id, 1, what);
  }

  string(id: number, what: string): string {
    const { start, length } = this.vector(id, 1, what);
    let s = '';
    // Names are ASCII in practice; decode byte-wise so malformed UTF-8 cannot throw.
    for (let i = 0; i < length && i < 4096; i++) s += String.fromCharCode(this.r.u8(start + i));
    return s;
  }

  table(id: number, what: string): FbTable | null {
    const t = this.indirect(id, what);
    return t === 0 ? null : this.r.tableAt(t, `${this.what}.${what}`);
  }

  tableVector(id: number, what: string): FbTable[] {
    const { start, length } = this.vector(id, 4, what);
    const out: FbTable[] = [];
    for (let i = 0; i < length; i++) {
      const p = start + 4 * i;
      out.push(this.r.tableAt(p + this.r.u32(p), `${what}[${i}]`));
    }
    return out;
  }
}
