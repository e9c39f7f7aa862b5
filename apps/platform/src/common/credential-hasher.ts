import { createHash, pbkdf2, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: object,
) => Promise<Buffer>;
const pbkdf2Async = promisify(pbkdf2);

/**
 * scrypt cost: N=2^14, r=8, p=1 (~50 ms on this machine class, run on libuv's thread pool so the
 * event loop keeps serving). Our secrets are 256-bit random strings, not human passwords, so the
 * hash is defence in depth for a leaked database rather than the only barrier to guessing.
 */
const SCRYPT = { N: 16384, r: 8, p: 1, keyBytes: 32, saltBytes: 16 };
/** Mosquitto 2.x password-file format: `$7$<iterations>$<b64 salt>$<b64 PBKDF2-SHA512>`. */
const MOSQUITTO = { iterations: 101, saltBytes: 12, keyBytes: 64 };

/** A fresh 256-bit secret, URL-safe base64 (43 chars). Shown to its owner once, then only hashed. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Short random id with a prefix, lower-case base32 (safe as an MQTT topic level and username). */
export function generateId(prefix: string, chars = 12): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = randomBytes(chars);
  let out = `${prefix}-`;
  for (let i = 0; i < chars; i++) out += alphabet[bytes[i]! & 31];
  return out;
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SCRYPT.saltBytes);
  const key = await scryptAsync(secret, salt, SCRYPT.keyBytes, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, keyB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(keyB64, 'base64');
  const key = await scryptAsync(secret, Buffer.from(saltB64, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** The same secret hashed the way Mosquitto's password_file expects, for an external broker. */
export async function hashForMosquitto(secret: string): Promise<string> {
  const salt = randomBytes(MOSQUITTO.saltBytes);
  const key = await pbkdf2Async(secret, salt, MOSQUITTO.iterations, MOSQUITTO.keyBytes, 'sha512');
  return `$7$${MOSQUITTO.iterations}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Fingerprint used by the in-memory verification cache (never stored). */
export function fingerprint(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}
