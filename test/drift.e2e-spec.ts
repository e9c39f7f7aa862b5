import type { SigningKey } from '@tinyfleet/artifact/verify-node';
import { deviceUplinkTopic, encodeInferenceSummaryV1, InferenceSummaryV1 } from '@tinyfleet/wire';
import { Client } from 'pg';
import { DriftMonitor } from '../apps/platform/src/drift/drift-monitor';
import { RolloutExecutor } from '../apps/platform/src/ota/rollouts/rollout-executor';
import { openDashboard } from './support/dashboard-browser';
import { event } from './support/devices';
import type { DeviceConnection } from '../device-sim/src/mqtt/device-connection';
import { helloWorldVariant, newSigningKey, referenceFile, signedArtifact, TestArtifact } from './support/artifacts';
import { otaDevice, OtaTestDevice } from './support/ota-device';
import { bootTestPlatform, TestPlatform } from './support/test-platform';
import { bootTimeout, waitUntil } from './support/wait';

const HOUR = 3_600_000;
const tagOf = (sha256Hex: string) => Buffer.from(sha256Hex, 'hex').readUInt32BE(0);

/** An hour of a two-class model on one device: `ones` of `n` inferences won class 1. */
const summary = (bootId: number, seq: number, timestampMs: number, tag: number, ones: number, n = 100) =>
  ({
    bootId,
    seq,
    timestampMs,
    windowMs: HOUR,
    marginQ: 32,
    models: [
      {
        modelTag: tag,
        inferences: n,
        classCounts: [n - ones, ones],
        scoreHistogram: [...Array(15).fill(0), n],
        lowMargin: 2,
        inputStats: [{ count: n * 4, sum: 0, sumSquares: n * 4 * 100 }],
      },
    ],
  }) satisfies InferenceSummaryV1;

/**
 * Label-free drift end to end over real MQTT and a real PostgreSQL: devices publish up/summary; the
 * platform stores each window once, refuses malformed ones, judges the cohort against its first
 * window (DriftMonitor.tick), serves the series on GET /api/drift and /metrics; and a rollout whose
 * new model fires far more often than the devices still on the old one is paused by the drift gate,
 * with no ground truth anywhere.
 */
