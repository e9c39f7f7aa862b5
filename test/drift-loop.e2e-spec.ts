import { createKeyPair } from '@tinyfleet/artifact/verify-node';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { DriftMonitor } from '../apps/platform/src/drift/drift-monitor';
import type { VerdictRecord } from '../apps/platform/src/drift/drift-verdicts.repository';
import { RolloutExecutor } from '../apps/platform/src/ota/rollouts/rollout-executor';
import { planFleet } from '../device-sim/src/fleet/fleet-plan';
import { uciBatchStartRow, UCI_LABELS } from '../device-sim/src/streams/gas.stream';
import { evidenceSettled, settledEvidenceRequest } from './support/evidence-requests';
import { artifactFolderUpload, buildModel, exportLabelledEvidence, trustSigningKey } from './support/model-builds';
import { bootTestPlatform, TestPlatform } from './support/test-platform';
import { HOUR_MS as HOUR, MIN_MS as MIN, reportHourly, startVirtualFleet, VirtualFleet } from './support/virtual-fleet';
import { bootTimeout, waitUntil, WAIT_TIMEOUT_MS } from './support/wait';

const T0 = Date.UTC(2026, 10, 9);
/** Two cohorts (the fleet plan alternates MCU and radio) of five nodes × 12 exposures an hour × the 4 h window: 240 inferences, over the verdict's minimum of 200. */
const NODES = 10;
/** Virtual hours each node replays of UCI batch 6 (v1's own data) before batch 8 reaches it. */
const BATCH6_HOURS = 6;
const EVIDENCE_MAX_BYTES = 4096;
/**
 * UCI batch 8's rows. The files hold batches 1–6, 8 and 9 (no 7 or 10), so the first batch v1 never
 * saw is 8 — which the gas-ethylene recipe's v2 trains on as well.
 */
const BATCH8_ROWS = 294;

type Accuracy = Record<string, { inferences: number; correct: number }>;
const pct = (a: { inferences: number; correct: number }) => (100 * a.correct) / a.inferences;
const since = (now: Accuracy, then: Accuracy, model: string) => ({
  inferences: (now[model]?.inferences ?? 0) - (then[model]?.inferences ?? 0),
  correct: (now[model]?.correct ?? 0) - (then[model]?.correct ?? 0),
});

/**
 * The closing loop of #18 on simulated nodes, no ground truth on the platform side: gas-ethylene v1
 * (UCI batches 1–6, a real pipeline build) runs on ten nodes that replay the end of batch 6 and then
 * the drifted batch 8; the platform's label-free drift verdict fires; the operator asks that cohort for
 * evidence within a byte budget; the windows are labelled (from the simulator's ground truth, standing
 * in for a person), exported with the CLI, and v2 (the recipe's v2, which adds batch 8 to the training
 * data) is built with `--add-evidence` on v1's input; v2
 * rolls out behind the drift gate and both the drift verdict and the sim-known accuracy recover.
 * Real pipeline builds, real MQTT and PostgreSQL, the real device agent in every node; virtual time
 * stepped by a fake clock.
 */
