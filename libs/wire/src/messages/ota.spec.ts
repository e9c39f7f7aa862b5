import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32 } from '../crc32';
import { WireError } from '../errors';
import { bytesToHex, hexToBytes } from '../fixtures/golden.fixtures';
import { bytes } from '../schema';
import { decodeOtaCancelV1, encodeOtaCancelV1, OTA_CANCEL_REASONS } from './ota-cancel.v1';
import { decodeOtaChunkRequestV1, encodeOtaChunkRequestV1 } from './ota-chunk-request.v1';
import { decodeOtaChunkV1, encodeOtaChunkV1, type OtaChunkV1 } from './ota-chunk.v1';
import { decodeOtaOfferV1, encodeOtaOfferV1, OTA_FORMS, otaChunkCount, type OtaOfferV1 } from './ota-offer.v1';
import {
  decodeOtaStatusV1,
  encodeOtaStatusV1,
  OTA_DEVICE_STATES,
  OTA_JOB_STATES,
  OTA_REASONS,
  OTA_SERVER_STATES,
  type OtaStatusV1,
} from './ota-status.v1';
import { errorOf, fixture, hexOf, reasonOf } from '../fixtures/spec-helpers';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const huffman = (): OtaOfferV1 => fixture('ota offer, huffman');
const delta = (): OtaOfferV1 => fixture('ota offer, delta');
const chunk = (): OtaChunkV1 => fixture('ota chunk, last chunk');
const status = (): OtaStatusV1 => fixture('ota status, downloading');

describe('crc32 (CRC-32/IEEE 802.3, poly 0xEDB88320)', () => {
  it.each([
    ['', 0x00000000],
    ['a', 0xe8b7be43],
    ['abc', 0x352441c2],
    ['123456789', 0xcbf43926], // the catalogue check value
    ['The quick brown fox jumps over the lazy dog', 0x414fa339],
  ])('crc32(%j) = %s', (text, expected) => {
    expect(crc32(ascii(text))).toBe(expected);
  });

  it('matches zlib on random inputs and returns an unsigned 32-bit integer', () => {
    let x = 0x12345678;
    for (let n = 0; n < 200; n++) {
      const data = new Uint8Array(n * 37);
      for (let i = 0; i < data.length; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        data[i] = x >>> 24;
      }
      const value = crc32(data);
      expect(value).toBe(zlibCrc32(data));
      expect(Number.isInteger(value) && value >= 0 && value <= 0xffffffff).toBe(true);
    }
    expect(crc32(new Uint8Array(4096).fill(0xff))).toBe(zlibCrc32(new Uint8Array(4096).fill(0xff)));
  });

  it('throws WireError(schema) for a non-Uint8Array', () => {
    expect(reasonOf(() => crc32('123456789' as unknown as Uint8Array))).toBe('schema');
  });
});

describe('bytes(min, max) field codec', () => {
  const field = bytes(1, 4);
  it('accepts min..max bytes as a fresh plain Uint8Array', () => {
    const input = Uint8Array.of(1, 2, 3, 4);
    const out = field.decode(input, 'x');
    expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype);
    expect(out).not.toBe(input);
    expect(Array.from(out)).toEqual([1, 2, 3, 4]);
    expect(Array.from(field.encode(Uint8Array.of(9), 'x') as Uint8Array)).toEqual([9]);
  });
  it.each<[string, unknown]>([
    ['empty', new Uint8Array(0)],
    ['too long', new Uint8Array(5)],
    ['number[]', [1, 2]],
    ['string', 'ab'],
    ['null', null],
  ])('rejects %s', (_name, value) => {
    expect(reasonOf(() => field.decode(value, 'x'))).toBe('schema');
    expect(reasonOf(() => field.encode(value, 'x'))).toBe('schema');
  });
});

