import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { manifestJson } from './manifest-json';
import { encodeOtaContainer } from './ota-container';
import {
  MANIFEST_FILE,
  MANIFEST_SCHEMA,
  MODEL_FILE,
  OTA_FILE,
  SIGNATURE_FILE,
  type ArtifactManifest,
} from './manifest.types';
import {
  createKeyPair,
  keyIdOf,
  loadTrustedKeys,
  rawPublicKey,
  sha256Hex,
  signManifest,
  verifyArtifactDir,
  verifyArtifactFiles,
} from './verify-node';

describe('artifact signing and verification', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-artifact-'));
  const key = createKeyPair(path.join(tmp, 'keys'));
  const other = createKeyPair(path.join(tmp, 'other-keys'));
  const model = Uint8Array.from({ length: 400 }, (_, i) => (i * 37) & 0xff);
  const ota = encodeOtaContainer(model, [{ offset: 100, length: 200 }]).bytes;
  const manifest = {
    schema: MANIFEST_SCHEMA,
    name: 'unit',
    version: '1.2.3',
    model: { file: MODEL_FILE, sha256: sha256Hex(model), bytes: model.length },
    ota: { file: OTA_FILE, sha256: sha256Hex(ota), bytes: ota.length, format: 'TFHC/1' },
    arenaBytes: 64,
    ops: { FULLY_CONNECTED: 1 },
    inputs: [{ name: 'in', dtype: 'int8', shape: [1, 4], scale: 0.5, zeroPoint: -1 }],
    outputs: [{ name: 'out', dtype: 'int8', shape: [1, 2], scale: 1 / 256, zeroPoint: -128 }],
    preprocessing: null,
    labels: ['a', 'b'],
    selfTest: { seed: 7, expectedOutputBase64: 'AAA=', toleranceLsb: 1, note: 'unit' },
    minInterpreterVersion: '0.1.0',
    signing: { algorithm: 'Ed25519', keyId: key.keyId },
  } as unknown as ArtifactManifest;
  const dir = path.join(tmp, 'artifact');
  const write = (m: ArtifactManifest = manifest, k = key) => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, MODEL_FILE), model);
    fs.writeFileSync(path.join(dir, OTA_FILE), ota);
    const json = manifestJson(m);
    fs.writeFileSync(path.join(dir, MANIFEST_FILE), json);
    fs.writeFileSync(path.join(dir, SIGNATURE_FILE), JSON.stringify(signManifest(m, json, k)));
  };
  const trusted = loadTrustedKeys([path.join(tmp, 'keys')]);

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('key id is the first 16 hex digits of sha256 of the raw 32-byte public key', () => {
    expect(rawPublicKey(key.publicKey)).toHaveLength(32);
    expect(key.keyId).toBe(sha256Hex(rawPublicKey(key.publicKey)).slice(0, 16));
    expect(keyIdOf(key.publicKey)).toBe(key.keyId);
    expect(() => createKeyPair(path.join(tmp, 'keys'))).toThrow(/refusing to overwrite/);
  });

  it('a valid artifact verifies', () => {
    write();
    const r = verifyArtifactDir(dir, trusted);
    expect(r).toMatchObject({ ok: true, keyId: key.keyId });
  });

  it.each([MODEL_FILE, MANIFEST_FILE, OTA_FILE])('flipping any byte of %s fails with a reason', (file) => {
    write();
    const original = fs.readFileSync(path.join(dir, file));
    // Every byte position for small files would be slow for the manifest; sample positions across the file.
    const positions = Array.from(
      new Set(Array.from({ length: 40 }, (_, i) => Math.floor((i * original.length) / 40)).concat(original.length - 1)),
    );
    for (const pos of positions) {
      for (const bit of [0x01, 0x20]) {
        const tampered = Buffer.from(original);
        tampered[pos] ^= bit;
        fs.writeFileSync(path.join(dir, file), tampered);
        const r = verifyArtifactDir(dir, trusted);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.reason.length).toBeGreaterThan(5);
      }
    }
    fs.writeFileSync(path.join(dir, file), original);
    expect(verifyArtifactDir(dir, trusted).ok).toBe(true);
  });

  it('a changed manifest value, or only its layout, fails the signature (it covers the file’s bytes)', () => {
    write();
    fs.writeFileSync(path.join(dir, MANIFEST_FILE), manifestJson({ ...manifest, version: '9.9.9' }));
    expect(verifyArtifactDir(dir, trusted)).toEqual({ ok: false, reason: expect.stringMatching(/signature/) });
    fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest));
    const r = verifyArtifactDir(dir, trusted);
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/signature/) });
  });

  it('an unknown key fails even when its signature is valid', () => {
    write({ ...manifest, signing: { algorithm: 'Ed25519', keyId: other.keyId } }, other);
    const r = verifyArtifactDir(dir, trusted);
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/unknown signing key/) });
  });

  it('a device holding only the OTA form verifies the model it decodes', () => {
    write();
    const files = {
      model: null,
      manifest: fs.readFileSync(path.join(dir, MANIFEST_FILE)),
      signature: fs.readFileSync(path.join(dir, SIGNATURE_FILE)),
      ota,
    };
    expect(verifyArtifactFiles(files, trusted)).toMatchObject({ ok: true });
    const bad = ota.slice();
    bad[bad.length - 1] ^= 0x10;
    expect(verifyArtifactFiles({ ...files, ota: bad }, trusted).ok).toBe(false);
  });

  it('missing files are reported', () => {
    write();
    fs.rmSync(path.join(dir, SIGNATURE_FILE));
    expect(verifyArtifactDir(dir, trusted)).toEqual({ ok: false, reason: `missing ${SIGNATURE_FILE}` });
  });
});
