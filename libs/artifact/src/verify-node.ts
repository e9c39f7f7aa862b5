/**
 * Node-only: keys and signature verification of artifact folders (node:crypto, node:fs). Used by the
 * CLI, the platform registry and the simulated device. Import as '@tinyfleet/artifact/verify-node'.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeOtaContainer } from './ota-container';
import {
  decodeDeviceManifest,
  DeviceManifestError,
  deviceManifestOf,
  encodeDeviceManifest,
  type DeviceManifest,
} from './device-manifest';
import {
  MANIFEST_FILE,
  MANIFEST_SCHEMA,
  MODEL_FILE,
  OTA_FILE,
  SIGNATURE_FILE,
  type ArtifactManifest,
  type SignatureFile,
} from './manifest.types';
import { signedMessage } from './signed-message';

export const PRIVATE_KEY_FILE = 'ed25519.key.pem';
export const PUBLIC_KEY_FILE = 'ed25519.pub.pem';

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Raw 32-byte Ed25519 public key (the last 32 bytes of its SPKI DER encoding). */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const der = key.export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(der.length - 32));
}

/** Key id: first 16 hex digits of sha256 of the raw public key. */
export function keyIdOf(publicKey: KeyObject): string {
  return sha256Hex(rawPublicKey(publicKey)).slice(0, 16);
}

export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function createKeyPair(dir: string): SigningKey {
  fs.mkdirSync(dir, { recursive: true });
  const priv = path.join(dir, PRIVATE_KEY_FILE);
  if (fs.existsSync(priv)) throw new Error(`${priv} already exists; refusing to overwrite a signing key`);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  fs.writeFileSync(priv, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  fs.writeFileSync(path.join(dir, PUBLIC_KEY_FILE), publicKey.export({ format: 'pem', type: 'spki' }));
  return { keyId: keyIdOf(publicKey), privateKey, publicKey };
}

export function loadSigningKey(dir: string): SigningKey {
  const file = path.join(dir, PRIVATE_KEY_FILE);
  if (!fs.existsSync(file))
    throw new Error(`no signing key at ${file} (create one with: tinyfleet keys create ${dir})`);
  const privateKey = createPrivateKey(fs.readFileSync(file));
  const publicKey = createPublicKey(privateKey);
  return { keyId: keyIdOf(publicKey), privateKey, publicKey };
}

/** Trusted public keys by key id, from PEM files (*.pem / *.pub) in the given folders or files. */
export function loadTrustedKeys(locations: string[]): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const loc of locations) {
    if (!fs.existsSync(loc)) continue;
    const files = fs.statSync(loc).isDirectory() ? fs.readdirSync(loc).map((f) => path.join(loc, f)) : [loc];
    for (const f of files) {
      if (!/\.(pem|pub)$/.test(f)) continue;
      const pem = fs.readFileSync(f, 'utf8');
      // A private key file also yields its public key, so a key folder can serve as a trust store.
      const pub = pem.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
      if (pub.asymmetricKeyType !== 'ed25519') continue;
      keys.set(keyIdOf(pub), pub);
    }
  }
  return keys;
}

/** The device manifest bytes of an artifact, given the exact bytes of its manifest.json. */
export function deviceManifestBytes(manifest: ArtifactManifest, manifestJsonBytes: Uint8Array): Uint8Array {
  return encodeDeviceManifest(deviceManifestOf(manifest, createHash('sha256').update(manifestJsonBytes).digest()));
}

/** signature.json for an artifact whose manifest.json is `manifestJsonText` (see signedMessage). */
export function signManifest(manifest: ArtifactManifest, manifestJsonText: string, key: SigningKey): SignatureFile {
  const device = deviceManifestBytes(manifest, new TextEncoder().encode(manifestJsonText));
  const sig = sign(null, signedMessage(device), key.privateKey);
  return { algorithm: 'Ed25519', keyId: key.keyId, signature: sig.toString('base64') };
}

/**
 * What a device does with a device manifest it received: the signature by a trusted key over exactly
 * these bytes (signedMessage), then the layout. The model is checked against `modelSha256` after.
 */
export function verifyDeviceManifest(
  deviceManifest: Uint8Array,
  signature: { keyId: string; signature: Uint8Array },
  trusted: Map<string, KeyObject>,
): { ok: true; manifest: DeviceManifest } | { ok: false; reason: 'signature-unknown-key' | 'signature-invalid' } {
  const key = trusted.get(signature.keyId);
  if (!key) return { ok: false, reason: 'signature-unknown-key' };
  let valid = false;
  try {
    valid = verify(null, signedMessage(deviceManifest), key, signature.signature);
  } catch {
    // a malformed signature is an invalid one
  }
  if (!valid) return { ok: false, reason: 'signature-invalid' };
  try {
    return { ok: true, manifest: decodeDeviceManifest(deviceManifest) };
  } catch (err) {
    // Signed by a trusted key yet not TFDM/1: a tool bug, not a forgery; the device refuses it the same way.
    if (err instanceof DeviceManifestError) return { ok: false, reason: 'signature-invalid' };
    throw err;
  }
}

export type VerifyResult =
  { ok: true; manifest: ArtifactManifest; keyId: string; deviceManifest: Uint8Array } | { ok: false; reason: string };