describe('OtaOfferV1 invariants', () => {
  it('otaChunkCount is ceil(transferBytes / chunkBytes)', () => {
    expect(otaChunkCount(14000, 4096)).toBe(4);
    expect(otaChunkCount(4096, 4096)).toBe(1);
    expect(otaChunkCount(4097, 4096)).toBe(2);
    expect(otaChunkCount(16 * 1024 * 1024, 64)).toBe(262144);
  });

  it('accepts boundary values', () => {
    expect(
      reasonOf(() =>
        encodeOtaOfferV1({ ...huffman(), transferBytes: 2, chunkBytes: 64, chunkCount: 1, manifestBytes: 1 }),
      ),
    ).toBe('ok');
    expect(
      reasonOf(() =>
        encodeOtaOfferV1({ ...huffman(), transferBytes: 4096, chunkBytes: 4096, chunkCount: 1, manifestBytes: 4095 }),
      ),
    ).toBe('ok');
    expect(
      reasonOf(() =>
        encodeOtaOfferV1({ ...huffman(), transferBytes: 16 * 1024 * 1024, chunkBytes: 64, chunkCount: 262144 }),
      ),
    ).toBe('ok');
    expect(reasonOf(() => encodeOtaOfferV1({ ...huffman(), form: 'full', modelBytes: 16 * 1024 * 1024 }))).toBe('ok');
    for (const form of OTA_FORMS) {
      const offer = { ...huffman(), form, baseSha256: form === 'delta' ? new Uint8Array(32) : null };
      expect(decodeOtaOfferV1(encodeOtaOfferV1(offer))).toStrictEqual(offer);
    }
  });

  it.each<[string, () => OtaOfferV1, string]>([
    [
      'chunkCount one too few',
      () => ({ ...huffman(), chunkCount: 3 }),
      'OtaOfferV1.chunkCount: 3 != ceil(transferBytes 14000 / chunkBytes 4096) = 4',
    ],
    ['chunkCount one too many', () => ({ ...huffman(), chunkCount: 5 }), 'OtaOfferV1.chunkCount'],
    ['chunkCount 0', () => ({ ...huffman(), chunkCount: 0 }), 'OtaOfferV1.chunkCount'],
    [
      'chunkCount floor instead of ceil',
      () => ({ ...huffman(), transferBytes: 4097, chunkCount: 1, manifestBytes: 100 }),
      'OtaOfferV1.chunkCount',
    ],
    [
      'delta without baseSha256',
      () => ({ ...delta(), baseSha256: null }),
      "OtaOfferV1.baseSha256: required (32 bytes) when form is 'delta'",
    ],
    [
      'huffman with baseSha256',
      () => ({ ...huffman(), baseSha256: new Uint8Array(32) }),
      "OtaOfferV1.baseSha256: must be null when form is 'huffman'",
    ],
    [
      'full with baseSha256',
      () => ({ ...huffman(), form: 'full', baseSha256: new Uint8Array(32) }),
      "must be null when form is 'full'",
    ],
    [
      'manifestBytes = transferBytes',
      () => ({ ...huffman(), manifestBytes: 14000 }),
      'OtaOfferV1.manifestBytes: 14000 is outside 1..transferBytes-1 (13999)',
    ],
    ['manifestBytes 0', () => ({ ...huffman(), manifestBytes: 0 }), 'OtaOfferV1.manifestBytes'],
    [
      'transferBytes 1 (no room for a payload)',
      () => ({ ...huffman(), transferBytes: 1, chunkCount: 1, manifestBytes: 1 }),
      'OtaOfferV1.manifestBytes',
    ],
    ['transferBytes 0', () => ({ ...huffman(), transferBytes: 0, chunkCount: 0 }), 'OtaOfferV1.transferBytes'],
    [
      'transferBytes > 16 MiB',
      () => ({ ...huffman(), transferBytes: 16 * 1024 * 1024 + 1, chunkCount: 4097 }),
      'OtaOfferV1.transferBytes',
    ],
    ['chunkBytes 63', () => ({ ...huffman(), chunkBytes: 63, chunkCount: 223 }), 'OtaOfferV1.chunkBytes'],
    ['chunkBytes 4097', () => ({ ...huffman(), chunkBytes: 4097, chunkCount: 4 }), 'OtaOfferV1.chunkBytes'],
    ['modelBytes 0', () => ({ ...huffman(), modelBytes: 0 }), 'OtaOfferV1.modelBytes'],
    ['modelBytes > 16 MiB', () => ({ ...huffman(), modelBytes: 16 * 1024 * 1024 + 1 }), 'OtaOfferV1.modelBytes'],
    ['jobId > uint32', () => ({ ...huffman(), jobId: 2 ** 32 }), 'OtaOfferV1.jobId'],
    ['modelId uppercase', () => ({ ...huffman(), modelId: 'KWS' }), 'OtaOfferV1.modelId'],
    ['modelVersion not semver', () => ({ ...huffman(), modelVersion: '1.3' }), 'OtaOfferV1.modelVersion'],
    [
      'modelVersion 33 chars',
      () => ({ ...huffman(), modelVersion: `1.0.0-${'a'.repeat(27)}` }),
      'OtaOfferV1.modelVersion',
    ],
    ['unknown form', () => ({ ...huffman(), form: 'zip' as 'full' }), 'OtaOfferV1.form'],
    [
      'transferSha256 31 bytes',
      () => ({ ...huffman(), transferSha256: new Uint8Array(31) }),
      'OtaOfferV1.transferSha256',
    ],
    ['baseSha256 31 bytes', () => ({ ...delta(), baseSha256: new Uint8Array(31) }), 'OtaOfferV1.baseSha256'],
    ['signature 63 bytes', () => ({ ...huffman(), signature: new Uint8Array(63) }), 'OtaOfferV1.signature'],
    ['keyId uppercase hex', () => ({ ...huffman(), keyId: '0123456789ABCDEF' }), 'OtaOfferV1.keyId'],
    ['keyId 15 chars', () => ({ ...huffman(), keyId: '0123456789abcde' }), 'OtaOfferV1.keyId'],
    ['unknown field', () => ({ ...huffman(), url: 'x' }) as OtaOfferV1, 'OtaOfferV1.url: unknown field'],
  ])('encode and decode both refuse %s', (_name, make, message) => {
    const offer = make();
    const encodeError = errorOf(() => encodeOtaOfferV1(offer));
    expect(encodeError).toBeInstanceOf(WireError);
    expect((encodeError as WireError).reason).toBe('schema');
    expect((encodeError as WireError).message).toContain(message);
  });

  it('decode checks chunkCount and delta <=> baseSha256 on the wire (not only encode)', () => {
    // huffman fixture with chunkCount 04 -> 03
    const badCount = hexOf('ota offer, huffman');
    const at = bytesToHex(badCount).indexOf('19100004') / 2 + 3;
    expect(badCount[at]).toBe(0x04);
    badCount[at] = 0x03;
    expect((errorOf(() => decodeOtaOfferV1(badCount)) as WireError).message).toContain(
      'OtaOfferV1.chunkCount: 3 != ceil',
    );
    // huffman fixture with form 01 -> 02 (delta) but baseSha256 null
    const deltaWithoutBase = hexOf('ota offer, huffman');
    expect(deltaWithoutBase[24]).toBe(0x01);
    deltaWithoutBase[24] = 0x02;
    expect((errorOf(() => decodeOtaOfferV1(deltaWithoutBase)) as WireError).message).toContain(
      "OtaOfferV1.baseSha256: required (32 bytes) when form is 'delta'",
    );
    // delta fixture with form 02 -> 01 (huffman) but a baseSha256
    const huffmanWithBase = hexOf('ota offer, delta');
    expect(huffmanWithBase[24]).toBe(0x02);
    huffmanWithBase[24] = 0x01;
    expect((errorOf(() => decodeOtaOfferV1(huffmanWithBase)) as WireError).message).toContain(
      "OtaOfferV1.baseSha256: must be null when form is 'huffman'",
    );
    // form code 3 is unknown
    const unknownForm = hexOf('ota offer, huffman');
    unknownForm[24] = 0x03;
    expect(reasonOf(() => decodeOtaOfferV1(unknownForm))).toBe('schema');
  });
});

