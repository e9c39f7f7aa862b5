/**
 * docs/ota.md "For device makers: the bytes" specifies every OTA format by annotated hex examples
 * that device makers test their own decoders against. This spec holds each example to the real
 * encoders and decoders, so the page fails here as soon as it and the code disagree; every example
 * block on the page must be checked by some test below.
 */
import { crc32, encodeOtaOfferV1 } from '@tinyfleet/wire';
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { channelLayoutHash, decodeDeviceManifest, encodeDeviceManifest, type DeviceManifest } from './device-manifest';
import { applyModelDelta, encodeModelDelta } from './model-delta';
import { decodeOtaContainer, encodeOtaContainer } from './ota-container';
import { seededSelfTestInput, selfTestOutputMatches } from './self-test-input';
import { signedMessage } from './signed-message';
import { keyIdOf, rawPublicKey, verifyDeviceManifest } from './verify-node';

const DOC = fs.readFileSync(path.join(__dirname, '../../../docs/ota.md'), 'utf8');
const used = new Set<string>();

/** The fenced block after `<!-- bytes: name -->`: hex digits, `HH*N` = N bytes HH, `#` comments. */
function docBytes(name: string): Uint8Array {
  const m = new RegExp(`<!-- bytes: ${name} -->\\s*\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\``).exec(DOC);
  if (!m) throw new Error(`docs/ota.md has no example "${name}"`);
  used.add(name);
  const out: number[] = [];
  for (const line of m[1]!.split('\n')) {
    for (const token of line.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean)) {
      const run = /^([0-9a-f]{2})\*(\d+)$/.exec(token);
      if (run) out.push(...new Array<number>(Number(run[2])).fill(parseInt(run[1]!, 16)));
      else if (/^([0-9a-f]{2})+$/.test(token)) out.push(...Buffer.from(token, 'hex'));
      else throw new Error(`docs/ota.md example "${name}": "${token}" is not hex`);
    }
  }
  return Uint8Array.from(out);
}

/** Rows of the markdown table after `<!-- table: name -->`, as cells without the header rows. */
function docTable(name: string): string[][] {
  const m = new RegExp(`<!-- table: ${name} -->\\n((?:\\|.*\\n)+)`).exec(DOC);
  if (!m) throw new Error(`docs/ota.md has no table "${name}"`);
  used.add(name);
  const rows = m[1]!.trim().split('\n').slice(2);
  return rows.map((r) =>
    r
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim()),
  );
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const sha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());

/** The example of "Device manifest (TFDM/1)" (also device-manifest.spec.ts's golden example). */
const EXAMPLE: DeviceManifest = {
  modelId: 'soil-dryout',
  modelVersion: '1.0.0',
  modelSha256: new Uint8Array(32).fill(0xaa),
  modelBytes: 3584,
  manifestSha256: new Uint8Array(32).fill(0xbb),
  minInterpreterVersion: '0.1.0',
  ramBytes: 80,
  ops: ['FULLY_CONNECTED', 'SOFTMAX'],
  inputs: [{ dtype: 'int8', shape: [1, 64], scale: 0.5, zeroPoint: 14 }],
  outputs: [{ dtype: 'int8', shape: [1, 2], scale: 0.00390625, zeroPoint: -128 }],
  preprocessing: {
    kind: 'window',
    channels: ['vwc'],
    windowLength: 16,
    mean: [12.25],
    std: [1.5],
    transform: 'none',
    invalidValues: [],
    quantization: { scale: 0.5, zeroPoint: 14 },
    sampleIntervalSeconds: 900,
    spectralBins: null,
  },
  selfTest: { input: { seed: 2 }, expectedOutput: Uint8Array.of(0x2c, 0xd4), toleranceLsb: 1 },
};

/** The TFHC example's weight buffers (the doc's prose and row comments say the same). */
const TFHC_RANGES = [
  { offset: 8, length: 16 },
  { offset: 28, length: 120 },
];

