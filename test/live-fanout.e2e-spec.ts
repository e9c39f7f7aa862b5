import { DeviceConnection } from '../device-sim/src/mqtt/device-connection';
import { provisionByClaim } from '../device-sim/src/mqtt/provision-by-claim';
import { loadConfig } from '../apps/platform/src/config/app-config';
import { RunningPlatform, startPlatform } from '../apps/platform/src/platform';
import { provisionRequest } from './support/devices';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { bootTimeout, waitUntil } from './support/wait';

/** An open /api/events/stream: every JSON message so far. */
async function openStream(httpUrl: string): Promise<{ messages: any[]; close(): void }> {
  const abort = new AbortController();
  const res = await fetch(`${httpUrl}/api/events/stream`, { signal: abort.signal });
  if (!res.ok || !res.body) throw new Error(`stream: ${res.status}`);
  const messages: any[] = [];
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffered += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const frame = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          for (const line of frame.split('\n')) if (line.startsWith('data: ')) messages.push(JSON.parse(line.slice(6)));
        }
      }
    } catch {
      // aborted at the end of the test
    }
  })();
  return { messages, close: () => abort.abort() };
}

/**
 * Two platform instances (two Nest apps in this process, each with its own embedded broker) on one
 * real PostgreSQL: a browser on one sees what devices do on the other, through LISTEN/NOTIFY.
 */
describe('live events across platform instances', () => {
  let db: TestDatabase;
  const platforms: RunningPlatform[] = [];
  const closers: Array<() => unknown> = [];
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    // One after the other: the first runs the migrations.
    for (let i = 0; i < 2; i++)
      platforms.push(
        await startPlatform(loadConfig({ PORT: '0', MQTT_PORT: '0', LOG_LEVEL: 'error', DATABASE_URL: db.url })),
      );
  }, bootTimeout(2));
  afterAll(async () => {
    for (const close of closers) await close();
    for (const p of platforms) await p.close();
    await db?.dispose();
  }, bootTimeout());

  it("shows a device registering, connecting and reporting on one instance in the other instance's stream", async () => {
    const [a, b] = platforms as [RunningPlatform, RunningPlatform];
    const onB = await openStream(b.httpUrl);
    const onA = await openStream(a.httpUrl);
    closers.push(onA.close, onB.close);
    await waitUntil(
      async () => onB.messages.length + onA.messages.length,
      (n) => n >= 2,
    );
    expect(onB.messages[0]).toEqual({ type: 'hello', eventsPerSecond: 0 });

    const claim = await (
      await fetch(`${a.httpUrl}/api/claims`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'fan-out' }),
      })
    ).json();
    const res = await provisionByClaim(
      a.mqttUrl,
      { claimId: claim.id, claimSecret: claim.secret },
      provisionRequest('hw-fanout'),
    );
    if (res.status !== 'registered') throw new Error(JSON.stringify(res));
    const conn = await DeviceConnection.open(a.mqttUrl, { deviceId: res.deviceId, secret: res.deviceSecret! });
    closers.unshift(() => conn.close());
    for (let seq = 0; seq < 3; seq++)
      await conn.publishEvent({
        seq,
        timestampMs: Date.now(),
        modelTag: 1,
        label: 1,
        scoreQ: 90,
        latencyUs: 1000,
        energyUj: 10,
      });

    const stored = (m: any[]) =>
      m.filter((x) => x.type === 'events' && x.devices.includes(res.deviceId)).reduce((s, x) => s + x.count, 0);
    const seenOnB = await waitUntil(
      async () => [...onB.messages],
      (m) => stored(m) === 3 && m.some((x) => x.type === 'device' && x.change === 'online'),
    );
    expect(seenOnB).toEqual(
      expect.arrayContaining([
        { type: 'device', deviceId: res.deviceId, change: 'registered' },
        { type: 'device', deviceId: res.deviceId, change: 'online' },
      ]),
    );
    expect(stored(seenOnB)).toBe(3);
    // The instance that saw it shows it once: its own NOTIFYs are not applied a second time.
    await waitUntil(
      async () => stored(onA.messages),
      (n) => n === 3,
    );
    expect(onA.messages.filter((x) => x.type === 'device' && x.change === 'registered')).toHaveLength(1);
    expect(stored(onA.messages)).toBe(3);
  });
});