describe('OtaChunkV1 CRC check', () => {
  it('golden chunk carries crc32("123456789") = 0xcbf43926', () => {
    expect(chunk().crc32).toBe(0xcbf43926);
    expect(crc32(chunk().data)).toBe(0xcbf43926);
  });

  it('decode refuses a chunk whose data does not match its crc (corrupt chunk)', () => {
    const corrupt = hexOf('ota chunk, last chunk');
    corrupt[corrupt.length - 1]! ^= 0x01; // '9' -> '8'
    const error = errorOf(() => decodeOtaChunkV1(corrupt)) as WireError;
    expect(error).toBeInstanceOf(WireError);
    expect(error.reason).toBe('schema');
    expect(error.message).toBe(
      'schema: OtaChunkV1.crc32: CRC-32 mismatch (corrupt chunk 3): header says 0xcbf43926, data has 0x' +
        crc32(ascii('123456788')).toString(16).padStart(8, '0'),
    );
    const badCrc = hexOf('ota chunk, last chunk');
    badCrc[7]! ^= 0x80; // crc32 field's last byte
    expect(reasonOf(() => decodeOtaChunkV1(badCrc))).toBe('schema');
  });

  it('encode refuses a wrong crc too (never emits what decode refuses)', () => {
    expect(reasonOf(() => encodeOtaChunkV1({ ...chunk(), crc32: 0 }))).toBe('schema');
    expect(reasonOf(() => encodeOtaChunkV1({ ...chunk(), crc32: 0xcbf43926 + 1 }))).toBe('schema');
  });

  it('accepts 1..4096 data bytes and refuses 0 or 4097', () => {
    for (const length of [1, 64, 4095, 4096]) {
      const data = new Uint8Array(length).fill(length & 0xff);
      const message = { jobId: 2 ** 32 - 1, index: 2 ** 32 - 1, crc32: crc32(data), data };
      const encoded = encodeOtaChunkV1(message);
      expect(encoded.length).toBeLessThanOrEqual(4224);
      expect(decodeOtaChunkV1(encoded)).toStrictEqual(message);
    }
    expect(reasonOf(() => encodeOtaChunkV1({ jobId: 1, index: 0, crc32: 0, data: new Uint8Array(0) }))).toBe('schema');
    const big = new Uint8Array(4097);
    expect(reasonOf(() => encodeOtaChunkV1({ jobId: 1, index: 0, crc32: crc32(big), data: big }))).toBe('schema');
    // on the wire, 4097 bytes is refused by the profile scanner (MAX_STRING_BYTES) before the schema runs
    const wire4097 = new Uint8Array(4 + 3 + 4097);
    wire4097.set([0x84, 0x01, 0x00, 0x00, 0x59, 0x10, 0x01]);
    expect(reasonOf(() => decodeOtaChunkV1(wire4097))).toBe('malformed');
  });

  it('refuses data as text or integers', () => {
    expect(reasonOf(() => decodeOtaChunkV1(hexToBytes('84 01 00 1a cb f4 39 26 69 31 32 33 34 35 36 37 38 39')))).toBe(
      'schema',
    );
    expect(reasonOf(() => decodeOtaChunkV1(hexToBytes('84 01 00 00 f6')))).toBe('schema');
  });
});