/** RFC 8032 §7.1 TEST 1, from the page, as a Node key (PKCS#8 DER around the 32-byte seed). */
function testKey() {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), docBytes('ed25519-secret')]);
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

describe('docs/ota.md "For device makers: the bytes" matches the code', () => {
  it('transfer blob: the CRC-32 check value is the chunks’ CRC', () => {
    const check = docBytes('crc32-check');
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(new DataView(check.buffer).getUint32(0));
  });

  it('device manifest: the example is the encoder’s output and decodes to the documented fields', () => {
    const doc = docBytes('tfdm');
    expect(hex(encodeDeviceManifest(EXAMPLE))).toBe(hex(doc));
    expect(doc.length).toBe(167);
    expect(decodeDeviceManifest(doc)).toEqual(EXAMPLE);
    expect(hex(channelLayoutHash(['vwc']))).toBe(hex(docBytes('layout-hash')));
  });

  it('signature: the signed bytes, the key id and the signature of the example are what our tools make', () => {
    const manifest = docBytes('tfdm');
    const domain = docBytes('signature-domain');
    expect(Buffer.from(domain).toString('latin1')).toBe('tinyfleet-artifact-v2\n');
    expect(hex(signedMessage(manifest))).toBe(hex(domain) + hex(manifest));
    const { privateKey, publicKey } = testKey();
    expect(hex(rawPublicKey(publicKey))).toBe(hex(docBytes('ed25519-public')));
    const keyId = docBytes('key-id');
    expect(hex(sha256(rawPublicKey(publicKey)).subarray(0, 8))).toBe(hex(keyId));
    expect(keyIdOf(publicKey)).toBe(hex(keyId));
    const signature = docBytes('signature');
    expect(hex(sign(null, signedMessage(manifest), privateKey))).toBe(hex(signature));
    const trusted = new Map([[hex(keyId), publicKey]]);
    const verdict = verifyDeviceManifest(manifest, { keyId: hex(keyId), signature }, trusted);
    expect(verdict).toEqual({ ok: true, manifest: EXAMPLE });
    const tampered = manifest.slice();
    tampered[tampered.length - 1] = 0; // tolerance 1 -> 0: still TFDM/1, no longer signed
    expect(verifyDeviceManifest(tampered, { keyId: hex(keyId), signature }, trusted)).toEqual({
      ok: false,
      reason: 'signature-invalid',
    });
  });

  it('self-test: the seeded inputs of the worked example and the verdicts of the table', () => {
    expect(hex(seededSelfTestInput(2, EXAMPLE.inputs)[0]!)).toBe(hex(docBytes('self-test-input')));
    const [f] = seededSelfTestInput(2, [{ dtype: 'float32', shape: [2] }]);
    expect(hex(f!)).toBe(hex(docBytes('self-test-input-float32')));
    expect(Array.from(new Float32Array(f!.buffer))).toEqual([2112 / 2 ** 23 - 1, 524428 / 2 ** 23 - 1]);
    const rows = docTable('self-test-verdicts');
    expect(rows.length).toBeGreaterThanOrEqual(9);
    const cellBytes = (cell: string) => Buffer.from(/`([0-9a-f ]+)`/.exec(cell)![1]!.replace(/ /g, ''), 'hex');
    for (const [output, expected, actual, tolerance, verdict] of rows) {
      const [, dtype, n] = /^(\w+)\[(\d+)\]$/.exec(output!)!;
      const spec = [{ dtype: dtype!, shape: [Number(n)] }];
      const got = selfTestOutputMatches(cellBytes(actual!), cellBytes(expected!), spec, Number(tolerance));
      expect([output, expected, actual, tolerance, got ? 'passes' : 'fails']).toEqual([
        output,
        expected,
        actual,
        tolerance,
        verdict,
      ]);
    }
  });

  it('TFHC/1: the container of the example model is the encoder’s output and decodes to the model', () => {
    const model = docBytes('tfhc-model');
    expect(model.length).toBe(152);
    const container = docBytes('tfhc');
    const enc = encodeOtaContainer(model, TFHC_RANGES);
    expect(hex(enc.bytes)).toBe(hex(container));
    expect(enc.records.map((r) => [r.mode, r.indexBits])).toEqual([
      ['dense', 0],
      ['sparse', 2],
    ]);
    expect(hex(decodeOtaContainer(container))).toBe(hex(model));
  });

  it('TFHC/1: the Huffman-coded skeleton example is the encoder’s output and decodes back', () => {
    const model = docBytes('tfhc-skeleton-model');
    expect(model.length).toBe(400);
    const container = docBytes('tfhc-skeleton');
    expect(container[5]).toBe(1); // skeleton mode 1
    expect(hex(encodeOtaContainer(model, []).bytes)).toBe(hex(container));
    expect(hex(decodeOtaContainer(container))).toBe(hex(model));
  });

  it('TFDL/1: the delta of the example is the encoder’s output and rebuilds the target', () => {
    const base = docBytes('tfdl-base');
    const target = docBytes('tfdl-target');
    const delta = docBytes('tfdl');
    expect(hex(encodeModelDelta(base, target))).toBe(hex(delta));
    expect(hex(applyModelDelta(base, delta))).toBe(hex(target));
  });

  it('end to end: the blob, its chunk CRCs and its offer are what the platform sends, and verify as a device does', () => {
    const model = docBytes('tfhc-model');
    const container = docBytes('tfhc');
    const manifest = encodeDeviceManifest({ ...EXAMPLE, modelSha256: sha256(model), modelBytes: model.length });
    expect(manifest.length).toBe(166);
    const blob = docBytes('e2e-blob');
    expect(hex(blob)).toBe(hex(manifest) + hex(container));
    const chunkBytes = 64;
    const crcs = docBytes('e2e-chunk-crc32');
    const chunkCount = Math.ceil(blob.length / chunkBytes);
    expect(crcs.length).toBe(4 * chunkCount);
    for (let i = 0; i < chunkCount; i++)
      expect(crc32(blob.subarray(i * chunkBytes, (i + 1) * chunkBytes))).toBe(
        new DataView(crcs.buffer).getUint32(4 * i),
      );
    const { privateKey, publicKey } = testKey();
    const keyId = keyIdOf(publicKey);
    const signature = new Uint8Array(sign(null, signedMessage(manifest), privateKey));
    const offer = encodeOtaOfferV1({
      jobId: 7,
      modelId: EXAMPLE.modelId,
      modelVersion: EXAMPLE.modelVersion,
      form: 'huffman',
      transferBytes: blob.length,
      chunkBytes,
      chunkCount,
      transferSha256: sha256(blob),
      manifestBytes: manifest.length,
      modelSha256: sha256(model),
      modelBytes: model.length,
      baseSha256: null,
      signature,
      keyId,
    });
    expect(hex(offer)).toBe(hex(docBytes('e2e-offer')));
    // The device's steps 10-13: transfer hash, signature and layout, rebuild, model hash.
    const verdict = verifyDeviceManifest(
      blob.subarray(0, manifest.length),
      { keyId, signature },
      new Map([[keyId, publicKey]]),
    );
    if (!verdict.ok) throw new Error(verdict.reason);
    const rebuilt = decodeOtaContainer(blob.subarray(manifest.length));
    expect(hex(sha256(rebuilt))).toBe(hex(verdict.manifest.modelSha256));
  });

  // Last, so every test above has read its examples: an example no test reads would drift unnoticed.
  it('checks every example block on the page', () => {
    const all = [...DOC.matchAll(/<!-- (?:bytes|table): ([\w-]+) -->/g)].map((m) => m[1]!);
    expect(all.filter((name) => !used.has(name))).toEqual([]);
  });
});
