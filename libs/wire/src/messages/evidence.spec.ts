import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex, hexToBytes } from '../fixtures/golden.fixtures';
import { errorOf, fixture, reasonOf } from '../fixtures/spec-helpers';
import { WIRE_ERROR_REASONS, WireError } from '../errors';
import { prng, randomBytes } from '../testing/arbitrary-messages';
import {
  decodeEvidenceChunkV1,
  encodeEvidenceChunkV1,
  encodeEvidenceRequestV1,
  encodeEvidenceStatusV1,
  encodeEvidenceWindowV1,
  EVIDENCE_KEY_LABEL,
  EVIDENCE_MAX_WINDOW_BYTES,
  evidenceWindowBlob,
  evidenceWindowSignedBytes,
  splitEvidenceWindow,
  type EvidenceChunkV1,
  type EvidenceRequestV1,
  type EvidenceStatusV1,
  type EvidenceWindowV1,
} from './evidence.v1';

/** The test vector of docs/protocol.md §12.3: a device secret, its evidence key, one signed window. */
const SECRET = 'example-device-secret';
const KEY_HEX = '3327f58dfd55f0f17e4bb515a1ae69bc2288fbca12b45fd276df50a6a2f8b428';
const BLOB_HEX = `
  00 19                         # header length = 25
  8c 07 00 1a ef 4b 7a d3 1b 00 00 01 9a c2 a0 a7 e0 01 0c 09 00 01 04 00 10  # EvidenceWindowV1
  00 00 c0 3f 00 00 00 c0       # data: float32 LE 1.5, -2
  00 00 80 3e 00 00 c8 42       # data: float32 LE 0.25, 100
  fc bc 19 ca 50 6b b9 5c 00 4d c9 ba 98 6d a7 f3  # HMAC-SHA256(key, the 43 bytes above)
  94 76 d1 fc de 2b e7 ef fc 44 5f 86 47 fd f2 e7
`;

const header = (): EvidenceWindowV1 => fixture<EvidenceWindowV1>('evidence window header, sensor');
const DATA = new Uint8Array(new Float32Array([1.5, -2, 0.25, 100]).buffer);

function evidenceKey(secret: string): Buffer {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(EVIDENCE_KEY_LABEL).digest();
}

describe('evidence window blob', () => {
  it('derives the documented key and signature from the documented secret', () => {
    const key = evidenceKey(SECRET);
    expect(key.toString('hex')).toBe(KEY_HEX);
    const signed = evidenceWindowSignedBytes(header(), DATA);
    const signature = new Uint8Array(createHmac('sha256', key).update(signed).digest());
    expect(bytesToHex(evidenceWindowBlob(signed, signature))).toBe(bytesToHex(hexToBytes(BLOB_HEX)));
  });

  it('docs/protocol.md quotes the test vector', () => {
    const doc = readFileSync(join(__dirname, '../../../../docs/protocol.md'), 'utf8');
    expect(doc).toContain(SECRET);
    expect(doc).toContain(KEY_HEX);
    const block = BLOB_HEX.split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.replace(/^ {2}/, ''))
      .join('\n');
    expect(doc).toContain(block);
  });

  it('splits a blob into header, data and the signed bytes', () => {
    const blob = hexToBytes(BLOB_HEX);
    const parts = splitEvidenceWindow(blob);
    expect(parts.header).toStrictEqual(header());
    expect(Array.from(new Float32Array(parts.data.slice().buffer))).toEqual([1.5, -2, 0.25, 100]);
    expect(parts.signedBytes).toEqual(blob.subarray(0, 43));
    expect(parts.signature).toEqual(blob.subarray(43));
  });

  it('refuses a blob whose lengths disagree, with a typed error', () => {
    const blob = hexToBytes(BLOB_HEX);
    expect(reasonOf(() => splitEvidenceWindow(blob.subarray(0, 74)))).toBe('malformed'); // signature cut
    expect(reasonOf(() => splitEvidenceWindow(blob.subarray(0, 20)))).toBe('malformed');
    expect(reasonOf(() => splitEvidenceWindow(new Uint8Array(EVIDENCE_MAX_WINDOW_BYTES + 1)))).toBe('oversized');
    const longHeader = blob.slice();
    longHeader[1] = 0xff; // header length 255 > 128
    expect(reasonOf(() => splitEvidenceWindow(longHeader))).toBe('malformed');
    const wrongCount = blob.slice();
    wrongCount[26] = 0x11; // dataBytes 17: not 1 × 4 × 4
    expect(reasonOf(() => splitEvidenceWindow(wrongCount))).toBe('schema');
  });

  it('will not sign data of another length than the header says', () => {
    expect(reasonOf(() => evidenceWindowSignedBytes(header(), DATA.subarray(0, 12)))).toBe('schema');
    expect(reasonOf(() => evidenceWindowBlob(new Uint8Array(10), new Uint8Array(31)))).toBe('schema');
  });

  it('fuzz: 6,000 mutated blobs end in parts that rebuild the same bytes, or a WireError', () => {
    const seed = 0x5eed0e71;
    const r = prng(seed);
    const valid = hexToBytes(BLOB_HEX);
    const outcomes: Record<string, number> = { ok: 0 };
    for (let i = 0; i < 6000; i++) {
      let input: Uint8Array;
      const mode = r.int(0, 3);
      if (mode === 0) input = randomBytes(r, r.int(0, 120));
      else if (mode === 1) {
        input = valid.slice();
        for (let k = r.int(1, 4); k > 0; k--) input[r.int(0, input.length - 1)] = r.int(0, 255);
      } else if (mode === 2) input = valid.slice(0, r.int(0, valid.length));
      else input = Uint8Array.from([...valid, ...randomBytes(r, r.int(1, 8))]);
      try {
        const p = splitEvidenceWindow(input);
        const rebuilt = evidenceWindowBlob(evidenceWindowSignedBytes(p.header, p.data), p.signature);
        if (bytesToHex(rebuilt) !== bytesToHex(input)) throw new Error(`seed ${seed} case ${i}: ${bytesToHex(input)}`);
        outcomes.ok!++;
      } catch (error) {
        if (!(error instanceof WireError) || !WIRE_ERROR_REASONS.includes(error.reason)) throw error;
        outcomes[error.reason] = (outcomes[error.reason] ?? 0) + 1;
      }
    }
    console.log(`fuzz evidence window blob seed=${seed}: ${JSON.stringify(outcomes)}`);
    expect(outcomes.ok).toBeGreaterThan(0); // some mutations (data bytes, signature bytes) stay valid
  });
});