describe('OtaStatusV1 reason rules', () => {
  it('uses one state table shared with the server', () => {
    expect(OTA_DEVICE_STATES).toEqual([
      'DOWNLOADING',
      'DOWNLOADED',
      'VERIFIED',
      'APPLYING',
      'SUCCEEDED',
      'FAILED',
      'REJECTED',
    ]);
    expect(OTA_SERVER_STATES).toEqual(['QUEUED', 'NOTIFIED', 'TIMED_OUT', 'CANCELED', 'SKIPPED', 'ROLLED_BACK']);
    expect(new Set(OTA_JOB_STATES)).toEqual(new Set([...OTA_SERVER_STATES, ...OTA_DEVICE_STATES]));
    expect(OTA_JOB_STATES).toHaveLength(OTA_SERVER_STATES.length + OTA_DEVICE_STATES.length);
    expect(OTA_REASONS).toHaveLength(14);
    expect(OTA_CANCEL_REASONS).toEqual(['aborted', 'rolled-back', 'superseded', 'timed-out']);
  });

  it.each(OTA_DEVICE_STATES.map((state) => [state] as const))('%s', (state) => {
    const withReason = { ...status(), state, reason: 'busy' as const };
    const withoutReason = { ...status(), state, reason: null };
    const mustHave = state === 'FAILED' || state === 'REJECTED';
    const mayHave = mustHave || state === 'DOWNLOADING';
    expect(reasonOf(() => encodeOtaStatusV1(withReason))).toBe(mayHave ? 'ok' : 'schema');
    expect(reasonOf(() => encodeOtaStatusV1(withoutReason))).toBe(mustHave ? 'schema' : 'ok');
    // and the decoder agrees, byte for byte: [jobId 1, state, reason, 0, 0]
    const code = OTA_DEVICE_STATES.indexOf(state);
    expect(
      reasonOf(() => decodeOtaStatusV1(Uint8Array.of(0x85, 0x01, code, OTA_REASONS.indexOf('busy'), 0x00, 0x00))),
    ).toBe(mayHave ? 'ok' : 'schema');
    expect(reasonOf(() => decodeOtaStatusV1(Uint8Array.of(0x85, 0x01, code, 0xf6, 0x00, 0x00)))).toBe(
      mustHave ? 'schema' : 'ok',
    );
  });

  it('error messages name the rule', () => {
    expect(
      (errorOf(() => encodeOtaStatusV1({ ...status(), state: 'FAILED', reason: null })) as WireError).message,
    ).toBe('schema: OtaStatusV1.reason: required when state is FAILED');
    expect(
      (errorOf(() => encodeOtaStatusV1({ ...status(), state: 'SUCCEEDED', reason: 'busy' })) as WireError).message,
    ).toBe('schema: OtaStatusV1.reason: must be null when state is SUCCEEDED');
  });

  it.each<[string, Uint8Array]>([
    ['state code 7', Uint8Array.of(0x85, 0x01, 0x07, 0xf6, 0x00, 0x00)],
    ['reason code 14', Uint8Array.of(0x85, 0x01, 0x05, 0x0e, 0x00, 0x00)],
    ['state as text', hexToBytes('85 01 66 46 41 49 4c 45 44 00 00 00')],
    ['4 elements', Uint8Array.of(0x84, 0x01, 0x00, 0xf6, 0x00)],
    ['timestamp 2^53', hexToBytes('85 01 00 f6 00 1b 00 20 00 00 00 00 00 00')],
  ])('decode refuses %s', (_name, input) => {
    expect(reasonOf(() => decodeOtaStatusV1(input))).toBe('schema');
  });
});

