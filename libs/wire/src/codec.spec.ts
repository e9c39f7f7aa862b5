import { decodeCbor, encodeCbor, MAX_STRING_BYTES, scanProfile } from './codec';
import { WireError } from './errors';
import { hexToBytes } from './fixtures/golden.fixtures';

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof WireError) return error.reason;
    throw error;
  }
  return 'ok';
}

describe('codec (tinyfleet CBOR profile)', () => {
  it('checks the raw size before parsing', () => {
    // 65 bytes of garbage with a 64-byte limit: 'oversized', not 'malformed' — nothing was parsed.
    expect(reasonOf(() => decodeCbor(new Uint8Array(65).fill(0xff), 64))).toBe('oversized');
  });

  it('rejects non-Uint8Array input', () => {
    expect(reasonOf(() => decodeCbor('87' as unknown as Uint8Array, 64))).toBe('malformed');
    expect(reasonOf(() => decodeCbor(null as unknown as Uint8Array, 64))).toBe('malformed');
    expect(reasonOf(() => decodeCbor([0x00] as unknown as Uint8Array, 64))).toBe('malformed');
  });

  it.each([
    ['empty input', ''],
    ['trailing byte', '00 00'],
    ['truncated uint32', '1a 00 00'],
    ['non-shortest uint (24 as 1 byte arg)', '18 17'],
    ['non-shortest uint16', '19 00 ff'],
    ['non-shortest uint32', '1a 00 00 ff ff'],
    ['non-shortest uint64', '1b 00 00 00 00 ff ff ff ff'],
    ['non-shortest array length', '98 01 00'],
    ['indefinite array', '9f 00 ff'],
    ['indefinite text', '7f 61 61 ff'],
    ['indefinite map', 'bf ff'],
    ['lone break', 'ff'],
    ['reserved ai 28', '1c'],
    ['tag 1 (Date)', 'c1 1a 5f 00 00 00'],
    ['tag 27 (generic object constructor)', 'd8 1b 82 64 65 76 61 6c 61 31'],
    ['tag 105 record', 'd8 69 80'],
    ['tag 258 set', 'd9 01 02 80'],
    ['tag 28 shared ref', 'd8 1c 80'],
    ['bignum tag 2', 'c2 41 01'],
    ['float16 NaN', 'f9 7e 00'],
    ['float32', 'fa 3f 80 00 00'],
    ['float64 NaN', 'fb 7f f8 00 00 00 00 00 00'],
    ['undefined', 'f7'],
    ['simple(16)', 'f0'],
    ['simple(255)', 'f8 ff'],
    ['invalid UTF-8 text', '62 c3 28'],
    ['string longer than input', '78 40 61'],
    ['huge array length', '9b 00 00 00 01 00 00 00 00'],
    ['array larger than limit', '98 41' + ' 00'.repeat(65)],
    ['array length beyond input', '98 30 00'],
    ['nesting too deep', '81 '.repeat(9) + '00'],
  ])('rejects %s as malformed', (_name, hex) => {
    const bytes = hexToBytes(hex);
    expect(reasonOf(() => scanProfile(bytes))).toBe('malformed');
    expect(reasonOf(() => decodeCbor(bytes, 512))).toBe('malformed');
  });

  it.each([
    ['uint 0', '00', 0],
    ['uint 23', '17', 23],
    ['uint 24', '18 18', 24],
    ['nint -1', '20', -1],
    ['nint -128', '38 7f', -128],
    ['uint64 2^32', '1b 00 00 00 01 00 00 00 00', 2 ** 32],
    ['null', 'f6', null],
    ['true', 'f5', true],
    ['empty array', '80', []],
    ['nesting at the limit', '81 '.repeat(8) + '00', [[[[[[[[0]]]]]]]]],
  ])('accepts %s', (_name, hex, expected) => {
    expect(decodeCbor(hexToBytes(hex), 512)).toStrictEqual(expected);
  });

  it('caps every string at MAX_STRING_BYTES (4096), independently of the byte limit', () => {
    const withString = (major: number, length: number, fill: number): Uint8Array => {
      const out = new Uint8Array(3 + length).fill(fill);
      out.set([(major << 5) | 25, length >> 8, length & 0xff]);
      return out;
    };
    expect(MAX_STRING_BYTES).toBe(4096);
    expect((decodeCbor(withString(2, 4096, 0xab), 1 << 16) as Uint8Array).length).toBe(4096);
    expect(decodeCbor(withString(3, 4096, 0x61), 1 << 16)).toBe('a'.repeat(4096));
    expect(reasonOf(() => decodeCbor(withString(2, 4097, 0xab), 1 << 16))).toBe('malformed');
    expect(reasonOf(() => decodeCbor(withString(3, 4097, 0x61), 1 << 16))).toBe('malformed');
    // a lying length is refused by the cap before the remaining-input check
    expect(reasonOf(() => scanProfile(hexToBytes('5a 7f ff ff ff 00')))).toBe('malformed');
  });

  it('decodes byte strings to plain, non-aliased Uint8Array', () => {
    const input = hexToBytes('42 01 02');
    const out = decodeCbor(input, 512) as Uint8Array;
    expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype);
    expect(Array.from(out)).toEqual([1, 2]);
    input[1] = 0xff;
    expect(out[0]).toBe(1);
  });

  it('decodes maps as Map (never plain objects)', () => {
    const out = decodeCbor(hexToBytes('a1 69 5f 5f 70 72 6f 74 6f 5f 5f 01'), 512); // {"__proto__": 1}
    expect(out).toBeInstanceOf(Map);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('encodes large integers as CBOR uint64, not float64', () => {
    expect(Array.from(encodeCbor(BigInt(1800000000000)))).toEqual([0x1b, 0, 0, 0x01, 0xa3, 0x18, 0x5c, 0x50, 0x00]);
    expect(Object.getPrototypeOf(encodeCbor([1]))).toBe(Uint8Array.prototype);
  });
});
