import { decodeProvisionResponseV1, provisionRequestTopic, provisionResponseTopic } from '@tinyfleet/wire';
import { connectAsync } from 'mqtt';
import { DeviceConnection } from '../device-sim/src/mqtt/device-connection';
import { provisionByClaim, ProvisioningError } from '../device-sim/src/mqtt/provision-by-claim';
import { provisionRequest } from './support/devices';
import { bootTestPlatform, TestPlatform } from './support/test-platform';

/** Registration by claim over real MQTT: every policy, every refusal reason, credentials hashed. */
describe('provisioning by claim', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await bootTestPlatform('postgres');
  });
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
    expect(stored.secret_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(stored.broker_hash).toMatch(/^\$7\$101\$/);
    expect(stored.secret_hash).not.toContain(res.deviceSecret);
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
    const sessionId = 'rawsession0123456789ab';
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
