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

/**
 * The typed error of the format being read (OtaContainerError, ModelDeltaError): readers throw it
 * themselves, so a decoder's every refusal is its own error type and anything else is a bug.
 */
export type FormatError = new (message: string) => Error;

export class BitReader {
  private pos = 0;
  constructor(
    private readonly data: Uint8Array,
    private readonly bitLength: number,
    private readonly Err: FormatError,
  ) {}

  readBit(): number {
    if (this.pos >= this.bitLength) throw new this.Err('bit stream exhausted');
    const bit = (this.data[this.pos >>> 3]! >>> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return bit;
  }

  get bitsLeft(): number {
    return this.bitLength - this.pos;
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

/** Varints hold at most 32 bits (docs/ota.md "Conventions"): 5 LEB128 bytes. */
const MAX_VARINT_BYTES = 5;

export class ByteReader {
  pos = 0;
  constructor(
    private readonly data: Uint8Array,
    readonly Err: FormatError,
  ) {}

  private need(n: number): void {
    if (n > this.data.length - this.pos) throw new this.Err(`truncated at byte ${this.pos} (need ${n} more)`);
  }

  u8(): number {
    this.need(1);
    return this.data[this.pos++]!;
  }

  /** Unsigned LEB128 below 2^32 in its shortest form; anything else is refused (one encoding per value). */
  varint(): number {
    const start = this.pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const b = this.u8();
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) throw new this.Err(`varint at byte ${start} is not in its shortest form`);
        if (result > 0xffffffff) throw new this.Err(`varint at byte ${start} is 2^32 or more`);
        return result;
      }
      mul *= 128;
    }
    throw new this.Err(`varint at byte ${start} is longer than ${MAX_VARINT_BYTES} bytes`);
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
