import {
  ACCURACY_REPORT_V1_MAX_BYTES,
  DEVICE_CAPABILITIES_V1_MAX_BYTES,
  decodeAccuracyReportV1,
  decodeDeviceCapabilitiesV1,
  decodeEnergySnapshotV1,
  decodeInferenceEventV1,
  decodeInferenceSummaryV1,
  decodeStatusV1,
  ENERGY_SNAPSHOT_V1_MAX_BYTES,
  INFERENCE_EVENT_V1_MAX_BYTES,
  INFERENCE_SUMMARY_V1_MAX_BYTES,
  STATUS_V1_MAX_BYTES,
  UplinkKind,
} from '@tinyfleet/wire';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { FleetHost } from '../device-sim/src/fleet/fleet-host';
import { planFleet } from '../device-sim/src/fleet/fleet-plan';
import { FakeClock } from '../device-sim/src/node/node-ports';
import { bootTestPlatform, TestPlatform } from './support/test-platform';
import { bootTimeout } from './support/wait';

/** One boot, then a fleet registers and lives a virtual day (up to 180 s). */
const BOOT_AND_DAY_TIMEOUT_MS = bootTimeout(1, 180_000);

const DATA_DIR = process.env.FLEET_DATA_DIR ?? path.resolve(__dirname, '..', '..', 'shared');
const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 10, 1);

/**
 * 50 simulated nodes (soil, gas, doorbell; several MCU/radio builds) register by claim against a real
 * platform and live through one virtual day, stepped by a fake clock (one virtual minute per step, so
 * the day takes seconds). One doorbell is cut off for a virtual hour in the middle.
 */
