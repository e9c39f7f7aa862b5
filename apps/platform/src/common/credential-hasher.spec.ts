import { pbkdf2Sync } from 'node:crypto';
import { generateId, generateSecret, hashForMosquitto, hashSecret, verifySecret } from './credential-hasher';

describe('credential hasher', () => {
  it('verifies the right secret and nothing else', async () => {
    const secret = generateSecret();
    const stored = await hashSecret(secret);
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    await expect(verifySecret(secret, stored)).resolves.toBe(true);
    await expect(verifySecret(`${secret}x`, stored)).resolves.toBe(false);
    await expect(verifySecret(secret, 'garbage')).resolves.toBe(false);
    expect(await hashSecret(secret)).not.toBe(stored); // salted
  });

  it("writes Mosquitto's $7$ PBKDF2-SHA512 format (checked against a mosquitto_passwd line)", async () => {
    // `mosquitto_passwd -b pw dev1 secret` (Mosquitto 2.0.11) printed:
    const fromMosquitto =
      '$7$101$LSZp/oTnUg1VxxJp$v178FgNBdC4YhqCD6YRnfxdMU5Smls3vPkdBAOAHd2kk0FFcWCgiROVkbvTuiRoAMwL8IQqI8YcPb5Z4CaOkmA==';
    const [, , iterations, salt, hash] = fromMosquitto.split('$');
    expect(
      pbkdf2Sync('secret', Buffer.from(salt!, 'base64'), Number(iterations), 64, 'sha512').toString('base64'),
    ).toBe(hash);
    const ours = (await hashForMosquitto('secret')).split('$');
    expect(ours.slice(0, 3)).toEqual(['', '7', '101']);
    expect(pbkdf2Sync('secret', Buffer.from(ours[3]!, 'base64'), 101, 64, 'sha512').toString('base64')).toBe(ours[4]);
  });

  it('makes ids that are valid MQTT usernames and topic levels', () => {
    expect(generateId('dev')).toMatch(/^dev-[a-z2-7]{12}$/);
    expect(new Set(Array.from({ length: 1000 }, () => generateId('dev'))).size).toBe(1000);
    expect(generateSecret()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
