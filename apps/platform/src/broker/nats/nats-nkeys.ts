import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import type { NKeyPair } from './nats-jwt';

/**
 * NATS nkeys (ed25519 keys in NATS's text form) on Node's native ed25519. The `nats` package's
 * bundled nkeys signs with tweetnacl in JavaScript: on a cluster instance that was 40 % of the CPU
 * of a registration (a fresh user key and a JWT signature each), so the two operations registration
 * needs run here through OpenSSL instead; signatures are identical (ed25519 is deterministic), which
 * `nats-nkeys.spec.ts` checks against nkeys.
 *
 * The text form: base32 (RFC 4648, no padding) of the prefix byte(s), the 32 key bytes and a
 * CRC-16/XMODEM of everything before it, little-endian. A public key has one prefix byte (the key
 * type: 'A'ccount = 0, 'O'perator = 14 << 3, 'U'ser = 20 << 3, …); a seed has two: `S` (18 << 3)
 * or'd with the key type's top bits, then the rest of the key type.
 */

export class NkeyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NkeyFormatError';
  }
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const PREFIX_SEED = 18 << 3;
export const NKEY_PREFIX = { account: 0, operator: 14 << 3, user: 20 << 3 } as const;
/** PKCS#8 DER of an ed25519 private key, up to its 32-byte seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function base32Decode(text: string): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of text) {
    const v = BASE32.indexOf(c);
    if (v < 0) throw new NkeyFormatError(`not base32: ${JSON.stringify(c)}`);
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

function withCrc(body: Uint8Array): string {
  const crc = crc16(body);
  return base32Encode(Uint8Array.from([...body, crc & 0xff, crc >>> 8]));
}

/** The public key text of 32 raw ed25519 public key bytes, e.g. `U…` for a user. */
export function encodePublicNkey(prefix: number, raw: Uint8Array): string {
  if (raw.length !== 32) throw new NkeyFormatError(`an nkey is 32 bytes, not ${raw.length}`);
  return withCrc(Uint8Array.from([prefix, ...raw]));
}

/** A seed's key type (one of NKEY_PREFIX) and its 32-byte ed25519 seed; checks the checksum. */
export function decodeSeed(seed: string): { prefix: number; raw: Uint8Array } {
  const bytes = base32Decode(seed);
  if (bytes.length !== 36) throw new NkeyFormatError('an nkey seed decodes to 36 bytes');
  const body = bytes.subarray(0, 34);
  if (crc16(body) !== (bytes[34]! | (bytes[35]! << 8))) throw new NkeyFormatError('nkey seed checksum mismatch');
  if ((bytes[0]! & 0xf8) !== PREFIX_SEED) throw new NkeyFormatError('not an nkey seed (no S prefix)');
  return { prefix: ((bytes[0]! & 7) << 5) | ((bytes[1]! & 0xf8) >> 3), raw: bytes.slice(2, 34) };
}

function rawPublicKey(key: KeyObject): Uint8Array {
  // The JWK form of an ed25519 public key is its 32 bytes (x, base64url).
  return Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url');
}

/** A signing key from its seed text, signing through Node's ed25519. */
export function nativeKeyPair(seedText: string): NKeyPair {
  const { prefix, raw } = decodeSeed(seedText);
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, raw]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = encodePublicNkey(prefix, rawPublicKey(createPublicKey(privateKey)));
  const seed = new TextEncoder().encode(seedText);
  return {
    getPublicKey: () => publicKey,
    getSeed: () => seed,
    sign: (data) => sign(null, data, privateKey),
  };
}

/** A fresh user public key whose private half is never kept (a bearer JWT's subject). */
export function freshUserPublicKey(): string {
  return encodePublicNkey(NKEY_PREFIX.user, rawPublicKey(generateKeyPairSync('ed25519').publicKey));
}