describe('drift → evidence → retrain → rollout on simulated gas-ethylene nodes', () => {
  let platform: TestPlatform;
  let fleet: VirtualFleet;
  let tmp: string;
  let sql: Client;
  /** Virtual time in 5-minute steps (one UCI exposure per node per step), letting MQTT run in between. */
  const live = (virtualMs: number) => fleet.live(virtualMs, 50);
  const gas = () => fleet.host.nodes;
  /** v1's build, where the nodes' model cache finds it: their factory image. */
  const v1Dir = () => path.join(tmp, 'models', 'gas-ethylene', 'v1');
  /**
   * Waits until every node's summary of the hour before `virtualMs` is stored. Virtual time runs
   * ahead of the platform: on a loaded machine the summaries' group commits (and so their PUBACKs)
   * lag, a node holds its window open until the previous PUBACK is in, and an hour's summaries can
   * land several virtual hours late — whatever judges them must wait for them.
   */
  const summariesStored = async (virtualMs: number) => {
    const lastHour = async () =>
      (
        await sql.query(
          `SELECT count(DISTINCT device_id)::int AS n FROM inference_summaries WHERE device_time > $1 AND device_time <= $2`,
          [new Date(virtualMs - HOUR), new Date(virtualMs)],
        )
      ).rows[0].n as number;
    expect(await waitUntil(lastHour, (n) => n === NODES, 4 * WAIT_TIMEOUT_MS)).toBe(NODES);
  };
  /** The cohorts judged on every summary up to `virtualMs`. */
  const judge = async (virtualMs: number): Promise<VerdictRecord[]> => {
    await summariesStored(virtualMs);
    return platform.app.get(DriftMonitor).tick(new Date());
  };

  beforeAll(
    async () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyfleet-drift-loop-'));
      createKeyPair(path.join(tmp, 'key'));
      await buildModel({
        recipe: 'gas-ethylene',
        version: '1',
        extra: ['--quick'],
        out: v1Dir(),
        keyDir: path.join(tmp, 'key'),
      });
      platform = await bootTestPlatform('postgres', {
        OTA_TICK_MS: '0',
        EVIDENCE_TICK_MS: '0',
        DRIFT_TICK_MS: '0',
        DRIFT_WINDOW_H: '4',
      });
      sql = new Client({ connectionString: platform.databaseUrl });
      await sql.connect();
      await trustSigningKey(platform, fs.readFileSync(path.join(tmp, 'key', 'ed25519.pub.pem'), 'utf8'));
      expect((await platform.api('POST', '/api/models', artifactFolderUpload(v1Dir()))).status).toBe(201);
      // Every node reaches batch 8 after BATCH6_HOURS of batch 6 (one exposure apart).
      const batch8 = uciBatchStartRow(8);
      fleet = await startVirtualFleet(platform, {
        t0Ms: T0,
        tmpDir: tmp,
        nodes: planFleet('loop', NODES, 'gas-ethylene:100').map((s) => ({
          ...s,
          streamOffset: batch8 - BATCH6_HOURS * 12 + s.index,
        })),
        trustedKeyPaths: [path.join(tmp, 'key', 'ed25519.pub.pem')],
        connectConcurrency: 4,
        uci: { shuffledWithinBatches: true },
      });
      reportHourly(fleet);
    },
    bootTimeout(1, 180_000),
  );

  afterAll(async () => {
    await fleet?.stop();
    await sql?.end();
    await platform?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('the drift verdict fires on batch 8, evidence within budget retrains v2, the drift gate rolls it out, accuracy recovers', async () => {
    const batch8Ms = T0 + BATCH6_HOURS * HOUR;
    // 1. Batch 6, then batch 8, an hour at a time, judged each hour until the verdict says drift.
    const verdicts: VerdictRecord[] = [];
    await live(BATCH6_HOURS * HOUR);
    verdicts.push(...(await judge(fleet.clock.nowMs())));
    const atBatch8 = structuredClone(fleet.host.stats().accuracy) as Accuracy;
    let fired: VerdictRecord | undefined;
    for (let h = 0; h < 12 && !fired; h++) {
      await live(HOUR);
      const written = await judge(fleet.clock.nowMs());
      verdicts.push(...written);
      fired = written.find((v) => v.verdict === 'drift' && v.windowEndMs > batch8Ms);
    }
    expect(fired).toBeDefined();
    const falseAlarms = verdicts.filter((v) => v.windowEndMs <= batch8Ms && v.verdict === 'drift');
    const healthy = verdicts.filter((v) => v.windowEndMs <= batch8Ms && v.verdict !== 'insufficient-data');
    expect(healthy.length).toBeGreaterThan(0); // batch 6 was judged, so "no false alarm" says something
    expect(falseAlarms).toEqual([]);
    const detectionDelayH = (fired!.windowEndMs - batch8Ms) / HOUR;

    // 2. Evidence from that cohort, within the budget; each node answers from its ring of recent windows.
    const before = gas().map((n) => ({ ...n.node.counters }));
    const created = await platform.api('POST', '/api/evidence/requests', {
      model: 'gas-ethylene@1.0.0',
      selector: 'any',
      maxWindows: 8,
      maxBytes: EVIDENCE_MAX_BYTES,
      deadlineS: 86_400,
    });
    expect(created.status).toBe(201);
    expect(created.body.devices).toHaveLength(NODES);
    const id = created.body.id;
    const r = await settledEvidenceRequest(platform, fleet, id);
    expect(evidenceSettled(r)).toBe(true);
    for (const d of r.devices) {
      expect(d.windowCount).toBeGreaterThan(0);
      expect(d.plannedBytes).toBeLessThanOrEqual(EVIDENCE_MAX_BYTES);
      expect(d.receivedBytes).toBe(d.plannedBytes);
    }
    const perDevice = gas().map((n, i) => ({
      windows: r.devices.find((d) => d.deviceId === n.link.deviceId)!.windowCount,
      blobBytes: r.devices.find((d) => d.deviceId === n.link.deviceId)!.plannedBytes,
      bytesOnAir: n.node.counters.evidenceBytesOnAir - before[i]!.evidenceBytesOnAir,
      evidenceMj: (n.node.counters.evidenceUj - before[i]!.evidenceUj) / 1000,
    }));

    // 3. Labelled from the simulator's ground truth (standing in for a person), exported, v2 built with it.
    const byDevice = new Map(gas().map((n) => [n.link.deviceId!, n]));
    const windows = (await platform.api('GET', `/api/evidence/windows?requestId=${id}`)).body;
    for (const w of windows) {
      const node = byDevice.get(w.deviceId)!;
      const truth = node.node.truth.entries().find((e) => e.virtualTimeMs === Date.parse(w.deviceTime))!;
      const labelled = await platform.api('PUT', `/api/evidence/windows/${w.id}/label`, {
        label: UCI_LABELS[truth.trueLabel],
      });
      expect(labelled.status).toBe(200);
    }
    const dir = path.join(tmp, 'evidence');
    const exported = await exportLabelledEvidence(dir, id, platform.httpUrl);
    expect(exported.stdout).toMatch(new RegExp(`^${windows.length} labelled windows -> `));
    const v2Dir = path.join(tmp, 'v2');
    const built = await buildModel({
      recipe: 'gas-ethylene',
      version: '2',
      extra: ['--quick', '--input-of', v1Dir(), '--add-evidence', dir],
      out: v2Dir,
      keyDir: path.join(tmp, 'key'),
    });
    expect(built.stdout).toContain(`field evidence: ${windows.length} labelled windows from ${dir} in the train split`);
    const pushed = await platform.api('POST', '/api/models', artifactFolderUpload(v2Dir));
    expect(pushed.status).toBe(201);

    // 4. v2 behind the drift gate (no accuracy gate: nothing here needs ground truth). No soak: the
    // executor's soak runs on the wall clock, and an hour of virtual time can pass in 50 ms of it; the
    // gate waits for v2's first drift window (virtual hours of summaries) on its own.
    const rollout = await platform.api('POST', '/api/rollouts', {
      name: 'ethylene v2 with field evidence',
      model: { name: 'gas-ethylene', version: '2.0.0' },
      target: { stream: 'gas-ethylene', currentModelId: 'gas-ethylene' },
      groups: [{ count: 3 }, { percent: 100 }],
      gates: { soakS: 0, maxDriftPsi: 0.25 },
    });
    expect(rollout.status).toBe(201);
    const rid = rollout.body.id;
    const status = async () => (await platform.api('GET', `/api/rollouts/${rid}`)).body;
    const atRollout = structuredClone(fleet.host.stats().accuracy) as Accuracy;
    const inFlight = (r: { groups: { jobsInFlight: number }[] }) => r.groups.reduce((n, g) => n + g.jobsInFlight, 0);
    let rolloutHours = 0;
    for (; rolloutHours < 24 && (await status()).state === 'RUNNING'; rolloutHours++) {
      await live(HOUR);
      // The gate reads summaries by arrival: it judges the virtual hours that passed only once they are in.
      await summariesStored(fleet.clock.nowMs());
      await platform.app.get(RolloutExecutor).tick(new Date());
      // The offers are answered and the models installed (real MQTT time, the virtual clock held): an
      // install takes seconds on a device, not the virtual hours a loaded machine would make of it.
      await waitUntil(status, (r) => inFlight(r) === 0, 4 * WAIT_TIMEOUT_MS);
    }
    const done = await status();
    expect({ state: done.state, reason: done.stateReason }).toMatchObject({ state: 'FINISHED' }); // the reason if not
    const gate = done.groups[0].gateVerdicts.find((v: { gate: string }) => v.gate === 'drift');
    expect(gate).toMatchObject({ verdict: 'pass' });
    for (const n of fleet.host.nodes) expect(n.node.slots.activeSha256Hex()).toBe(pushed.body.sha256);

    // 5. After the rollout: v2's cohort judged stable, and the nodes' own ground truth says better.
    // Judged hourly until both of v2's cohorts have a verdict (after their own first window, the
    // reference here), while every node is still in batch 8: the first node reaches batch 9 — drifted
    // again, for v2 too — BATCH8_ROWS exposures in.
    const afterMs = fleet.clock.nowMs();
    const batch9Ms = T0 + (BATCH6_HOURS * 12 + BATCH8_ROWS - (NODES - 1)) * 5 * MIN;
    const inBatch8: VerdictRecord[] = [];
    const cohorts = () => new Set(inBatch8.map((v) => `${v.mcu}/${v.radio}`)).size;
    while (cohorts() < 2 && fleet.clock.nowMs() + HOUR <= batch9Ms) {
      await live(HOUR);
      const judged = (await judge(fleet.clock.nowMs())).filter((v) => v.modelVersion === '2.0.0');
      inBatch8.push(...judged.filter((v) => v.verdict !== 'insufficient-data'));
    }
    expect(cohorts()).toBe(2);
    expect(inBatch8.map((v) => v.verdict)).toEqual(inBatch8.map(() => 'stable'));
    const now = fleet.host.stats().accuracy as Accuracy;
    const v1Batch6 = atBatch8['gas-ethylene@1.0.0']!;
    const v1Batch8 = since(atRollout, atBatch8, 'gas-ethylene@1.0.0');
    const v2Batch8 = since(now, atRollout, 'gas-ethylene@2.0.0');
    expect(v2Batch8.inferences).toBeGreaterThan(300);
    expect(pct(v1Batch6) - pct(v1Batch8)).toBeGreaterThan(10); // the drift is real (sim-known)
    expect(pct(v2Batch8) - pct(v1Batch8)).toBeGreaterThan(10); // and v2 recovers it

    console.log(
      [
        `drift loop on ${NODES} gas-ethylene nodes (virtual time; 4 h windows, hourly steps):`,
        `detection delay ${detectionDelayH.toFixed(2)} h after batch 8 (window ending ${new Date(fired!.windowEndMs).toISOString()}, ${fired!.reasons.join('; ')}, reference ${fired!.referenceSource})`,
        `false alarms on batch 6: ${falseAlarms.length}/${healthy.length} judged windows`,
        `evidence per device: ${JSON.stringify(perDevice)}`,
        `${windows.length} windows labelled; rollout ${done.state} after ${rolloutHours} h, drift gate ${JSON.stringify(gate)}`,
        `v2 verdicts in batch 8, ${(fleet.clock.nowMs() - afterMs) / HOUR} h after the rollout: ${inBatch8.map((v) => `${v.verdict} PSI ${v.classMixPsi?.toFixed(3)}`).join(', ')}`,
        `accuracy (sim ground truth): v1 batch 6 ${pct(v1Batch6).toFixed(1)} % (n=${v1Batch6.inferences}) → v1 batch 8 ${pct(v1Batch8).toFixed(1)} % (n=${v1Batch8.inferences}) → v2 batch 8 ${pct(v2Batch8).toFixed(1)} % (n=${v2Batch8.inferences})`,
      ].join('\n'),
    );
  }, 420_000);
});
