import { createHash, createHmac, pbkdf2Sync, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: object,
) => Promise<Buffer>;

/** Mosquitto 2.x password-file format: `$7$<iterations>$<b64 salt>$<b64 PBKDF2-SHA512>`. */
const MOSQUITTO = { iterations: 101, saltBytes: 12, keyBytes: 64 };
/** A credential key is at least this long: HMAC-SHA256's block-internal strength is 256 bits. */
export const CREDENTIAL_KEY_MIN_BYTES = 32;
const HMAC_PREFIX = 'hmac-sha256';

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

export interface CredentialKey {
  /** Named in every hash made with it, so a verifier picks the right key after a change of key. */
  id: string;
  bytes: Buffer;
}

/** A key's id: the first 64 bits of SHA-256 over a label and the key (names the key, reveals nothing usable). */
export function credentialKeyId(bytes: Buffer): string {
  return createHash('sha256').update('tinyfleet credential key id\0').update(bytes).digest('hex').slice(0, 16);
}

/** `ok` with `upgrade` when the stored form is older than what `hash` makes now (rewrite it). */
export type Verification = { ok: false } | { ok: true; upgrade: boolean };

/**
 * How device and claim secrets are stored: `hmac-sha256$<key id>$<base64url MAC>`.
 *
 * Why an HMAC and not a password KDF: every secret is 256 random bits made by `generateSecret`,
 * never chosen by a person. NIST SP 800-63B (5.1.2.2, look-up secrets; 5.1.1.2) asks for a salted,
 * deliberately slow KDF only for secrets under 112 bits of entropy, where an offline guesser with
 * the hash could win; at 256 bits no guesser can, and an approved one-way function suffices. A
 * keyed MAC adds that a stolen database alone does not even let a guess be checked, when the key
 * lives elsewhere (CREDENTIAL_KEY). scrypt cost ~50-80 ms of a core per check here, which capped
 * registration at a few per second; an HMAC costs microseconds and needs no per-process memo of
 * verified secrets (so N platform instances behave as one).
 *
 * scrypt hashes written before this scheme keep verifying (`upgrade: true`, so the caller stores
 * the HMAC form after that successful check); so do hashes under a retired key still in the ring.
 */
export class CredentialHasher {
  private readonly byId: Map<string, Buffer>;

  /** `current` makes new hashes; `others` (older keys) only verify. */
  constructor(
    private readonly current: CredentialKey,
    others: CredentialKey[] = [],
  ) {
    if (current.bytes.length < CREDENTIAL_KEY_MIN_BYTES)
      throw new RangeError(`a credential key needs at least ${CREDENTIAL_KEY_MIN_BYTES} bytes`);
    this.byId = new Map([...others, current].map((k) => [k.id, k.bytes]));
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  hash(secret: string): string {
    return `${HMAC_PREFIX}$${this.current.id}$${mac(this.current.bytes, secret).toString('base64url')}`;
  }

  async verify(secret: string, stored: string): Promise<Verification> {
    const parts = stored.split('$');
    if (parts[0] === HMAC_PREFIX && parts.length === 3) {
      const key = this.byId.get(parts[1]!);
      if (!key) return { ok: false };
      const expected = Buffer.from(parts[2]!, 'base64url');
      const actual = mac(key, secret);
      if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { ok: false };
      return { ok: true, upgrade: parts[1] !== this.current.id };
    }
    if (parts[0] === 'scrypt' && parts.length === 6) {
      return (await verifyScrypt(secret, parts)) ? { ok: true, upgrade: true } : { ok: false };
    }
    return { ok: false };
  }
}

function mac(key: Buffer, secret: string): Buffer {
  return createHmac('sha256', key).update(secret, 'utf8').digest();
}

/** `scrypt$N$r$p$<b64 salt>$<b64 key>`, the scheme every secret was stored in before HMAC. */
async function verifyScrypt(secret: string, parts: string[]): Promise<boolean> {
  const [, n, r, p, saltB64, keyB64] = parts as [string, string, string, string, string, string];
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  // Only parameters the old writer used: a hostile row must not make us allocate gigabytes.
  if (cost.N !== 16384 || cost.r !== 8 || cost.p !== 1) return false;
  const expected = Buffer.from(keyB64, 'base64');
  if (expected.length !== 32) return false;
  const key = await scryptAsync(secret, Buffer.from(saltB64, 'base64'), expected.length, cost);
  return timingSafeEqual(key, expected);
}

/**
 * The same secret hashed the way Mosquitto's password_file expects, for an external broker. On the
 * event loop: 101 iterations take ~0.17 ms of a core here, less than handing the job to the libuv
 * pool and back did (~0.6 ms of the event loop per registration in bench:register's profile).
 */
export function hashForMosquitto(secret: string): string {
  const salt = randomBytes(MOSQUITTO.saltBytes);
  const key = pbkdf2Sync(secret, salt, MOSQUITTO.iterations, MOSQUITTO.keyBytes, 'sha512');
  return `$7$${MOSQUITTO.iterations}$${salt.toString('base64')}$${key.toString('base64')}`;
}
