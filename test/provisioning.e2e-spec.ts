import { decodeProvisionResponseV1, provisionRequestTopic, provisionResponseTopic } from '@tinyfleet/wire';
import { connectAsync } from 'mqtt';
import { randomBytes, scryptSync } from 'node:crypto';
import { DeviceConnection } from '../device-sim/src/mqtt/device-connection';
import { provisionByClaim, ProvisioningError } from '../device-sim/src/mqtt/provision-by-claim';
import { provisionRequest } from './support/devices';
import { bootTestPlatform, TestPlatform } from './support/test-platform';
import { bootTimeout } from './support/wait';

/** Registration by claim over real MQTT: every policy, every refusal reason, credentials hashed. */
describe('provisioning by claim', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await bootTestPlatform('postgres');
  }, bootTimeout());
  afterAll(async () => {
    await platform?.stop();
  });

  const register = (claim: { claimId: string; claimSecret: string }, hardwareId: string, overrides = {}) =>
    provisionByClaim(platform.mqttUrl, claim, provisionRequest(hardwareId, overrides));

  it('issues a device id and a secret that works once, stored only as a hash', async () => {
    const claim = await platform.createClaim({ tags: ['greenhouse'] });
    const res = await register(claim, 'hw-1');
    expect(res).toMatchObject({ status: 'registered', deviceId: expect.stringMatching(/^dev-[a-z2-7]{12}$/) });
    if (res.status !== 'registered') throw new Error('unreachable');
    expect(res.deviceSecret).toHaveLength(43);
    expect(res.mqttUsername).toBe(res.deviceId);

    const conn = await DeviceConnection.open(platform.mqttUrl, { deviceId: res.deviceId, secret: res.deviceSecret! });
    await conn.close();
    const device = await platform.api('GET', `/api/devices/${res.deviceId}`);
    expect(device.body).toMatchObject({
      hardwareId: 'hw-1',
      claimId: claim.claimId,
      tags: ['greenhouse'],
      mcuProfile: 'nrf52840',
      radioProfile: 'nrf52840-ble-1m',
    });
    expect(JSON.stringify(device.body)).not.toContain(res.deviceSecret);

    const stored = await queryOne(platform, 'SELECT secret_hash, broker_hash FROM devices WHERE id = $1', [
      res.deviceId,
    ]);
    // An HMAC under the platform's key (256-bit random secrets need no password KDF: credential-hasher.ts).
    expect(stored.secret_hash).toMatch(/^hmac-sha256\$[0-9a-f]{16}\$[A-Za-z0-9_-]{43}$/);
    expect(stored.broker_hash).toMatch(/^\$7\$101\$/);
    expect(stored.secret_hash).not.toContain(res.deviceSecret);
  });

  it('still admits devices and claims whose secrets were stored as scrypt hashes, and rewrites them as HMACs', async () => {
    const claim = await platform.createClaim();
    const res = await register(claim, 'hw-legacy');
    if (res.status !== 'registered') throw new Error('unreachable');
    // What the platform stored before #14, for the same secrets.
    await queryOne(platform, 'UPDATE devices SET secret_hash = $2 WHERE id = $1', [
      res.deviceId,
      legacyScrypt(res.deviceSecret!),
    ]);
    await queryOne(platform, 'UPDATE claims SET secret_hash = $2 WHERE id = $1', [
      claim.claimId,
      legacyScrypt(claim.claimSecret),
    ]);
    // A wrong secret against a scrypt hash is refused and rewrites nothing.
    await expect(
      connectAsync(platform.mqttUrl, {
        clientId: res.deviceId,
        username: res.deviceId,
        password: 'x',
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow(/Bad username or password/);
    expect(
      (await queryOne(platform, 'SELECT secret_hash FROM devices WHERE id = $1', [res.deviceId])).secret_hash,
    ).toMatch(/^scrypt\$/);

    await (
      await DeviceConnection.open(platform.mqttUrl, { deviceId: res.deviceId, secret: res.deviceSecret! })
    ).close();
    expect(await register(claim, 'hw-legacy-2')).toMatchObject({ status: 'registered' });
    const device = await queryOne(platform, 'SELECT secret_hash FROM devices WHERE id = $1', [res.deviceId]);
    const stored = await queryOne(platform, 'SELECT secret_hash FROM claims WHERE id = $1', [claim.claimId]);
    expect(device.secret_hash).toMatch(/^hmac-sha256\$/);
    expect(stored.secret_hash).toMatch(/^hmac-sha256\$/);
    // The rewritten hashes keep admitting the same secrets.
    await (
      await DeviceConnection.open(platform.mqttUrl, { deviceId: res.deviceId, secret: res.deviceSecret! })
    ).close();
    expect(await register(claim, 'hw-legacy-3')).toMatchObject({ status: 'registered' });
  });

  it('re-registration follows the claim policy: replace, reuse, refuse', async () => {
    const replace = await platform.createClaim({ reregistrationPolicy: 'replace' });
    const first = await register(replace, 'hw-r');
    const second = await register(replace, 'hw-r');
    expect(second).toMatchObject({ status: 'replaced', deviceId: (first as { deviceId: string }).deviceId });
    // the old secret no longer opens a session; the new one does
    const id = (first as { deviceId: string }).deviceId;
    await expect(
      connectAsync(platform.mqttUrl, {
        clientId: id,
        username: id,
        password: (first as { deviceSecret: string }).deviceSecret,
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow(/Bad username or password/);
    await (
      await DeviceConnection.open(platform.mqttUrl, {
        deviceId: id,
        secret: (second as { deviceSecret: string }).deviceSecret,
      })
    ).close();

    const reuse = await platform.createClaim({ reregistrationPolicy: 'reuse' });
    const a = await register(reuse, 'hw-u');
    expect(await register(reuse, 'hw-u', { firmwareVersion: '1.1.0' })).toEqual({
      status: 'reused',
      deviceId: (a as { deviceId: string }).deviceId,
      deviceSecret: null,
      mqttUsername: (a as { deviceId: string }).deviceId,
    });
    expect(
      (await platform.api('GET', `/api/devices/${(a as { deviceId: string }).deviceId}`)).body.firmwareVersion,
    ).toBe('1.1.0');

    const refuse = await platform.createClaim({ reregistrationPolicy: 'refuse' });
    await register(refuse, 'hw-x');
    expect(await register(refuse, 'hw-x')).toEqual({
      status: 'refused',
      reason: 'hardware-id-taken',
      retryAfterS: null,
    });
  });

  it('binds a hardware id to its claim (or claim group): no other claim can take it over', async () => {
    const original = await platform.createClaim({ reregistrationPolicy: 'reuse' });
    const first = await register(original, 'hw-serial-42');
    if (first.status !== 'registered') throw new Error('unreachable');
    // Someone holding another claim and knowing only the serial number gets nothing.
    const foreign = await platform.createClaim({ reregistrationPolicy: 'replace' });
    expect(await register(foreign, 'hw-serial-42')).toEqual({
      status: 'refused',
      reason: 'hardware-id-bound',
      retryAfterS: null,
    });
    await (
      await DeviceConnection.open(platform.mqttUrl, { deviceId: first.deviceId, secret: first.deviceSecret! })
    ).close();
    expect((await platform.api('GET', `/api/devices/${first.deviceId}`)).body).toMatchObject({
      claimId: original.claimId,
      provisioningScope: `claim:${original.claimId}`,
    });

    // Claims of one group may re-register each other's devices, under the registering claim's policy.
    const batchA = await platform.createClaim({ group: 'greenhouse', reregistrationPolicy: 'reuse' });
    const batchB = await platform.createClaim({ group: 'greenhouse', reregistrationPolicy: 'replace' });
    const inGroup = await register(batchA, 'hw-serial-43');
    expect(await register(batchB, 'hw-serial-43')).toMatchObject({
      status: 'replaced',
      deviceId: (inGroup as { deviceId: string }).deviceId,
    });

    // An operator may release a device explicitly; then the next claim adopts it.
    const released = await platform.api('POST', `/api/devices/${first.deviceId}/release`);
    expect(released).toMatchObject({ status: 200, body: { provisioningScope: null } });
    expect(await register(foreign, 'hw-serial-42')).toMatchObject({ status: 'replaced', deviceId: first.deviceId });
    expect((await platform.api('GET', `/api/devices/${first.deviceId}`)).body).toMatchObject({
      claimId: foreign.claimId,
      provisioningScope: `claim:${foreign.claimId}`,
    });
    expect((await platform.api('POST', '/api/devices/dev-missing0000/release')).status).toBe(404);
  });

  it('refuses MCU and radio profiles the platform does not know (every rollout would skip them)', async () => {
    const claim = await platform.createClaim();
    expect(await register(claim, 'hw-odd-1', { mcuProfile: 'my-custom-board' })).toMatchObject({
      status: 'refused',
      reason: 'unknown-profile',
    });
    expect(await register(claim, 'hw-odd-2', { radioProfile: 'smoke-signals' })).toMatchObject({
      status: 'refused',
      reason: 'unknown-profile',
    });
    // A sensor stream is the fleet's own name for what a device measures: any profile name registers.
    expect(await register(claim, 'hw-odd-3', { sensorStream: 'vibration' })).toMatchObject({ status: 'registered' });
  });

  it('refuses with a reason: exhausted, revoked, expired, profile not allowed, rate limited', async () => {
    const one = await platform.createClaim({ maxUses: 1 });
    expect((await register(one, 'hw-e1')).status).toBe('registered');
    expect(await register(one, 'hw-e2')).toMatchObject({ status: 'refused', reason: 'claim-exhausted' });

    const revoked = await platform.createClaim();
    expect((await platform.api('PATCH', `/api/claims/${revoked.claimId}`, { revoked: true })).status).toBe(200);
    expect(await register(revoked, 'hw-v')).toMatchObject({ status: 'refused', reason: 'claim-revoked' });

    const expired = await platform.createClaim({ ttlS: 1 });
    await new Promise((r) => setTimeout(r, 1100));
    expect(await register(expired, 'hw-t')).toMatchObject({ status: 'refused', reason: 'claim-expired' });

    const bound = await platform.createClaim({ mcuProfile: 'stm32l4r5', sensorStream: 'gas' });
    expect(await register(bound, 'hw-p1', { mcuProfile: 'nrf52840', sensorStream: 'gas' })).toMatchObject({
      status: 'refused',
      reason: 'profile-not-allowed',
    });
    expect(await register(bound, 'hw-p2', { mcuProfile: 'stm32l4r5', sensorStream: 'gas' })).toMatchObject({
      status: 'registered',
    });

    const slow = await platform.createClaim({ rateLimitPerMinute: 2 });
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await register(slow, `hw-s${i}`));
    expect(results.map((r) => r.status)).toEqual(['registered', 'registered', 'refused']);
    expect(results[2]).toMatchObject({ reason: 'rate-limited', retryAfterS: expect.any(Number) });

    const detail = await platform.api('GET', `/api/claims/${one.claimId}`);
    expect(detail.body).toMatchObject({ state: 'exhausted', uses: 1 });
    expect(
      detail.body.recentAttempts.map((a: { outcome: string; reason: string | null }) => [a.outcome, a.reason]),
    ).toEqual([
      ['refused', 'claim-exhausted'],
      ['registered', null],
    ]);
  });

  it('answers a malformed request with invalid-request, and refuses a wrong claim secret at CONNECT', async () => {
    const claim = await platform.createClaim();
    await expect(register({ claimId: claim.claimId, claimSecret: 'nope' }, 'hw-z')).rejects.toThrow(ProvisioningError);
    // the device library refuses to send a request that breaks the schema…
    await expect(register(claim, 'hw-bad', { mcuProfile: 'Not A Profile!' })).rejects.toThrow(/schema/);
    // …and the platform answers a malformed one with a reason code
    const sessionId = 'prov_rawsession0123456789ab';
    const c = await connectAsync(platform.mqttUrl, {
      clientId: sessionId,
      username: claim.claimId,
      password: claim.claimSecret,
      reconnectPeriod: 0,
    });
    const reply = new Promise<Buffer>((resolve) => c.on('message', (_t, p) => resolve(p)));
    await c.subscribeAsync(provisionResponseTopic(claim.claimId, sessionId), { qos: 1 });
    await c.publishAsync(provisionRequestTopic(claim.claimId, sessionId), Buffer.from([0x82, 0x01, 0x02]), { qos: 1 });
    expect(decodeProvisionResponseV1(await reply)).toEqual({
      status: 'refused',
      reason: 'invalid-request',
      retryAfterS: null,
    });
    await c.endAsync();
    // …and keeps it in the claim's audit trail, like every other attempt.
    const detail = await platform.api('GET', `/api/claims/${claim.claimId}`);
    expect(detail.body.recentAttempts).toEqual([
      expect.objectContaining({ hardwareId: null, outcome: 'refused', reason: 'invalid-request' }),
    ]);
  });

  it('lets no connection take over a client id it does not own', async () => {
    const claim = await platform.createClaim();
    const registered = async (hw: string) => {
      const res = await register(claim, hw);
      if (res.status !== 'registered') throw new Error(`registration failed: ${JSON.stringify(res)}`);
      return { deviceId: res.deviceId, secret: res.deviceSecret! };
    };
    const victim = await registered('hw-victim');
    const other = await registered('hw-other');
    const conn = await DeviceConnection.open(platform.mqttUrl, victim);
    let drops = 0;
    conn.client.on('close', () => drops++);
    const attempt = (username: string, password: string) =>
      connectAsync(platform.mqttUrl, { clientId: victim.deviceId, username, password, reconnectPeriod: 0 });
    // A device id (dev- + 12 chars = 16) once matched the session-id rule, so a claim holder got CONNACK 0.
    await expect(attempt(claim.claimId, claim.claimSecret)).rejects.toThrow(/Not authorized/);
    await expect(attempt(other.deviceId, other.secret)).rejects.toThrow(/Not authorized/);
    expect(drops).toBe(0);
    expect(conn.client.connected).toBe(true);
    expect((await platform.api('GET', `/api/devices/${victim.deviceId}`)).body.connectivity).toBe('ONLINE');
    await conn.close();
  });

  it('validates claim DTOs and lists claims without secrets', async () => {
    expect((await platform.api('POST', '/api/claims', { name: '', maxUses: 0 })).status).toBe(400);
    expect((await platform.api('POST', '/api/claims', { name: 'x', extra: 1 })).status).toBe(400);
    const list = await platform.api('GET', '/api/claims');
    expect(list.status).toBe(200);
    expect(list.body.length).toBeGreaterThan(3);
    expect(list.body.every((c: Record<string, unknown>) => !('secret' in c) && !('secretHash' in c))).toBe(true);
    expect((await platform.api('DELETE', '/api/claims/clm-missing')).status).toBe(404);
  });
});

function legacyScrypt(secret: string): string {
  const salt = randomBytes(16);
  const derived = scryptSync(secret, salt, 32, { N: 16384, r: 8, p: 1 });
  return `scrypt$16384$8$1$${salt.toString('base64')}$${derived.toString('base64')}`;
}

async function queryOne(platform: TestPlatform, text: string, params: unknown[]): Promise<Record<string, string>> {
  const { Client } = await import('pg');
  const c = new Client({ connectionString: platform.databaseUrl });
  await c.connect();
  try {
    return (await c.query(text, params)).rows[0];
  } finally {
    await c.end();
  }
}