describe('simulated fleet end to end (pglite)', () => {
  let platform: TestPlatform;
  let sql: Client;
  let host: FleetHost;
  let stateDir: string;
  const clock = new FakeClock(T0);
  const wire: { kind: UplinkKind; payload: Uint8Array }[] = [];
  const CUT = 'e2e-doorbell-0'; // esp32-s3 + Wi-Fi
  let bufferedAtReconnect = -1;
  let createdAtCut = -1;
  let createdAtReconnect = -1;

  beforeAll(async () => {
    platform = await bootTestPlatform('pglite');
    sql = new Client({ connectionString: platform.databaseUrl });
    await sql.connect();
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyfleet-sim-e2e-'));
    const claim = await platform.createClaim({ rateLimitPerMinute: 10_000 });
    host = new FleetHost({
      mqttUrl: platform.mqttUrl,
      claim,
      clock,
      dataDir: DATA_DIR,
      stateDir,
      modelCacheDir: path.join(stateDir, 'models'), // hermetic: only the doorbell's reference model
      doorbellMeanMotionIntervalMs: 20 * MIN,
      // 60 distinct frames (30 person, 30 empty porch): each runs through person_detect once (~60 ms).
      doorbellMaxFrames: 60,
      // More in flight only queues up behind the one database connection of embedded PGlite.
      connectConcurrency: 8,
      wireTap: (kind, payload) => wire.push({ kind, payload: payload.slice() }),
    });
    host.add(planFleet('e2e', 50, 'soil:40,gas:30,doorbell:30'));
    const t0 = Date.now();
    await host.start();
    const t1 = Date.now();
    // As if the platform had sent down/config: hourly energy snapshots keep the in-process database's
    // load (and the test's wall time) down. The node that will be cut off reports every inference.
    for (const n of host.nodes)
      n.node.applyConfig(
        {
          statusIntervalS: 3600,
          energyIntervalS: 3600,
          eventPolicy: n.spec.hardwareId === CUT ? 'every' : 'on-change',
          scoreThresholdQ: 64,
        },
        12,
      );
    for (let t = T0; t <= T0 + 24 * HOUR; t += MIN) {
      clock.set(t);
      if (t === T0 + 10 * HOUR) {
        host.find(CUT)!.link.setInRange(false);
        createdAtCut = host.find(CUT)!.node.counters.eventsCreated;
      }
      if (t === T0 + 11 * HOUR) {
        bufferedAtReconnect = host.find(CUT)!.node.buffer.size;
        createdAtReconnect = host.find(CUT)!.node.counters.eventsCreated;
        host.find(CUT)!.link.setInRange(true);
      }
      host.tick();
      await new Promise((r) => setImmediate(r)); // let MQTT I/O happen between virtual minutes
      // A node holds its next report until the last one of that kind is acknowledged: let the
      // platform keep up with virtual time however loaded this machine is (readiness, not spare CPU).
      while (host.nodes.some((n) => n.link.connected && n.node.reportsAwaitingAck > 0))
        await new Promise((r) => setTimeout(r, 5));
    }
    expect(await host.drain(15_000)).toBe(true);
    if (process.env.SIM_E2E_TIMING) console.log(`registered in ${t1 - t0} ms, virtual day in ${Date.now() - t1} ms`);
  }, BOOT_AND_DAY_TIMEOUT_MS);

  afterAll(async () => {
    await host?.stop();
    await sql?.end();
    await platform?.stop();
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  });

  const eventSeqs = async (deviceId: string): Promise<number[]> =>
    (await sql.query('SELECT seq FROM device_events WHERE device_id = $1 ORDER BY seq', [deviceId])).rows.map((r) =>
      Number(r.seq),
    );

  it('registered all 50 nodes and kept every one online', () => {
    const s = host.stats();
    expect(s.nodes).toBe(50);
    expect(s.online).toBe(50);
    expect(s.linkErrors).toEqual({});
  });

  it('stores every event exactly once: per device the seqs created on the node, no gaps, no duplicates', async () => {
    let total = 0;
    for (const { node, link } of host.nodes) {
      const seqs = await eventSeqs(link.deviceId!);
      expect(seqs).toEqual(Array.from({ length: node.counters.eventsCreated }, (_, i) => i));
      expect(node.buffer.dropped).toBe(0);
      total += seqs.length;
    }
    expect(total).toBeGreaterThan(100);
    const s = host.stats();
    expect(s.eventsCreated).toBe(total);
    expect(s.inferences).toBeGreaterThan(total * 0.9); // doorbell nodes infer on every frame
  });

  it('the node cut off for a virtual hour buffered its events and lost none', async () => {
    const { node, link } = host.find(CUT)!;
    // Samples at the cut instant are taken before the radio goes (same virtual minute): (10 h, 11 h].
    const createdOffline = createdAtReconnect - createdAtCut;
    expect(createdOffline).toBeGreaterThanOrEqual(1);
    expect(bufferedAtReconnect).toBeGreaterThanOrEqual(createdOffline); // all of them held, none sent
    expect(bufferedAtReconnect).toBeLessThanOrEqual(node.buffer.capacity);
    const rows = await sql.query('SELECT seq, device_time FROM device_events WHERE device_id = $1 ORDER BY seq', [
      link.deviceId,
    ]);
    const inGap = rows.rows.filter((r) => {
      const t = new Date(r.device_time).getTime();
      return t > T0 + 10 * HOUR && t <= T0 + 11 * HOUR;
    });
    expect(inGap.length).toBe(createdOffline);
    expect(node.counters.published.event).toBeGreaterThanOrEqual(node.counters.eventsCreated);
  });

  it('puts only conclusions on the wire: event/status/energy/summary/capabilities (+ the accuracy measuring tape), each within its size budget, never raw samples', () => {
    const kinds = new Set(wire.map((w) => w.kind));
    expect([...kinds].sort()).toEqual(['accuracy', 'capabilities', 'energy', 'event', 'status', 'summary']);
    const budget: Record<string, number> = {
      capabilities: DEVICE_CAPABILITIES_V1_MAX_BYTES,
      event: INFERENCE_EVENT_V1_MAX_BYTES,
      status: STATUS_V1_MAX_BYTES,
      energy: ENERGY_SNAPSHOT_V1_MAX_BYTES,
      accuracy: ACCURACY_REPORT_V1_MAX_BYTES,
      summary: INFERENCE_SUMMARY_V1_MAX_BYTES,
    };
    for (const w of wire) {
      expect(w.payload.byteLength).toBeLessThanOrEqual(budget[w.kind]);
      // Every payload decodes as exactly its kind's message (no room for a frame or a sample window).
      if (w.kind === 'event') {
        expect(w.payload.byteLength).toBeLessThanOrEqual(34);
        decodeInferenceEventV1(w.payload);
      }
      if (w.kind === 'status') decodeStatusV1(w.payload);
      if (w.kind === 'energy') decodeEnergySnapshotV1(w.payload);
      if (w.kind === 'accuracy') decodeAccuracyReportV1(w.payload);
      if (w.kind === 'summary') decodeInferenceSummaryV1(w.payload);
      if (w.kind === 'capabilities') decodeDeviceCapabilitiesV1(w.payload);
    }
    const biggest = Math.max(...wire.map((w) => w.payload.byteLength));
    expect(biggest).toBeLessThan(200);
    expect(biggest).toBeLessThan(9216 / 40); // a doorbell frame is 9,216 B
    const s = host.stats();
    expect(wire.length).toBe(Object.values(s.published).reduce((a, b) => a + b, 0));
    // The counterfactual moved every sample's bytes; the real fleet a tiny fraction of that.
    expect(s.rawBytesUp).toBeGreaterThan(20 * s.bytesUp);
  });

  it('energy snapshots arrive and carry both ledgers', async () => {
    const rows = (
      await sql.query(
        `SELECT DISTINCT ON (device_id) device_id, seq, counters FROM energy_snapshots ORDER BY device_id, seq DESC`,
      )
    ).rows;
    expect(rows).toHaveLength(50);
    for (const r of rows) {
      const { node } = host.nodes.find((n) => n.link.deviceId === r.device_id)!;
      // A day at hourly snapshots: 24 per node (+1 at connect, +1 after the cut-off).
      expect(Number(r.seq)).toBeGreaterThanOrEqual(23);
      const c = r.counters as Record<string, number>;
      expect(c.rawRadioUj).toBeGreaterThan(0);
      expect(c.sensingUj).toBeGreaterThan(0);
      // A 1 Hz MOX node heats for 1 s every second: never asleep. Every other node sleeps most of the day.
      if (node.stream.id === 'gas-fruit') expect(c.sleepUj).toBe(0);
      else expect(c.sleepUj).toBeGreaterThan(0);
      expect(c.samples).toBeLessThanOrEqual(node.ledger.snapshot().samples);
      expect(c.samples).toBeGreaterThan(0);
    }
  });

  it('lists every device with when its last status was stored (one request tells which nodes reported)', async () => {
    const page = (await platform.api('GET', '/api/devices?limit=100')).body as {
      items: Array<{ id: string; lastStatusAt: string | null }>;
    };
    const stored = new Map(
      (await sql.query('SELECT id, last_status_at FROM devices')).rows.map((r) => [
        r.id as string,
        (r.last_status_at as Date | null)?.toISOString() ?? null,
      ]),
    );
    expect(page.items).toHaveLength(50);
    for (const d of page.items) {
      expect(d.lastStatusAt).not.toBeNull();
      expect(d.lastStatusAt).toBe(stored.get(d.id));
    }
  });

  it('a restarted node keeps its identity (no new registration) and its event seqs keep increasing', async () => {
    const id = 'e2e-doorbell-1';
    const old = host.find(id)!;
    const deviceId = old.link.deviceId!;
    const before = await eventSeqs(deviceId);
    await old.link.stop();
    // A wrong claim: the node can only come back with the identity it stored.
    const again = new FleetHost({
      mqttUrl: platform.mqttUrl,
      claim: { claimId: 'clm-doesnotexist', claimSecret: 'wrong-secret-wrong-secret' },
      clock,
      dataDir: DATA_DIR,
      stateDir,
      modelCacheDir: path.join(stateDir, 'models'),
      doorbellMaxFrames: 60,
    });
    try {
      again.add([old.spec]);
      await again.start();
      const restarted = again.nodes[0];
      expect(restarted.link.connected).toBe(true);
      expect(restarted.link.deviceId).toBe(deviceId);
      restarted.node.applyConfig(
        { statusIntervalS: 3600, energyIntervalS: 3600, eventPolicy: 'every', scoreThresholdQ: 0 },
        12,
      );
      for (let t = clock.nowMs(); t <= T0 + 26 * HOUR; t += MIN) {
        clock.set(t);
        again.tick();
        await new Promise((r) => setImmediate(r));
      }
      expect(await again.drain(10_000)).toBe(true);
      const after = await eventSeqs(deviceId);
      const fresh = after.slice(before.length);
      expect(fresh.length).toBe(restarted.node.counters.eventsCreated);
      expect(fresh.length).toBeGreaterThanOrEqual(1);
      // The first boot reserved seqs [0, 4096) in the node's state file; this boot starts above them.
      expect(fresh[0]).toBe(4096);
      expect((await platform.api('GET', '/api/devices?limit=100')).body.total).toBe(50);
    } finally {
      await again.stop();
    }
  });

  it('refuses person_detect on the ATmega328P doorbell and reports on-node accuracy from the truth log', () => {
    const s = host.stats();
    const refusals = Object.keys(s.refusals);
    expect(refusals.some((r) => /atmega328p/.test(r) && /RAM: interpreter memory 82300 B/.test(r))).toBe(true);
    const acc = s.accuracy['person-detect@1.0.0'];
    expect(acc.inferences).toBe(s.inferences);
    // person_detect on VWW frames: clearly better than chance, clearly not perfect.
    expect(acc.correct / acc.inferences).toBeGreaterThan(0.6);
    expect(acc.correct / acc.inferences).toBeLessThan(0.95);
  });
});
