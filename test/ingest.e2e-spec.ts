import { deviceDownlinkTopic, deviceUplinkTopic, encodeInferenceEventV1, provisionRequestTopic } from '@tinyfleet/wire';
import { connectAsync } from 'mqtt';
import { Client } from 'pg';
import { DeviceConnection } from '../device-sim/src/mqtt/device-connection';
import { event, registerDevice } from './support/devices';
import { bootTestPlatform, TestPlatform } from './support/test-platform';
import { bootTimeout } from './support/wait';

/**
 * The foundation end to end, on both databases: a real MQTT.js device registers by claim over the
 * embedded broker, publishes 1,000 QoS 1 events, and exactly 1,000 rows exist; spoofing and
 * malformed payloads are refused and counted.
 */
describe.each(['pglite', 'postgres'] as const)('ingest end to end on %s', (kind) => {
  let platform: TestPlatform;
  let sql: Client;
  let claim: { claimId: string; claimSecret: string };
  let deviceA: DeviceConnection;
  let deviceB: DeviceConnection;

  beforeAll(async () => {
    platform = await bootTestPlatform(kind);
    sql = new Client({ connectionString: platform.databaseUrl });
    await sql.connect();
    claim = await platform.createClaim();
    deviceA = await registerDevice(platform, claim, `hw-a-${kind}`);
    deviceB = await registerDevice(platform, claim, `hw-b-${kind}`);
  }, bootTimeout());

  afterAll(async () => {
    await deviceA?.close(true);
    await deviceB?.close(true);
    await sql?.end();
    await platform?.stop();
  });

  const count = async (deviceId: string): Promise<number> =>
    Number((await sql.query('SELECT count(*) AS n FROM device_events WHERE device_id = $1', [deviceId])).rows[0].n);

  it('stores 1,000 QoS 1 events exactly once, and a re-send of 100 of them changes nothing', async () => {
    await Promise.all(Array.from({ length: 1000 }, (_, i) => deviceA.publishEvent(event(i))));
    expect(await count(deviceA.deviceId)).toBe(1000);

    await Promise.all(Array.from({ length: 100 }, (_, i) => deviceA.publishEvent(event(i * 7))));
    expect(await count(deviceA.deviceId)).toBe(1000);

    const seqs = (
      await sql.query('SELECT seq FROM device_events WHERE device_id = $1 ORDER BY seq', [deviceA.deviceId])
    ).rows.map((r) => Number(r.seq));
    expect(seqs).toEqual(Array.from({ length: 1000 }, (_, i) => i));

    const detail = await platform.api('GET', `/api/devices/${deviceA.deviceId}`);
    expect(detail.body).toMatchObject({
      eventsCount: 1000,
      lastEventSeq: 999,
      lifecycle: 'ACTIVE',
      connectivity: 'ONLINE',
      sensorStream: 'soil',
    });
    const events = await platform.api('GET', `/api/devices/${deviceA.deviceId}/events?limit=5`);
    expect(events.body.map((e: { seq: number }) => e.seq)).toEqual([999, 998, 997, 996, 995]);
    expect(events.body[0]).toMatchObject({
      label: 999 % 3,
      scoreQ: 100 - (999 % 200),
      modelTag: 0xdeadbeef,
      latencyUs: 1200,
      energyUj: 35,
    });
  });

  it('refuses a device publishing as another device, and closes its session', async () => {
    const before = await count(deviceB.deviceId);
    const closed = new Promise<void>((resolve) => deviceA.client.once('close', () => resolve()));
    deviceA.client.publish(
      deviceUplinkTopic(deviceB.deviceId, 'event'),
      Buffer.from(encodeInferenceEventV1(event(5000))),
      { qos: 1 },
    );
    await closed;
    // MQTT.js would re-send the refused publish on every reconnect; this device is done.
    await deviceA.close(true);
    expect(await count(deviceB.deviceId)).toBe(before);
    await expect(metric(platform, 'tinyfleet_rejected_total{reason="acl-publish"}')).resolves.toBeGreaterThanOrEqual(1);
  });

  it("refuses a subscription to another device's downlink, and to $SYS", async () => {
    await expect(deviceB.client.subscribeAsync(deviceDownlinkTopic(deviceA.deviceId, 'config'))).rejects.toThrow();
    await expect(deviceB.client.subscribeAsync('$SYS/#')).rejects.toThrow();
    await expect(deviceB.client.subscribeAsync('tinyfleet/v1/#')).rejects.toThrow();
    await expect(metric(platform, 'tinyfleet_rejected_total{reason="acl-subscribe"}')).resolves.toBeGreaterThanOrEqual(
      3,
    );
  });

  it('refuses an event published with the claim credential', async () => {
    const sessionId = 'prov_claimsession0123456789';
    const c = await connectAsync(platform.mqttUrl, {
      clientId: sessionId,
      username: claim.claimId,
      password: claim.claimSecret,
      reconnectPeriod: 0,
    });
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    c.publish(deviceUplinkTopic(deviceB.deviceId, 'event'), Buffer.from(encodeInferenceEventV1(event(6000))), {
      qos: 1,
    });
    await closed;
    await c.endAsync(true);
    expect(Number((await sql.query('SELECT count(*) AS n FROM device_events WHERE seq = 6000')).rows[0].n)).toBe(0);
    // and a provisioning request under someone else's session id
    const c2 = await connectAsync(platform.mqttUrl, {
      clientId: 'prov_anothersession0123456',
      username: claim.claimId,
      password: claim.claimSecret,
      reconnectPeriod: 0,
    });
    const closed2 = new Promise<void>((resolve) => c2.once('close', () => resolve()));
    c2.publish(provisionRequestTopic(claim.claimId, sessionId), Buffer.from([0xa0]), { qos: 1 });
    await closed2;
    await c2.endAsync(true);
  });

  it('rejects wrong credentials at CONNECT', async () => {
    await expect(
      connectAsync(platform.mqttUrl, {
        clientId: deviceB.deviceId,
        username: deviceB.deviceId,
        password: 'wrong',
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow(/Bad username or password/);
    await expect(connectAsync(platform.mqttUrl, { clientId: 'anonymous-1', reconnectPeriod: 0 })).rejects.toThrow(
      /Bad username or password/,
    );
  });

  it('acknowledges and drops malformed and oversized payloads, counts them, and other devices carry on', async () => {
    const topic = deviceUplinkTopic(deviceB.deviceId, 'event');
    await deviceB.client.publishAsync(topic, Buffer.from([0xff, 0x00, 0x13]), { qos: 1 }); // not CBOR
    await deviceB.client.publishAsync(topic, Buffer.alloc(4096, 1), { qos: 1 }); // oversized
    await deviceB.client.publishAsync(topic, Buffer.from([0x83, 0x01, 0x02, 0x03]), { qos: 1 }); // wrong shape
    await deviceB.publishEvent(event(1));
    expect(await count(deviceB.deviceId)).toBe(1);
    const detail = await platform.api('GET', `/api/devices/${deviceB.deviceId}`);
    expect(detail.body.rejectedCount).toBe(3);
    await expect(metric(platform, 'tinyfleet_rejected_total{reason="oversized"}')).resolves.toBe(1);
    await expect(metric(platform, 'tinyfleet_rejected_total{reason="malformed"}')).resolves.toBeGreaterThanOrEqual(1);
  });

  it('registers 25 devices at once and takes their events concurrently', async () => {
    // Guards the PGlite path against interleaved protocol messages from concurrent connections.
    const many = await Promise.all(
      Array.from({ length: 25 }, (_, i) => registerDevice(platform, claim, `hw-many-${kind}-${i}`)),
    );
    await Promise.all(many.flatMap((d) => Array.from({ length: 20 }, (_, i) => d.publishEvent(event(i)))));
    const total = await sql.query('SELECT count(*) AS n FROM device_events WHERE device_id = ANY($1)', [
      many.map((d) => d.deviceId),
    ]);
    expect(Number(total.rows[0].n)).toBe(500);
    await Promise.all(many.map((d) => d.close()));
  });

  it('serves /health, /metrics, /docs-json and device listing with filters', async () => {
    expect((await platform.api('GET', '/health')).body).toMatchObject({
      status: 'ok',
      database: 'up',
      brokerMode: 'embedded',
    });
    const docs = await platform.api('GET', '/docs-json');
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/api/devices', '/api/devices/{id}', '/api/devices/{id}/events', '/api/claims']),
    );
    await expect(metric(platform, 'tinyfleet_events_ingested_total')).resolves.toBeGreaterThanOrEqual(1001);
    const page = await platform.api('GET', '/api/devices?stream=soil&sort=eventsCount&order=desc&limit=1');
    expect(page.body).toMatchObject({ total: 27, limit: 1, items: [{ id: deviceA.deviceId }] });
    expect((await platform.api('GET', '/api/devices?limit=100000')).status).toBe(400);
    expect((await platform.api('GET', '/api/devices/dev-nope')).status).toBe(404);
  });
});

async function metric(platform: TestPlatform, series: string): Promise<number> {
  const text = (await platform.api('GET', '/metrics')).body as string;
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ')[1]) : 0;
}
