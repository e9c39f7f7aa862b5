import { deviceUplinkTopic, encodeInferenceEventV1 } from '@tinyfleet/wire';
import { connectAsync, ErrorWithReasonCode } from 'mqtt';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { provisionByClaim } from '../device-sim/src/mqtt/provision-by-claim';
import { event, provisionRequest } from './support/devices';
import { bootTestPlatform, TestPlatform } from './support/test-platform';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CLI = join(__dirname, '..', 'bin', 'tinyfleet.js');

/**
 * The device lifecycle table as an operator and a device meet it on the wire: the first connect
 * activates, a suspended or decommissioned device is refused at CONNECT (and its live session is
 * closed), a decommissioned hardware id cannot register again, and its history stays.
 */
describe('device lifecycle: suspend, resume, decommission', () => {
  let platform: TestPlatform;
  let claim: { claimId: string; claimSecret: string };
  let device: { deviceId: string; secret: string };

  const connect = (reconnectPeriod = 0) =>
    connectAsync(platform.mqttUrl, {
      clientId: device.deviceId,
      username: device.deviceId,
      password: device.secret,
      reconnectPeriod,
    });
  const refusalCode = async () => {
    const err = await connect().then(
      async (c) => (await c.endAsync(true), null),
      (e: ErrorWithReasonCode) => e,
    );
    return err?.code ?? null;
  };
  const get = async () => (await platform.api('GET', `/api/devices/${device.deviceId}`)).body;
  const until = async (what: () => Promise<boolean>, label: string) => {
    for (let i = 0; i < 200; i++) {
      if (await what()) return;
      await sleep(25);
    }
    throw new Error(`timed out waiting for ${label}`);
  };

  beforeAll(async () => {
    platform = await bootTestPlatform('pglite');
    claim = await platform.createClaim({ reregistrationPolicy: 'replace' });
    const res = await provisionByClaim(platform.provisioningUrl, claim, provisionRequest('hw-life'));
    if (res.status !== 'registered') throw new Error(`registration failed: ${JSON.stringify(res)}`);
    device = { deviceId: res.deviceId, secret: res.deviceSecret! };
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('is PROVISIONED until its first connect, then ACTIVE; the API says which operator actions apply', async () => {
    expect(await get()).toMatchObject({ lifecycle: 'PROVISIONED', allowedActions: ['decommission'] });
    const c = await connect();
    await c.publishAsync(deviceUplinkTopic(device.deviceId, 'event'), Buffer.from(encodeInferenceEventV1(event(1))), {
      qos: 1,
    });
    await until(async () => (await get()).lifecycle === 'ACTIVE', 'ACTIVE');
    expect((await get()).allowedActions).toEqual(['suspend', 'decommission']);
    // Resuming an ACTIVE device is not a move the table has: a conflict that names the rule, nothing changes.
    const resume = await platform.api('POST', `/api/devices/${device.deviceId}/resume`);
    expect(resume.status).toBe(409);
    expect(resume.body.message).toBe(`device ${device.deviceId} is ACTIVE: resume applies to SUSPENDED devices`);
    expect((await get()).lifecycle).toBe('ACTIVE');
    await c.endAsync(true);
  });

  it('suspend (tinyfleet device suspend) closes the live session and refuses CONNECT (return code 5) until resumed', async () => {
    const c = await connect();
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    const { stdout } = await promisify(execFile)(process.execPath, [
      CLI,
      'device',
      'suspend',
      device.deviceId,
      '--platform',
      platform.httpUrl,
    ]);
    expect(stdout).toBe(`device ${device.deviceId} (hw-life) is SUSPENDED; now allowed: resume, decommission\n`);
    expect(await get()).toMatchObject({ lifecycle: 'SUSPENDED', allowedActions: ['resume', 'decommission'] });
    await closed;
    await c.endAsync(true);
    expect(await refusalCode()).toBe(5);
    // Re-registering through the claim is no way around the operator: the device stays suspended.
    const again = await provisionByClaim(platform.provisioningUrl, claim, provisionRequest('hw-life'));
    expect(again.status).toBe('replaced');
    device.secret = again.status === 'replaced' ? again.deviceSecret! : device.secret;
    expect((await get()).lifecycle).toBe('SUSPENDED');
    expect(await refusalCode()).toBe(5);

    expect((await platform.api('POST', `/api/devices/${device.deviceId}/resume`)).body.lifecycle).toBe('ACTIVE');
    expect(await refusalCode()).toBeNull();
  });

  it('decommission is final: credentials refused, hardware id refused, history kept', async () => {
    const res = await platform.api('POST', `/api/devices/${device.deviceId}/decommission`);
    expect(res.body).toMatchObject({ lifecycle: 'DECOMMISSIONED', allowedActions: [], eventsCount: 1 });
    expect(await refusalCode()).toBe(5);
    const again = await provisionByClaim(platform.provisioningUrl, claim, provisionRequest('hw-life'));
    expect(again).toMatchObject({ status: 'refused', reason: 'hardware-id-taken' });
    const resume = await platform.api('POST', `/api/devices/${device.deviceId}/resume`);
    expect(resume.status).toBe(409);
    expect((await platform.api('GET', `/api/devices/${device.deviceId}/events`)).body).toHaveLength(1);
    expect((await platform.api('POST', '/api/devices/dev-nobody/suspend')).status).toBe(404);
  });
});