describe('OtaChunkRequestV1 and OtaCancelV1', () => {
  it('chunkCount is 1..16', () => {
    for (const chunkCount of [1, 16])
      expect(reasonOf(() => encodeOtaChunkRequestV1({ jobId: 1, firstChunk: 0, chunkCount }))).toBe('ok');
    for (const chunkCount of [0, 17, -1, 1.5])
      expect(reasonOf(() => encodeOtaChunkRequestV1({ jobId: 1, firstChunk: 0, chunkCount }))).toBe('schema');
    expect(reasonOf(() => decodeOtaChunkRequestV1(Uint8Array.of(0x83, 0x01, 0x00, 0x11)))).toBe('schema');
    expect(reasonOf(() => decodeOtaChunkRequestV1(Uint8Array.of(0x83, 0x01, 0x00, 0x00)))).toBe('schema');
    expect(reasonOf(() => encodeOtaChunkRequestV1({ jobId: 1, firstChunk: 2 ** 32, chunkCount: 1 }))).toBe('schema');
  });

  it('cancel reasons travel as codes 0..3', () => {
    OTA_CANCEL_REASONS.forEach((reason, code) => {
      expect(Array.from(encodeOtaCancelV1({ jobId: 7, reason }))).toEqual([0x82, 0x07, code]);
      expect(decodeOtaCancelV1(Uint8Array.of(0x82, 0x07, code))).toEqual({ jobId: 7, reason });
    });
    expect(reasonOf(() => decodeOtaCancelV1(Uint8Array.of(0x82, 0x07, 0x04)))).toBe('schema');
    expect(reasonOf(() => encodeOtaCancelV1({ jobId: 7, reason: 'failed' as 'aborted' }))).toBe('schema');
  });
});