export interface ArtifactFiles {
  model: Uint8Array | null;
  manifest: Uint8Array | null;
  signature: Uint8Array | null;
  /** Optional OTA (TFHC) form; when present it must match the manifest and decode to the model. */
  ota?: Uint8Array | null;
}

/** Verify an artifact folder: hashes, signature with a trusted key, and that the OTA form decodes to the model. */
export function verifyArtifactDir(dir: string, trusted: Map<string, KeyObject>): VerifyResult {
  const read = (name: string): Uint8Array | null => {
    const f = path.join(dir, name);
    return fs.existsSync(f) ? new Uint8Array(fs.readFileSync(f)) : null;
  };
  return verifyArtifactFiles(
    { model: read(MODEL_FILE), manifest: read(MANIFEST_FILE), signature: read(SIGNATURE_FILE), ota: read(OTA_FILE) },
    trusted,
  );
}

/** The same checks on in-memory files (e.g. an upload to the registry). */
export function verifyArtifactFiles(files: ArtifactFiles, trusted: Map<string, KeyObject>): VerifyResult {
  // A device that downloaded only the OTA form verifies the .tflite it decodes from it.
  let modelBytes = files.model;
  if (!modelBytes && files.ota) {
    try {
      modelBytes = decodeOtaContainer(files.ota);
    } catch (err) {
      return { ok: false, reason: `${OTA_FILE}: ${(err as Error).message}` };
    }
  }
  const manifestBytes = files.manifest ? Buffer.from(files.manifest) : null;
  const sigBytes = files.signature ? Buffer.from(files.signature) : null;
  if (!modelBytes) return { ok: false, reason: `missing ${MODEL_FILE}` };
  if (!manifestBytes) return { ok: false, reason: `missing ${MANIFEST_FILE}` };
  if (!sigBytes) return { ok: false, reason: `missing ${SIGNATURE_FILE}` };
  let manifest: ArtifactManifest;
  let sig: SignatureFile;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as ArtifactManifest;
  } catch (err) {
    return { ok: false, reason: `${MANIFEST_FILE} is not valid JSON: ${(err as Error).message}` };
  }
  if (manifest?.schema !== MANIFEST_SCHEMA) {
    return {
      ok: false,
      reason: `${MANIFEST_FILE} is ${JSON.stringify(manifest?.schema)}, not ${MANIFEST_SCHEMA}: rebuild or re-package the model`,
    };
  }
  try {
    sig = JSON.parse(sigBytes.toString('utf8')) as SignatureFile;
  } catch (err) {
    return { ok: false, reason: `${SIGNATURE_FILE} is not valid JSON: ${(err as Error).message}` };
  }
  if (sig.algorithm !== 'Ed25519') return { ok: false, reason: `unsupported signature algorithm ${sig.algorithm}` };
  if (manifest.signing?.keyId !== sig.keyId)
    return { ok: false, reason: `manifest names key ${manifest.signing?.keyId} but the signature is by ${sig.keyId}` };
  const key = trusted.get(sig.keyId);
  if (!key) return { ok: false, reason: `unknown signing key ${sig.keyId} (not in the trusted keys)` };
  const modelSha = sha256Hex(modelBytes);
  let device: Uint8Array;
  let valid: boolean;
  try {
    device = deviceManifestBytes(manifest, manifestBytes);
    valid = verify(null, signedMessage(device), key, Buffer.from(sig.signature, 'base64'));
  } catch (err) {
    return { ok: false, reason: `signature check failed: ${(err as Error).message}` };
  }
  if (modelSha !== manifest.model?.sha256)
    return {
      ok: false,
      reason: `${MODEL_FILE} sha256 ${modelSha} does not match the manifest (${manifest.model?.sha256})`,
    };
  if (!valid) return { ok: false, reason: 'signature does not match the model hash and manifest' };
  const ota = files.ota;
  if (ota) {
    if (sha256Hex(ota) !== manifest.ota?.sha256)
      return { ok: false, reason: `${OTA_FILE} sha256 does not match the manifest` };
    try {
      const decoded = decodeOtaContainer(new Uint8Array(ota), { modelBytes: modelBytes.length });
      if (sha256Hex(decoded) !== modelSha) return { ok: false, reason: `${OTA_FILE} does not decode to ${MODEL_FILE}` };
    } catch (err) {
      return { ok: false, reason: `${OTA_FILE}: ${(err as Error).message}` };
    }
  }
  return { ok: true, manifest, keyId: sig.keyId, deviceManifest: device };
}

/** The registry's upload form of an artifact folder (the body of POST /api/models). */
export function artifactUpload(dir: string): { manifest: string; signature: string; model: string; ota?: string } {
  const read = (name: string): Buffer => {
    const file = path.join(dir, name);
    if (!fs.existsSync(file))
      throw new Error(`${file} is missing: is ${dir} an artifact folder (tinyfleet model build … --out ${dir})?`);
    return fs.readFileSync(file);
  };
  return {
    manifest: read(MANIFEST_FILE).toString('utf8'),
    signature: read(SIGNATURE_FILE).toString('utf8'),
    model: read(MODEL_FILE).toString('base64'),
    ...(fs.existsSync(path.join(dir, OTA_FILE)) ? { ota: read(OTA_FILE).toString('base64') } : {}),
  };
}
