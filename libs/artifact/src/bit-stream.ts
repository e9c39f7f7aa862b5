/** MSB-first bit writer/reader and LEB128 varints for the OTA container (browser-safe, Uint8Array only). */
export class BitWriter {
  private bytes: number[] = [];
  private cur = 0;
  private nbits = 0;
  bitLength = 0;

  write(code: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.cur = (this.cur << 1) | ((code >>> i) & 1);
      this.nbits++;
      if (this.nbits === 8) {
        this.bytes.push(this.cur);
        this.cur = 0;
        this.nbits = 0;
      }
    }
    this.bitLength += length;
  }

  finish(): Uint8Array {
    const out = this.bytes.slice();
    if (this.nbits > 0) out.push((this.cur << (8 - this.nbits)) & 0xff);
    return Uint8Array.from(out);
  }
}

export class BitReader {
  private pos = 0;
  constructor(
    private readonly data: Uint8Array,
    private readonly bitLength: number,
  ) {}

  readBit(): number {
    if (this.pos >= this.bitLength) throw new Error('bit stream exhausted');
    const bit = (this.data[this.pos >>> 3] >>> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return bit;
  }
}

export class ByteWriter {
  private chunks: Uint8Array[] = [];
  length = 0;

  bytes(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.length;
  }

  u8(v: number): void {
    this.bytes(Uint8Array.of(v & 0xff));
  }

  varint(v: number): void {
    if (!Number.isInteger(v) || v < 0) throw new Error(`varint: ${v} is not a non-negative integer`);
    const out: number[] = [];
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v > 0) b |= 0x80;
      out.push(b);
    } while (v > 0);
    this.bytes(Uint8Array.from(out));
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

export class ByteReader {
  pos = 0;
  constructor(private readonly data: Uint8Array) {}

  private need(n: number): void {
    if (this.pos + n > this.data.length) throw new Error(`truncated container at byte ${this.pos} (need ${n} more)`);
  }

  u8(): number {
    this.need(1);
    return this.data[this.pos++];
  }

  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new Error(`varint too long at byte ${this.pos}`);
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  get remaining(): number {
    return this.data.length - this.pos;
  }
}
