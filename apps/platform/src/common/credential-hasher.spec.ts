import { pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { CredentialHasher, credentialKeyId, generateId, generateSecret, hashForMosquitto } from './credential-hasher';

const key = (bytes = randomBytes(32)) => ({ id: credentialKeyId(bytes), bytes });

/** What the platform stored before HMAC (credential-hasher.ts until #14): scrypt N=2^14, r=8, p=1. */
function legacyScrypt(secret: string): string {
  const salt = randomBytes(16);
  const derived = scryptSync(secret, salt, 32, { N: 16384, r: 8, p: 1 });
  return `scrypt$16384$8$1$${salt.toString('base64')}$${derived.toString('base64')}`;
}

describe('credential hasher', () => {
  it('verifies the right secret under its key and nothing else', async () => {
    const sut = new CredentialHasher(key());
    const secret = generateSecret();
    const stored = sut.hash(secret);
    expect(stored).toMatch(new RegExp(`^hmac-sha256\\$${sut.currentKeyId}\\$[A-Za-z0-9_-]{43}$`));
    expect(stored).not.toContain(secret);
    await expect(sut.verify(secret, stored)).resolves.toEqual({ ok: true, upgrade: false });
    await expect(sut.verify(`${secret}x`, stored)).resolves.toEqual({ ok: false });
    await expect(sut.verify(secret, 'garbage')).resolves.toEqual({ ok: false });
    await expect(sut.verify(secret, `${stored}$`)).resolves.toEqual({ ok: false });
    await expect(sut.verify(secret, stored.slice(0, -2))).resolves.toEqual({ ok: false });
    // Another deployment's key does not verify this one's hashes.
    await expect(new CredentialHasher(key()).verify(secret, stored)).resolves.toEqual({ ok: false });
  });

  it('matches HMAC-SHA256 as RFC 4231 test case 2 defines it (key "Jefe")', () => {
    // RFC 4231 4.3: key "Jefe", data "what do ya want for nothing?".
    const jefe = Buffer.alloc(32);
    jefe.write('Jefe');
    // A 4-byte key is refused by the hasher; the zero-padded 32-byte form gives the same MAC (RFC 2104).
    const sut = new CredentialHasher({ id: 'k', bytes: jefe });
    const mac = Buffer.from(sut.hash('what do ya want for nothing?').split('$')[2]!, 'base64url').toString('hex');
    expect(mac).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('keeps verifying scrypt hashes from before, and asks for them to be rewritten', async () => {
    const sut = new CredentialHasher(key());
    const secret = generateSecret();
    const old = legacyScrypt(secret);
    await expect(sut.verify(secret, old)).resolves.toEqual({ ok: true, upgrade: true });
    await expect(sut.verify(`${secret}x`, old)).resolves.toEqual({ ok: false });
    // A row with hostile cost parameters is refused before any work is done.
    await expect(sut.verify(secret, old.replace('$16384$', '$1073741824$'))).resolves.toEqual({ ok: false });
  });

  it('verifies hashes of a retired key in the ring and asks for an upgrade to the current one', async () => {
    const retired = key();
    const secret = generateSecret();
    const stored = new CredentialHasher(retired).hash(secret);
    const sut = new CredentialHasher(key(), [retired]);
    await expect(sut.verify(secret, stored)).resolves.toEqual({ ok: true, upgrade: true });
    await expect(sut.verify(secret, sut.hash(secret))).resolves.toEqual({ ok: true, upgrade: false });
  });

  it('refuses a key shorter than 32 bytes', () => {
    expect(() => new CredentialHasher(key(randomBytes(31)))).toThrow(RangeError);
  });

  it("writes Mosquitto's $7$ PBKDF2-SHA512 format (checked against a mosquitto_passwd line)", async () => {
    // `mosquitto_passwd -b pw dev1 secret` (Mosquitto 2.0.11) printed:
    const fromMosquitto =
      '$7$101$LSZp/oTnUg1VxxJp$v178FgNBdC4YhqCD6YRnfxdMU5Smls3vPkdBAOAHd2kk0FFcWCgiROVkbvTuiRoAMwL8IQqI8YcPb5Z4CaOkmA==';
    const [, , iterations, salt, hash] = fromMosquitto.split('$');
    expect(
      pbkdf2Sync('secret', Buffer.from(salt!, 'base64'), Number(iterations), 64, 'sha512').toString('base64'),
    ).toBe(hash);
    const ours = hashForMosquitto('secret').split('$');
    expect(ours.slice(0, 3)).toEqual(['', '7', '101']);
    expect(pbkdf2Sync('secret', Buffer.from(ours[3]!, 'base64'), 101, 64, 'sha512').toString('base64')).toBe(ours[4]);
  });

  it('makes ids that are valid MQTT usernames and topic levels', () => {
    expect(generateId('dev')).toMatch(/^dev-[a-z2-7]{12}$/);
    expect(new Set(Array.from({ length: 1000 }, () => generateId('dev'))).size).toBe(1000);
    expect(generateSecret()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