describe('label-free drift', () => {
  let platform: TestPlatform;
  let sql: Client;
  let key: SigningKey;
  let v1: TestArtifact;
  let v2: TestArtifact;
  let fleet: OtaTestDevice[];
  const closeLater: DeviceConnection[] = [];

  beforeAll(async () => {
    platform = await bootTestPlatform('postgres', { OTA_TICK_MS: '0', DRIFT_TICK_MS: '0', DRIFT_WINDOW_H: '4' });
    sql = new Client({ connectionString: platform.databaseUrl });
    await sql.connect();
    const claim = await platform.createClaim();
    key = newSigningKey();
    const input = referenceFile('hello_world_int8', 'test_inputs', 'x_1.57_q-63.bin');
    const output = referenceFile('hello_world_int8', 'expected', 'x_1.57_q-63.out.bin');
    const base = { key, recipe: 'soil', selfTestInput: input, selfTestOutput: output };
    v1 = signedArtifact({ ...base, name: 'drift-hello', version: '1.0.0', model: helloWorldVariant('drift v1') });
    v2 = signedArtifact({ ...base, name: 'drift-hello', version: '2.0.0', model: helloWorldVariant('drift v2') });
    await platform.api('POST', '/api/keys', {
      name: 'drift test key',
      publicKeyPem: key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    });
    for (const a of [v1, v2]) expect((await platform.api('POST', '/api/models', a.upload)).status).toBe(201);
    const trustedKeys = new Map([[key.keyId, key.publicKey]]);
    fleet = [];
    for (let i = 0; i < 6; i++)
      fleet.push(
        await otaDevice(platform.mqttUrl, claim, `drift-${i}`, {
          initial: { bytes: v1.model, manifest: v1.deviceManifest },
          trustedKeys,
        }),
      );
    closeLater.push(...fleet.map((d) => d.conn));
    for (const d of fleet) await d.publishStatus();
  }, bootTimeout());
  afterAll(async () => {
    await Promise.all(closeLater.map((c) => c.close(true)));
    await sql?.end();
    await platform?.stop();
  });

  const metric = async (prefix: string) =>
    (await platform.api('GET', '/metrics')).body
      .split('\n')
      .filter((l: string) => l.startsWith(prefix))
      .map((l: string) => Number(l.split(' ').pop()));

  it('stores each window once, drops malformed ones, and judges the cohort against its first window', async () => {
    const t0 = Date.UTC(2026, 10, 27);
    const tag1 = tagOf(v1.manifest.model.sha256);
    // Hours 0..3 half class 1 (the reference window), hours 4..7 at 90 % (the model's inputs moved).
    for (const [i, d] of fleet.entries())
      for (let h = 0; h < 8; h++)
        await d.conn.publishEncoded(
          'summary',
          encodeInferenceSummaryV1(summary(i, h, t0 + h * HOUR + 1, tag1, h < 4 ? 50 : 90)),
        );
    await fleet[0]!.conn.publishEncoded(
      'summary',
      encodeInferenceSummaryV1(summary(0, 3, t0 + 3 * HOUR + 1, tag1, 50)),
    );
    const topic = deviceUplinkTopic(fleet[0]!.conn.deviceId, 'summary');
    await fleet[0]!.conn.client.publishAsync(topic, Buffer.from([0xff, 0x00]), { qos: 1 }); // not CBOR
    const bad = summary(0, 9, t0, tag1, 50);
    bad.models[0]!.classCounts = [10, 10]; // does not sum to inferences
    await fleet[0]!.conn.client.publishAsync(topic, Buffer.from(encodeUnchecked(bad)), { qos: 1 });
    const stored = await sql.query(
      `SELECT count(*)::int AS n, count(DISTINCT device_id)::int AS devices, min(model_version) AS v, min(sensor_stream) AS stream FROM inference_summaries`,
    );
    expect(stored.rows[0]).toEqual({ n: 48, devices: 6, v: '1.0.0', stream: 'soil' });

    const written = await platform.app.get(DriftMonitor).tick(new Date());
    // Sliding 4 h windows ending at 5, 6, 7 h: 60, 70, 80 % class 1 against the first window's 50 %.
    expect(written.map((v) => [(v.windowEndMs - t0) / HOUR, v.verdict])).toEqual([
      [5, 'stable'],
      [6, 'stable'],
      [7, 'drift'],
    ]);
    const api = (await platform.api('GET', '/api/drift?model=drift-hello')).body;
    expect(api.method.thresholds).toMatchObject({ classMixPsi: 0.25, minInferences: 200 });
    expect(api.cohorts).toHaveLength(1);
    expect(api.cohorts[0]).toMatchObject({
      modelId: 'drift-hello',
      modelVersion: '1.0.0',
      stream: 'soil',
      mcu: 'nrf52840',
      radio: 'nrf52840-ble-1m',
      latest: { verdict: 'drift', devices: 6, inferences: 2400 },
    });
    expect(api.cohorts[0].referenceSource).toMatch(/first 4 h/);
    expect(api.cohorts[0].series.map((p: { verdict: string }) => p.verdict)).toEqual(['stable', 'stable', 'drift']);
    expect((await platform.api('GET', '/api/drift?stream=doorbell')).body.cohorts).toEqual([]);
    expect((await platform.api('GET', '/api/drift?since=yesterday')).status).toBe(400);
    expect(await metric('tinyfleet_drift_alarm{')).toEqual([1]);
    const [psi] = await metric('tinyfleet_drift_psi{model="drift-hello",version="1.0.0",stream="soil"');
    expect(psi).toBeCloseTo(api.cohorts[0].latest.classMixPsi, 9);

    // The energy/model report names the version's drift next to its (sim-known) accuracy.
    for (const d of fleet) await d.conn.publishEvent(event(0, { timestampMs: t0 + HOUR, modelTag: tag1 }));
    const report = (await platform.api('GET', '/api/energy/report?format=json')).body;
    expect(
      report.modelVersions.find((m: { modelId: string; modelVersion: string }) => m.modelId === 'drift-hello'),
    ).toMatchObject({
      modelVersion: '1.0.0',
      drift: {
        judgedWindows: 3,
        driftWindows: 1,
        latestVerdict: 'drift',
        latestWindowEnd: new Date(t0 + 7 * HOUR).toISOString(),
      },
    });
    const html = (await platform.api('GET', '/api/energy/report?format=html')).body as string;
    expect(html).toMatch(/drift, PSI 0\.\d\d \(1 of 3 windows drift\)/);
  });

  it('the Drift view charts each cohort over time with its latest verdict and reasons (headless Chromium)', async () => {
    const ui = await openDashboard(platform.httpUrl);
    try {
      await ui.page.goto(`${platform.httpUrl}/#/drift`);
      const cohort = ui.page.locator('section', { hasText: 'drift-hello@1.0.0 · soil · nrf52840 · nrf52840-ble-1m' });
      await cohort.locator('canvas[role="img"]').waitFor();
      expect(await cohort.locator('.badge').first().textContent()).toBe('drift');
      expect(await cohort.locator('ul.error li').first().textContent()).toMatch(/^class mix PSI 0\.\d+ > 0\.25$/);
      expect(await cohort.textContent()).toMatch(/Reference: the cohort's first 4 h/);
      await ui.screenshot('drift');
      expect(ui.problems).toEqual([]);
    } finally {
      await ui.close();
    }
  });

  it('the drift gate pauses a rollout whose new model fires far more than the healthy old one, with no ground truth', async () => {
    const [tag1, tag2] = [tagOf(v1.manifest.model.sha256), tagOf(v2.manifest.model.sha256)];
    // v1 back to half class 1 for hours 8..11: its cohort's latest verdict is stable again, so the
    // devices still on it are a fair reference (a drifting old model is not: test/drift-loop).
    const t0 = Date.UTC(2026, 10, 27);
    for (const [i, d] of fleet.entries())
      for (let h = 8; h < 12; h++)
        await d.conn.publishEncoded('summary', encodeInferenceSummaryV1(summary(i, h, t0 + h * HOUR + 1, tag1, 50)));
    await waitUntil(
      async () => (await sql.query(`SELECT count(*)::int AS n FROM inference_summaries`)).rows[0].n === 72,
    );
    const verdicts = await platform.app.get(DriftMonitor).tick(new Date());
    expect(verdicts.at(-1)).toMatchObject({ verdict: 'stable', windowEndMs: t0 + 11 * HOUR });
    let clock = Date.now();
    const tick = async (advanceS: number) => {
      clock += advanceS * 1000;
      await platform.app.get(RolloutExecutor).tick(new Date(clock));
    };
    const status = async (id: number) => (await platform.api('GET', `/api/rollouts/${id}`)).body;
    const res = await platform.api('POST', '/api/rollouts', {
      name: 'v2 behind the drift gate',
      model: { name: 'drift-hello', version: '2.0.0' },
      target: { deviceIds: fleet.map((d) => d.conn.deviceId) },
      groups: [{ count: 3 }, { percent: 100 }],
      gates: { soakS: 60, maxDriftPsi: 0.25 },
    });
    expect(res.status).toBe(201);
    const id = res.body.id;
    await tick(0);
    expect(await waitUntil(async () => (await status(id)).groups[0].jobs.SUCCEEDED === 3)).toBe(true);
    const updated = fleet.filter((d) => d.slots.activeSha256Hex() === v2.manifest.model.sha256);
    expect(updated).toHaveLength(3);
    for (const d of updated) await d.publishStatus();
    await tick(61); // soak over, no summaries yet: not judged, the group waits
    expect((await status(id)).groups[0].gateReadings.notJudged).toEqual([
      'drift: no reference yet (no manifest.monitoring, no summaries from the control side)',
    ]);
    // After the rollout: v2 calls class 1 for 90 of 100, the devices still on v1 for 10 of 100.
    for (const [i, d] of fleet.entries()) {
      const on2 = updated.includes(d);
      await d.conn.publishEncoded(
        'summary',
        encodeInferenceSummaryV1(summary(1000 + i, 0, Date.now(), on2 ? tag2 : tag1, on2 ? 90 : 10)),
      );
    }
    await tick(60);
    const judged = await status(id);
    expect(judged.state).toBe('PAUSED');
    expect(judged.stateReason).toMatch(
      /^group 1 health gates: drift against the control side on the old model: class mix PSI \d+\.\d+ > 0\.25/,
    );
    expect(judged.groups[0].gateReadings).toMatchObject({
      pass: false,
      updated: { summary: { inferences: 300, classCounts: [30, 270] }, summaryDevices: 3 },
      control: { summary: { inferences: 300, classCounts: [270, 30] }, summaryDevices: 3 },
    });
    expect(judged.groups[0].gateVerdicts.find((v: { gate: string }) => v.gate === 'drift')).toMatchObject({
      verdict: 'fail',
      limit: 0.25,
    });
  });
});

/** CBOR of a summary without the codec's checks (the codec refuses to encode what it would refuse to decode). */
function encodeUnchecked(s: InferenceSummaryV1): Uint8Array {
  const { encode } = require('cbor-x') as { encode: (v: unknown) => Uint8Array };
  return encode([
    s.bootId,
    s.seq,
    s.timestampMs,
    s.windowMs,
    s.marginQ,
    s.models.map((m) => [
      m.modelTag,
      m.inferences,
      m.classCounts,
      m.scoreHistogram,
      m.lowMargin,
      m.inputStats.map((c) => [c.count, c.sum, c.sumSquares]),
    ]),
  ]);
}
