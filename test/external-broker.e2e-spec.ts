import { deviceDownlinkTopic, deviceUplinkTopic, encodeInferenceEventV1 } from '@tinyfleet/wire';
import { connectAsync } from 'mqtt';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DeviceConnection } from '../device-sim/src/mqtt/device-connection';
import { provisionByClaim } from '../device-sim/src/mqtt/provision-by-claim';
import { event, provisionRequest, registerDevice } from './support/devices';
import { MosquittoProcess, startMosquitto } from './support/mosquitto';
import { bootTestPlatform, TestPlatform } from './support/test-platform';
import { bootTimeout, waitUntil } from './support/wait';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The platform behind an external Mosquitto instead of its embedded broker, configured as
 * docs/external-broker.md says. Mosquitto enforces the device credentials and ACLs the platform
 * exports (MOSQUITTO_AUTH_DIR) and forces each device's client id to its username; claims register
 * at the platform's own endpoint. The platform consumes uplinks through shared persistent sessions
 * and acknowledges each only after storing it.
 */
describe('external Mosquitto with exported credentials and ACLs', () => {
  let mosquitto: MosquittoProcess;
  let platform: TestPlatform;
  let sql: Client;
  let a: DeviceConnection;
  let b: DeviceConnection;
  let claim: { claimId: string; claimSecret: string };
  let bSecret: string;

  beforeAll(async () => {
    mosquitto = await startMosquitto();
    platform = await bootTestPlatform('postgres', {
      MQTT_URL: mosquitto.platformUrl,
      MQTT_DEVICE_URL: mosquitto.url,
      MQTT_USERNAME: 'tinyfleet-platform',
      MQTT_PASSWORD: randomBytes(16).toString('hex'),
      MQTT_CLIENT_ID: `tf-${randomBytes(4).toString('hex')}`,
      MOSQUITTO_AUTH_DIR: mosquitto.authDir,
      MOSQUITTO_PID: String(mosquitto.pid),
    });
    sql = new Client({ connectionString: platform.databaseUrl });
    await sql.connect();
    claim = await platform.createClaim();
    a = await registerDevice(platform, claim, 'ext-a');
    const res = await provisionByClaim(platform.provisioningUrl, claim, provisionRequest('ext-b'));
    if (res.status !== 'registered') throw new Error(`registration failed: ${JSON.stringify(res)}`);
    bSecret = res.deviceSecret!;
    b = await DeviceConnection.open(platform.mqttUrl, { deviceId: res.deviceId, secret: bSecret });
  }, bootTimeout());

  afterAll(async () => {
    await a?.close(true);
    await b?.close(true);
    await sql?.end();
    await platform?.stop();
    await mosquitto?.stop();
  });

  const count = async (deviceId: string): Promise<number> =>
    Number((await sql.query('SELECT count(*) AS n FROM device_events WHERE device_id = $1', [deviceId])).rows[0].n);

  it('stores 1,000 QoS 1 events exactly once', async () => {
    expect((await platform.api('GET', '/health')).body).toMatchObject({
      brokerMode: 'external',
      mqttUrl: mosquitto.url,
      provisioningUrl: platform.provisioningUrl,
    });
    expect(platform.provisioningUrl).not.toBe(mosquitto.url);
    await Promise.all(Array.from({ length: 1000 }, (_, i) => a.publishEvent(event(i))));
    // Mosquitto acknowledges the device when it has the message; the platform stores it right after.
    await waitUntil(
      () => count(a.deviceId),
      (n) => n >= 1000,
    );
    await Promise.all(Array.from({ length: 50 }, (_, i) => a.publishEvent(event(i))));
    await a.publishEvent(event(1000));
    await waitUntil(
      () => count(a.deviceId),
      (n) => n >= 1001,
    );
    expect(await count(a.deviceId)).toBe(1001);
    expect((await platform.api('GET', `/api/devices/${a.deviceId}`)).body.eventsCount).toBe(1001);
  });

  it('Mosquitto drops a publish to another device’s topic; claims cannot log in to it at all', async () => {
    const before = await count(b.deviceId);
    await a.client.publishAsync(
      deviceUplinkTopic(b.deviceId, 'event'),
      Buffer.from(encodeInferenceEventV1(event(7000))),
      { qos: 1 },
    );
    await expect(
      connectAsync(mosquitto.url, {
        clientId: 'prov_claimsession0123456789',
        username: claim.claimId,
        password: claim.claimSecret,
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow(/Not authorized|Bad username/);
    await b.publishEvent(event(1)); // a legitimate event after the forged one
    await waitUntil(
      () => count(b.deviceId),
      (n) => n !== before,
    );
    await sleep(300);
    expect(await count(b.deviceId)).toBe(before + 1);
    expect(
      Number((await sql.query('SELECT count(*) AS n FROM device_events WHERE seq IN (7000, 7001)')).rows[0].n),
    ).toBe(0);
  });

  it("Mosquitto never delivers another device's downlink", async () => {
    const received: string[] = [];
    b.client.on('message', (topic) => received.push(topic));
    const delivered = new Promise<string>((resolve) => a.client.once('message', (topic) => resolve(topic)));
    await b.client.subscribeAsync(deviceDownlinkTopic(a.deviceId, 'config'), { qos: 1 }).catch(() => undefined);
    await b.client.subscribeAsync('tinyfleet/v1/#', { qos: 1 }).catch(() => undefined);
    const { BrokerPort } = await import('../apps/platform/src/broker/broker.port');
    await platform.app
      .get(BrokerPort)
      .publish(deviceDownlinkTopic(a.deviceId, 'config'), new Uint8Array([0x84, 1, 2, 3, 4]), 1);
    expect(await delivered).toBe(deviceDownlinkTopic(a.deviceId, 'config')); // it was sent, to its owner
    await sleep(300);
    expect(received.filter((t) => t.includes(a.deviceId))).toEqual([]);
  });

  it('lets no connection take over a device’s client id', async () => {
    let drops = 0;
    a.client.on('close', () => drops++);
    // Another device presenting a's client id: the devices' listener forces it to its own username.
    const intruder = await connectAsync(mosquitto.url, {
      clientId: a.deviceId,
      username: b.deviceId,
      password: bSecret,
      reconnectPeriod: 0,
    }).catch((err: Error) => err);
    if (!(intruder instanceof Error)) await intruder.endAsync();
    // A claim presenting a's client id at the provisioning endpoint is refused there.
    await expect(
      connectAsync(platform.provisioningUrl, {
        clientId: a.deviceId,
        username: claim.claimId,
        password: claim.claimSecret,
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow(/Not authorized/);
    // The platform's listener knows no device: a device cannot pick a free client id there.
    await expect(
      connectAsync(mosquitto.platformUrl, {
        clientId: a.deviceId,
        username: a.deviceId,
        password: 'x',
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow(/Not authorized|Bad username/);
    await sleep(300);
    expect(drops).toBe(0);
    expect(a.client.connected).toBe(true);
  });

  it('refuses wrong and anonymous credentials at CONNECT', async () => {
    await expect(
      connectAsync(platform.mqttUrl, {
        clientId: a.deviceId,
        username: a.deviceId,
        password: 'wrong',
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow(/Not authorized|Bad username/);
    await expect(connectAsync(platform.mqttUrl, { clientId: 'anon-1', reconnectPeriod: 0 })).rejects.toThrow(
      /Not authorized|Bad username/,
    );
  });
});

/**
 * The machine's own Mosquitto on 127.0.0.1:1883. It runs with `allow_anonymous true` and no ACL
 * file, so it cannot refuse spoofing (that is what the suite above proves with a Mosquitto that
 * has the exported files); here we check the platform's side of the flow on it: registration by
 * claim and exactly-once ingest through shared persistent sessions.
 */
describe('the machine Mosquitto on 1883 as external broker', () => {
  const url = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
  const clientId = `tf-${randomBytes(4).toString('hex')}`;
  let platform: TestPlatform;
  let device: DeviceConnection;

  beforeAll(async () => {
    platform = await bootTestPlatform('pglite', { MQTT_URL: url, MQTT_CLIENT_ID: clientId, MQTT_CONSUMERS: '2' });
    device = await registerDevice(platform, await platform.createClaim(), `sys-${clientId}`);
  }, bootTimeout());

  afterAll(async () => {
    await device?.close();
    await platform?.stop();
    // Leave no persistent sessions behind in the shared broker.
    for (const id of [device?.deviceId, `${clientId}-0`, `${clientId}-1`, `${clientId}-downlink`].filter(
      Boolean,
    ) as string[]) {
      const c = await connectAsync(url, { clientId: id, clean: true, reconnectPeriod: 0 });
      await c.endAsync();
    }
  });

  it('registers by claim and stores 1,000 QoS 1 events exactly once', async () => {
    await Promise.all(Array.from({ length: 1000 }, (_, i) => device.publishEvent(event(i))));
    await Promise.all(Array.from({ length: 100 }, (_, i) => device.publishEvent(event(i * 3))));
    await waitUntil(
      async () => (await platform.api('GET', `/api/devices/${device.deviceId}`)).body.eventsCount,
      (n) => n >= 1000,
    );
    await sleep(200); // duplicates still in flight must not add rows
    expect((await platform.api('GET', `/api/devices/${device.deviceId}`)).body.eventsCount).toBe(1000);
  });
});
