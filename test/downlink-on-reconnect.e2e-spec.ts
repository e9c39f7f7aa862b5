import type { SigningKey } from '@tinyfleet/artifact/verify-node';
import { decodeDeviceConfigV1, decodeOtaOfferV1, deviceDownlinkFilter, parseTopic } from '@tinyfleet/wire';
import { connect, IConnackPacket, MqttClient } from 'mqtt';
import { RolloutExecutor } from '../apps/platform/src/ota/rollouts/rollout-executor';
import { provisionByClaim } from '../device-sim/src/mqtt/provision-by-claim';
import { helloWorldVariant, newSigningKey, referenceFile, signedArtifact } from './support/artifacts';
import { provisionRequest } from './support/devices';
import { bootTestPlatform, TestPlatform } from './support/test-platform';
import { bootTimeout, waitUntil } from './support/wait';

/**
 * docs/protocol.md §1: after a device (re)connects — clean or persistent session — the platform
 * sends its current `down/config` and the offer of any unfinished OTA job, at once and without
 * spending one of the job's offer attempts (not only at the job's deadline).
 */
describe('downlinks after a device reconnects', () => {
  let platform: TestPlatform;
  let key: SigningKey;
  let device: { deviceId: string; secret: string };
  const clients: MqttClient[] = [];

  /** Connects as the device, collecting the downlink kinds it hears; subscribes unless the session resumed. */
  const connectAsDevice = async (clean: boolean) => {
    const heard: Array<{ kind: string; payload: Buffer }> = [];
    const client = connect(platform.mqttUrl, {
      clientId: device.deviceId,
      username: device.deviceId,
      password: device.secret,
      clean,
      reconnectPeriod: 0,
    });
    clients.push(client);
    const connack = await new Promise<IConnackPacket>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    client.on('message', (topic, payload) => {
      const parsed = parseTopic(topic);
      if (parsed?.scope === 'device' && parsed.direction === 'down') heard.push({ kind: parsed.kind, payload });
    });
    const resumed = connack.sessionPresent;
    if (!resumed) await client.subscribeAsync(deviceDownlinkFilter(device.deviceId), { qos: 1 });
    return { client, heard, resumed };
  };
  const waitFor = (heard: Array<{ kind: string }>, kind: string, count = 1) =>
    waitUntil(
      () => heard.filter((h) => h.kind === kind).length,
      (n) => n >= count,
    );

  beforeAll(async () => {
    platform = await bootTestPlatform('postgres', { OTA_TICK_MS: '0' });
    key = newSigningKey();
    const claim = await platform.createClaim();
    const res = await provisionByClaim(platform.provisioningUrl, claim, provisionRequest('hw-reconnect'));
    if (res.status !== 'registered') throw new Error(`registration failed: ${JSON.stringify(res)}`);
    device = { deviceId: res.deviceId, secret: res.deviceSecret! };
  }, bootTimeout());
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await platform?.stop();
  });

  it('sends the configuration on a new subscription and again when a persistent session resumes', async () => {
    const first = await connectAsDevice(false);
    expect(first.resumed).toBe(false);
    expect(await waitFor(first.heard, 'config')).toBe(1);
    await first.client.endAsync();
    const again = await connectAsDevice(false);
    expect(again.resumed).toBe(true); // no SUBSCRIBE this time: the session still holds it
    expect(await waitFor(again.heard, 'config')).toBe(1);
    expect(decodeDeviceConfigV1(again.heard.find((h) => h.kind === 'config')!.payload)).toMatchObject({
      statusIntervalS: 3600,
    });
    await again.client.endAsync();
  });

  it('offers an unfinished job again at once on reconnect, without spending an attempt', async () => {
    const trusted = await platform.api('POST', '/api/keys', {
      name: 'test key',
      publicKeyPem: key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    });
    expect(trusted.status).toBe(201);
    const artifact = signedArtifact({
      key,
      recipe: 'soil',
      name: 'hello',
      version: '1.0.0',
      model: helloWorldVariant('hello reconnect'),
      selfTestInput: referenceFile('hello_world_int8', 'test_inputs', 'x_1.57_q-63.bin'),
      selfTestOutput: referenceFile('hello_world_int8', 'expected', 'x_1.57_q-63.out.bin'),
    });
    expect((await platform.api('POST', '/api/models', artifact.upload)).status).toBe(201);
    const online = await connectAsDevice(true);
    const rollout = await platform.api('POST', '/api/rollouts', {
      name: 'reconnect',
      model: { name: 'hello', version: '1.0.0' },
      target: { deviceIds: [device.deviceId] },
      groups: [{ percent: 100, successThresholdPct: 100, errorThresholdPct: 100 }],
    });
    expect(rollout.body.skipped).toEqual([]);
    await platform.app.get(RolloutExecutor).tick(new Date());
    expect(await waitFor(online.heard, 'ota-offer')).toBe(1);
    const jobId = decodeOtaOfferV1(online.heard.find((h) => h.kind === 'ota-offer')!.payload).jobId;
    // The device loses its link before it answers, and comes back with a clean session.
    await online.client.endAsync(true);
    const back = await connectAsDevice(true);
    expect(await waitFor(back.heard, 'ota-offer')).toBe(1);
    expect(decodeOtaOfferV1(back.heard.find((h) => h.kind === 'ota-offer')!.payload).jobId).toBe(jobId);
    const job = (await platform.api('GET', `/api/ota-jobs?deviceId=${device.deviceId}`)).body[0];
    expect(job).toMatchObject({ id: jobId, state: 'NOTIFIED', attempts: 1 });
  });
});
