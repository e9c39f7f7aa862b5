import { mulberry32 } from '@tinyfleet/random';
import { createHash, randomBytes } from 'node:crypto';
import { OP_SET_BUILDS } from './op-resolver';
import { OpSetFormatError, decodeOpSetBytes, encodeOpSet, encodeOpSetBytes, opSetId } from './op-set';
import { sha256 } from './sha256';
import { FAR_FUTURE_OP_CODE, opSetWithUnknownCodes } from '../testing/op-set-fixtures';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'));

describe('op-set wire bytes', () => {
  it('are the bytes behind the text form', () => {
    for (const entries of Object.values(OP_SET_BUILDS)) {
      const bytes = encodeOpSetBytes(entries);
      expect(encodeOpSet(entries)).toBe(`ops1.${Buffer.from(bytes).toString('base64url')}`);
      expect(decodeOpSetBytes(bytes)).toEqual({
        entries: decodeOpSetBytes(bytes).entries,
        unknownOps: [],
        unknownTypes: [],
      });
      expect(encodeOpSetBytes(decodeOpSetBytes(bytes).entries)).toEqual(bytes);
    }
  });

  it('tolerant mode skips op codes a newer device knows, strict mode refuses them', () => {
    const newer = opSetWithUnknownCodes([{ op: 'ADD' }], [FAR_FUTURE_OP_CODE - 1, FAR_FUTURE_OP_CODE]);
    expect(() => decodeOpSetBytes(newer)).toThrow(OpSetFormatError);
    expect(decodeOpSetBytes(newer, { tolerant: true })).toEqual({
      entries: [{ op: 'ADD' }],
      unknownOps: [FAR_FUTURE_OP_CODE - 1, FAR_FUTURE_OP_CODE],
      unknownTypes: [],
    });
    // The fixture's layout: ADD is bit 0 of the first bitset byte, the two codes the top bits of the 30th.
    expect([...newer.subarray(0, 3)]).toEqual([1, 30, 1]);
    expect(newer[2 + 29]).toBe(0xc0);
  });

  it('tolerant mode drops type bits a newer device knows and keeps the known ones', () => {
    // SOFTMAX(20) restricted to int8 (bit 0) and type bit 12: 01 03 | 00 00 10 | 00 00 10 | 01 10.
    const newer = hex('01 03 000010 000010 0110');
    expect(() => decodeOpSetBytes(newer)).toThrow(OpSetFormatError);
    expect(decodeOpSetBytes(newer, { tolerant: true })).toEqual({
      entries: [{ op: 'SOFTMAX', types: ['int8'] }],
      unknownOps: [],
      unknownTypes: [{ op: 'SOFTMAX', bits: [12] }],
    });
    // Only unknown types: the op stays, registered for no type this version can name.
    expect(decodeOpSetBytes(hex('01 03 000010 000010 0010'), { tolerant: true }).entries).toEqual([
      { op: 'SOFTMAX', types: [] },
    ]);
    // … and has no encoding, never mask 0 ("every type").
    expect(() => encodeOpSetBytes([{ op: 'SOFTMAX', types: [] }])).toThrow(OpSetFormatError);
  });

  it.each([
    ['empty', ''],
    ['unknown version', '02 01 01 00'],
    ['truncated bitsets', '01 02 01'],
    ['restricted bit without the op bit', '01 01 01 02 0100'],
    ['a missing type mask', '01 01 01 01'],
    ['an empty type mask', '01 01 01 01 0000'],
    ['trailing bytes', '01 01 01 00 00'],
  ])('refuses %s in both modes', (_what, bytes) => {
    expect(() => decodeOpSetBytes(hex(bytes))).toThrow(OpSetFormatError);
    expect(() => decodeOpSetBytes(hex(bytes), { tolerant: true })).toThrow(OpSetFormatError);
  });

  it('fuzz: random bytes decode or throw OpSetFormatError; what decodes re-encodes to a set decoding the same', () => {
    let decoded = 0;
    const next = mulberry32(20261202);
    for (let i = 0; i < 6000; i++) {
      const n = i % 7;
      const len = 2 + 2 * n + 2 * (i % 5);
      const bytes = Uint8Array.from({ length: len }, () => Math.floor(next() * 256));
      bytes[0] = i % 50 === 0 ? bytes[0] : 1;
      bytes[1] = i % 40 === 0 ? bytes[1] : n;
      // Keep restricted bits a subset of op bits most of the time, so decodes get past the structure checks.
      if (i % 3 !== 0) for (let b = 0; b < n; b++) bytes[2 + n + b] &= bytes[2 + b];
      for (const tolerant of [false, true]) {
        let out;
        try {
          out = decodeOpSetBytes(bytes, { tolerant });
        } catch (err) {
          expect(err).toBeInstanceOf(OpSetFormatError);
          continue;
        }
        decoded++;
        // An op registered only for types this version cannot name has no encoding here (empty = no type).
        if (out.entries.some((e) => e.types?.length === 0))
          expect(() => encodeOpSetBytes(out.entries)).toThrow(OpSetFormatError);
        else expect(decodeOpSetBytes(encodeOpSetBytes(out.entries)).entries).toEqual(out.entries);
        expect(opSetId(bytes)).toMatch(/^ops-[0-9a-f]{12}$/);
      }
    }
    expect(decoded).toBeGreaterThan(100);
  });
});

describe('opSetId', () => {
  it('is the sha-256 prefix of the canonical bytes', () => {
    const bytes = encodeOpSetBytes(OP_SET_BUILDS['atmega328p-dense']);
    const digest = createHash('sha256').update(bytes).digest('hex');
    expect(opSetId(bytes)).toBe(`ops-${digest.slice(0, 12)}`);
  });

  it('is the same for a longer bitset holding the same ops, and differs for another op set', () => {
    // ADD any type: minimal 01 01 01 00; padded to n = 2: 01 02 0100 0000.
    expect(opSetId(hex('01 02 0100 0000'))).toBe(opSetId(hex('01 01 01 00')));
    expect(opSetId(hex('01 01 03 00'))).not.toBe(opSetId(hex('01 01 01 00')));
    const ids = Object.values(OP_SET_BUILDS).map((e) => opSetId(encodeOpSetBytes(e)));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps op codes it cannot name in the id (two newer builds stay apart)', () => {
    const a = opSetWithUnknownCodes([{ op: 'ADD' }], [FAR_FUTURE_OP_CODE]);
    const b = opSetWithUnknownCodes([{ op: 'ADD' }], [FAR_FUTURE_OP_CODE - 1]);
    expect(opSetId(a)).not.toBe(opSetId(b));
    expect(opSetId(a)).not.toBe(opSetId(encodeOpSetBytes([{ op: 'ADD' }])));
  });

  it('refuses to encode an op registered for no type (it has no encoding: an empty mask is malformed)', () => {
    expect(() => encodeOpSetBytes([{ op: 'ADD', types: [] }])).toThrow(OpSetFormatError);
  });

  it('refuses malformed bytes', () => {
    expect(() => opSetId(hex('01 01 01'))).toThrow(OpSetFormatError);
  });
});

describe('sha256', () => {
  it('matches node:crypto across block boundaries', () => {
    for (const len of [0, 1, 3, 55, 56, 63, 64, 65, 119, 120, 128, 1000]) {
      const data = randomBytes(len);
      expect(Buffer.from(sha256(data)).toString('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    }
    // FIPS 180-4 example "abc".
    expect(Buffer.from(sha256(Buffer.from('abc'))).toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
