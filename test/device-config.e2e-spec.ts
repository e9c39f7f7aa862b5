import type { DeviceConfigV1 } from '@tinyfleet/wire';
import { DeviceConnection } from '../device-sim/src/mqtt/device-connection';
import { registerDevice } from './support/devices';
import { bootTestPlatform, TestPlatform } from './support/test-platform';
import { bootTimeout, waitUntil } from './support/wait';

/** `down/config`: sent when a device subscribes to its downlink, and again whenever an operator changes it. */
describe('device configuration downlink', () => {
  let platform: TestPlatform;
  let device: DeviceConnection;
  const received: DeviceConfigV1[] = [];
  const receivedMatching = async (expected: DeviceConfigV1): Promise<DeviceConfigV1 | undefined> => {
    return waitUntil(() => received.find((c) => JSON.stringify(c) === JSON.stringify(expected)));
  };

  beforeAll(async () => {
    platform = await bootTestPlatform('postgres');
    const claim = await platform.createClaim();
    device = await registerDevice(platform, claim, 'hw-config');
    device.onConfig((c) => received.push(c));
    // The first push raced the listener above: subscribing again has it sent again. Not unsubscribe
    // first: aedes closes a session whose QoS 1 delivery was in flight to the filter it dropped
    // ("no such packet" in its persistence's outgoingUpdate), which a loaded machine hit.
    await device.client.subscribeAsync(`tinyfleet/v1/d/${device.deviceId}/down/+`, { qos: 1 });
  }, bootTimeout());
  afterAll(async () => {
    await device?.close();
    await platform?.stop();
  });

  it('sends the defaults on subscribe, then what the operator sets', async () => {
    const defaults: DeviceConfigV1 = {
      statusIntervalS: 3600,
      energyIntervalS: 900,
      eventPolicy: 'on-change',
      scoreThresholdQ: 0,
    };
    expect(await receivedMatching(defaults)).toEqual(defaults);
    expect((await platform.api('GET', `/api/devices/${device.deviceId}/config`)).body).toMatchObject({ custom: false });

    const set: DeviceConfigV1 = {
      statusIntervalS: 60,
      energyIntervalS: 120,
      eventPolicy: 'threshold',
      scoreThresholdQ: 40,
    };
    const res = await platform.api('PUT', `/api/devices/${device.deviceId}/config`, set);
    expect(res).toMatchObject({ status: 200, body: { ...set, custom: true } });
    expect(await receivedMatching(set)).toEqual(set);
    expect((await platform.api('GET', `/api/devices/${device.deviceId}/config`)).body).toEqual({
      ...set,
      custom: true,
    });
  });

  it('validates the configuration and the device', async () => {
    expect(
      (
        await platform.api('PUT', `/api/devices/${device.deviceId}/config`, {
          statusIntervalS: 0,
          energyIntervalS: 1,
          eventPolicy: 'never',
          scoreThresholdQ: 500,
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await platform.api('PUT', '/api/devices/dev-missing/config', {
          statusIntervalS: 1,
          energyIntervalS: 1,
          eventPolicy: 'every',
          scoreThresholdQ: 0,
        })
      ).status,
    ).toBe(404);
  });
});

describe('operator API token', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await bootTestPlatform('pglite', { API_TOKEN: 'test-token-0123456789' });
  }, bootTimeout());
  afterAll(async () => platform?.stop());

  it('refuses /api/* without the bearer token and serves it with the token; health stays open', async () => {
    const without = await fetch(`${platform.httpUrl}/api/devices`);
    expect(without.status).toBe(401);
    const wrong = await fetch(`${platform.httpUrl}/api/claims`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${platform.httpUrl}/api/devices`, {
      headers: { authorization: 'Bearer test-token-0123456789' },
    });
    expect(ok.status).toBe(200);
    expect((await fetch(`${platform.httpUrl}/health`)).status).toBe(200);
  });
});