describe('evidence message rules', () => {
  it('a request names a class or a margin only for its own selector', () => {
    const lowMargin = fixture<EvidenceRequestV1>('evidence request, low margin');
    expect(reasonOf(() => encodeEvidenceRequestV1({ ...lowMargin, label: 2 }))).toBe('schema');
    expect(reasonOf(() => encodeEvidenceRequestV1({ ...lowMargin, selector: 'any' }))).toBe('schema');
    expect(reasonOf(() => encodeEvidenceRequestV1({ ...lowMargin, maxWindows: 0 }))).toBe('schema');
    expect(reasonOf(() => encodeEvidenceRequestV1({ ...lowMargin, maxBytes: 0 }))).toBe('schema');
  });

  it('a declined status promises nothing and says why; an accepted one promises a window', () => {
    const declined = fixture<EvidenceStatusV1>('evidence status, declined');
    expect(reasonOf(() => encodeEvidenceStatusV1({ ...declined, windowCount: 1 }))).toBe('schema');
    expect(reasonOf(() => encodeEvidenceStatusV1({ ...declined, reason: 'none' }))).toBe('schema');
    const accepted = fixture<EvidenceStatusV1>('evidence status, accepted');
    expect(reasonOf(() => encodeEvidenceStatusV1({ ...accepted, windowCount: 0 }))).toBe('schema');
    expect(reasonOf(() => encodeEvidenceStatusV1({ ...accepted, reason: 'budget' }))).toBe('schema');
  });

  it('a chunk stays inside its window and request, and carries the CRC of its data', () => {
    const chunk = fixture<EvidenceChunkV1>('evidence chunk, end of a window');
    expect(reasonOf(() => encodeEvidenceChunkV1({ ...chunk, offset: 553 }))).toBe('schema');
    expect(reasonOf(() => encodeEvidenceChunkV1({ ...chunk, windowIndex: 3 }))).toBe('schema');
    const bytes = encodeEvidenceChunkV1(chunk);
    bytes[bytes.length - 1] ^= 0x01; // flip a data bit
    const error = errorOf(() => decodeEvidenceChunkV1(bytes));
    expect(error !== 'ok' && error.message).toMatch(/CRC-32 mismatch/);
  });

  it('a window header states a data length that matches its shape', () => {
    expect(reasonOf(() => encodeEvidenceWindowV1({ ...header(), dataBytes: 12 }))).toBe('schema');
    expect(reasonOf(() => encodeEvidenceWindowV1({ ...header(), imageWidth: 3 }))).toBe('schema');
    expect(reasonOf(() => encodeEvidenceWindowV1({ ...header(), format: 'u8', dataBytes: 4 }))).toBe('ok');
  });
});
