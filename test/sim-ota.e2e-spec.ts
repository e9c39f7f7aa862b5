import { encodeOtaContainer, manifestJson, seededSelfTestInput, type ArtifactManifest } from '@tinyfleet/artifact';
import { createKeyPair, sha256Hex, signManifest, type SigningKey } from '@tinyfleet/artifact/verify-node';
import { inspectModel, loadModel } from '@tinyfleet/tinyml';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RolloutExecutor } from '../apps/platform/src/ota/rollouts/rollout-executor';
import type { HostedNode } from '../device-sim/src/fleet/fleet-host';
import { planFleet } from '../device-sim/src/fleet/fleet-plan';
import { uciBatchStartRow } from '../device-sim/src/streams/gas.stream';
import { runOnce, weightRanges } from './support/artifacts';
import { artifactFolderUpload, buildModel, trustSigningKey } from './support/model-builds';
import { bootTestPlatform, TestPlatform } from './support/test-platform';
import { HOUR_MS as HOUR, reportHourly, startVirtualFleet, VirtualFleet } from './support/virtual-fleet';
import { bootTimeout, waitUntil } from './support/wait';

/** One boot, two real pipeline builds and the nodes' first hours (up to 240 s). */
const BOOT_AND_BUILDS_TIMEOUT_MS = bootTimeout(1, 240_000);

const T0 = Date.UTC(2026, 10, 2);
const NODES = 9;

/**
 * The drift story end to end on simulated nodes: gas-ethylene v1 (trained on UCI batches 1–6) runs on
 * nine nodes replaying the drifted batch 8; the pipeline builds v2 (adds batch 8), the platform rolls
 * it out in two groups with an accuracy health gate judged on the accuracy the nodes report from their
 * own ground-truth logs, and on-device accuracy rises. Then a broken student (v2 exported with its
 * label order rotated: it installs, passes its own self-test, scores just as confidently, and names
 * the wrong gas) is caught by the same gate and rolled back from the other slot. Real pipeline builds,
 * real MQTT and PostgreSQL, the real device agent in every node; virtual time stepped by a fake clock.
 */
describe('OTA on simulated nodes: gas-ethylene drift', () => {
  let platform: TestPlatform;
  let fleet: VirtualFleet;
  let tmp: string;
  let key: SigningKey;
  const sha: Record<string, string> = {};

  const rollout = async (id: number) => (await platform.api('GET', `/api/rollouts/${id}`)).body;
  /** An hour of node life, then one executor step at the real time (the gate windows use arrival time). */
  const hourThenTick = async () => {
    await fleet.live(HOUR);
    await platform.app.get(RolloutExecutor).tick(new Date());
  };
  const activeSha = (n: HostedNode) => n.node.slots.activeSha256Hex();

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyfleet-sim-ota-'));
    key = createKeyPair(path.join(tmp, 'key'));
    // The real pipeline: v1 and v2 in full (≈12 s each).
    const keyDir = path.join(tmp, 'key');
    await Promise.all([
      buildModel({ recipe: 'gas-ethylene', version: '1', out: path.join(tmp, 'models', 'gas-ethylene', 'v1'), keyDir }),
      buildModel({ recipe: 'gas-ethylene', version: '2', out: path.join(tmp, 'v2'), keyDir }),
    ]);
    rotatedLabels(path.join(tmp, 'v2'), path.join(tmp, 'v3'), '3.0.0', key);

    platform = await bootTestPlatform('postgres', { OTA_TICK_MS: '0', OTA_CHUNK_BYTES: '1024' });
    await trustSigningKey(platform, key.publicKey.export({ format: 'pem', type: 'spki' }).toString());
    for (const dir of [path.join(tmp, 'models', 'gas-ethylene', 'v1'), path.join(tmp, 'v2'), path.join(tmp, 'v3')]) {
      const res = await platform.api('POST', '/api/models', artifactFolderUpload(dir));
      expect(res.status).toBe(201);
      sha[res.body.version] = res.body.sha256;
    }

    // Every node starts 60 exposures into UCI batch 8 (a few apart): v1 never saw the batch, but how
    // well it guesses its first 100 rows depends on the training run (76 % for one v1 build, 97-98 %
    // for five others: seeds 1-3, before and after the 3-byte mean/std), while rows 100-200 defeat
    // every one of them (54-59 %). Each node then runs ~100 exposures on v1 and ~100 on v2, inside batch 8.
    const batch8 = uciBatchStartRow(8) + 60;
    fleet = await startVirtualFleet(platform, {
      t0Ms: T0,
      tmpDir: tmp, // its models/: the factory image, v1
      nodes: planFleet('ota', NODES, 'gas-ethylene:100').map((s) => ({ ...s, streamOffset: batch8 + 2 * s.index })),
      trustedKeyPaths: [path.join(tmp, 'key', 'ed25519.pub.pem')],
      connectConcurrency: 4,
      settleMs: 50,
    });
    reportHourly(fleet);
    await fleet.live(6 * HOUR);
  }, BOOT_AND_BUILDS_TIMEOUT_MS);

  afterAll(async () => {
    await fleet?.stop();
    await platform?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('rolls v2 out in groups past the accuracy gate, a power cut mid-write included, and on-device accuracy rises', async () => {
    for (const n of fleet.host.nodes) expect(activeSha(n)).toBe(sha['1.0.0']);
    const rxBefore = fleet.host.nodes.map((n) => n.node.ledger.exactTotals());
    const cut = fleet.host.nodes[NODES - 1]!;
    cut.node.slots.powerLossOnNextWrite = true;

    const created = await platform.api('POST', '/api/rollouts', {
      name: 'ethylene v2 (drift)',
      model: { name: 'gas-ethylene', version: '2.0.0' },
      target: { stream: 'gas-ethylene', currentModelId: 'gas-ethylene' },
      groups: [{ count: 3 }, { percent: 100 }],
      gates: { minDevicesPerSide: 2, maxAccuracyDropPct: 5, minAccuracyInferences: 20, autoRollback: true },
    });
    expect(created.status).toBe(201);
    expect(created.body.skipped).toEqual([]);
    const id = created.body.id;
    for (let h = 0; h < 24 && (await rollout(id)).state !== 'FINISHED'; h++) await hourThenTick();
    const done = await rollout(id);
    expect(done).toMatchObject({ state: 'FINISHED', groups: [{ state: 'FINISHED' }, { state: 'FINISHED' }] });
    for (const n of fleet.host.nodes) expect(activeSha(n)).toBe(sha['2.0.0']);

    // Group 1 was judged on the accuracy both sides reported over the same window: v2 ahead of v1.
    const readings = done.groups[0].gateReadings;
    expect(readings.pass).toBe(true);
    expect(readings.updated.accuracyPct).toBeGreaterThan(readings.control.accuracyPct);

    // The power cut left the old slot running; the retry installed v2.
    expect(cut.node.slots.powerLosses).toBe(1);
    const history = (await platform.api('GET', `/api/ota-jobs?deviceId=${cut.link.deviceId}`)).body[0];
    expect(history.events.map((e: { reason: string | null }) => e.reason)).toContain('power-loss');

    // The download was paid for on each node's own ledger.
    fleet.host.nodes.forEach((n, i) => {
      const now = n.node.ledger.exactTotals();
      expect(now.bytesDown - rxBefore[i]!.bytesDown).toBeGreaterThan(2000);
      expect(now.radioRxUj).toBeGreaterThan(rxBefore[i]!.radioRxUj);
    });

    await fleet.live(6 * HOUR);
    // What the nodes' own ground-truth logs say, and what reached the platform.
    expect(fleet.host.stats().linkErrors).toEqual({}); // no link trouble, and no failure inside any node's OTA agent
    const onNode = fleet.host.stats().accuracy;
    const v1 = onNode['gas-ethylene@1.0.0']!;
    const v2 = onNode['gas-ethylene@2.0.0']!;
    expect(v1.inferences).toBeGreaterThan(300);
    expect(v2.inferences).toBeGreaterThan(300);
    expect(v2.correct / v2.inferences - v1.correct / v1.inferences).toBeGreaterThan(0.1);
    await platform.app.get(RolloutExecutor).tick(new Date());
    // The nodes' last accuracy reports are still on their way: wait for the report to show them.
    type RolloutRow = { rolloutId: number; accuracyBeforePct: number | null; accuracyAfterPct: number | null };
    const rolloutRow = async (): Promise<RolloutRow | undefined> =>
      (await platform.api('GET', '/api/energy/report?format=json')).body.rollouts.find(
        (r: RolloutRow) => r.rolloutId === id,
      );
    const gain = (r: RolloutRow | undefined) => (r?.accuracyAfterPct ?? 0) - (r?.accuracyBeforePct ?? 100);
    const row = await waitUntil(rolloutRow, (r) => gain(r) > 10);
    expect(gain(row)).toBeGreaterThan(10);

    console.log(
      `gas-ethylene drift on ${NODES} nodes: gate group 1 v2 ${readings.updated.accuracyPct.toFixed(1)} % (n=${readings.updated.accuracyInferences}) vs v1 ${readings.control.accuracyPct.toFixed(1)} % (n=${readings.control.accuracyInferences}); ` +
        `on-node v1 ${((100 * v1.correct) / v1.inferences).toFixed(1)} % (n=${v1.inferences}) → v2 ${((100 * v2.correct) / v2.inferences).toFixed(1)} % (n=${v2.inferences}); ` +
        `energy report ${row!.accuracyBeforePct!.toFixed(1)} → ${row!.accuracyAfterPct!.toFixed(1)} %`,
    );
  }, 300_000);

  it('catches a broken student with the accuracy gate and rolls the group back from the other slot', async () => {
    const requestsBefore = fleet.host.nodes.map((n) => n.node.counters.published['ota-request']);
    const created = await platform.api('POST', '/api/rollouts', {
      name: 'ethylene v3 (labels rotated)',
      model: { name: 'gas-ethylene', version: '3.0.0' },
      target: { stream: 'gas-ethylene' },
      groups: [{ count: 3 }, { percent: 100 }],
      gates: { minDevicesPerSide: 2, maxAccuracyDropPct: 5, minAccuracyInferences: 20, autoRollback: true },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    for (let h = 0; h < 24 && (await rollout(id)).state === 'RUNNING'; h++) await hourThenTick();
    const stopped = await rollout(id);
    // Paused on the breach, then (autoRollback) marked rolled back; group 2 never started.
    expect(stopped.state).toBe('ROLLED_BACK');
    expect(stopped.stateReason).toMatch(
      /on-device accuracy [\d.]+ % vs [\d.]+ % on the old model \(drop [\d.]+ pts, limit 5 pts\)/,
    );
    const gate = stopped.groups[0].gateReadings;
    expect(gate.pass).toBe(false);
    expect(gate.control.accuracyPct - gate.updated.accuracyPct).toBeGreaterThan(30);
    expect(stopped.groups[1].jobs).toEqual({ CANCELED: NODES - 3 });
    const updated = fleet.host.nodes.filter(
      (_, i) => fleet.host.nodes[i]!.node.counters.published['ota-request'] > requestsBefore[i]!,
    );
    expect(updated).toHaveLength(3);

    // The automatic rollback offers v2 again; each updated node finds it in its other slot.
    const requestsAtBreach = fleet.host.nodes.map((n) => n.node.counters.published['ota-request']);
    for (let h = 0; h < 12 && fleet.host.nodes.some((n) => activeSha(n) !== sha['2.0.0']); h++) await hourThenTick();
    for (const n of fleet.host.nodes) expect(activeSha(n)).toBe(sha['2.0.0']);
    expect(fleet.host.nodes.map((n) => n.node.counters.published['ota-request'])).toEqual(requestsAtBreach); // no download
    // The platform records it as the devices' SUCCEEDED reports arrive (batched): the v3 jobs end ROLLED_BACK.
    const v3Job = async () =>
      (await platform.api('GET', `/api/ota-jobs?deviceId=${updated[0]!.link.deviceId}`)).body.find(
        (j: { rolloutId: number }) => j.rolloutId === id,
      );
    await waitUntil(v3Job, (job) => job.state === 'ROLLED_BACK');
    expect((await v3Job()).state).toBe('ROLLED_BACK');
    // The nodes' own logs agree: v3 was confidently wrong.
    const v3 = fleet.host.stats().accuracy['gas-ethylene@3.0.0']!;
    expect(v3.correct / v3.inferences).toBeLessThan(0.5);
  }, 300_000);
});

/**
 * `from` exported with its label order rotated by one — a classic export bug: the rows of the last
 * dense layer's weights, bias and per-channel scales move up one class, so the model names class k−1
 * where v2 says k. Same
 * network, sizes and ops; its self-test vector is computed from itself, so it installs cleanly. Signed
 * as `version` with a real Huffman container.
 */
function rotatedLabels(from: string, to: string, version: string, key: SigningKey): void {
  const model = new Uint8Array(fs.readFileSync(path.join(from, 'model.tflite')));
  const m = loadModel(model);
  const head = [...m.operators].reverse().find((o) => o.opName === 'FULLY_CONNECTED')!;
  const broken = new Uint8Array(model);
  const rotate = (bytes: Uint8Array, rows: number) => {
    const at = Buffer.from(model).indexOf(Buffer.from(bytes));
    if (at < 0) throw new Error('buffer not found in the file');
    const rowBytes = bytes.length / rows;
    for (let r = 0; r < rows; r++)
      broken.set(bytes.subarray(((r + 1) % rows) * rowBytes, (((r + 1) % rows) + 1) * rowBytes), at + r * rowBytes);
  };
  for (const t of [m.tensors[head.inputs[1]!]!, m.tensors[head.inputs[2]!]!]) {
    rotate(t.data!, t.shape[0]!);
    // Per-channel quantization: each output row has its own scale, which moves with the row (zero points are all 0).
    const scales = t.quantization?.scales ?? [];
    if (scales.length > 1) rotate(new Uint8Array(Float32Array.from(scales).buffer), scales.length);
  }
  const ota = encodeOtaContainer(broken, weightRanges(broken)).bytes;
  const base = JSON.parse(fs.readFileSync(path.join(from, 'manifest.json'), 'utf8')) as ArtifactManifest;
  const manifest: ArtifactManifest = {
    ...base,
    version,
    description: `${base.description} — exported with its label order rotated (test: a broken student)`,
    model: { ...base.model, sha256: sha256Hex(broken), bytes: broken.length },
    ota: { ...base.ota, sha256: sha256Hex(ota), bytes: ota.length },
    sizes: { ...base.sizes, huffmanBytes: ota.length },
    selfTest: {
      ...base.selfTest,
      expectedOutputBase64: Buffer.from(
        runOnce(broken, seededSelfTestInput(base.selfTest.seed!, inspectModel(broken).inputs)[0]!),
      ).toString('base64'),
    },
  };
  fs.mkdirSync(to, { recursive: true });
  fs.writeFileSync(path.join(to, 'model.tflite'), broken);
  fs.writeFileSync(path.join(to, 'model.tfhc'), ota);
  const json = manifestJson(manifest);
  fs.writeFileSync(path.join(to, 'manifest.json'), json);
  fs.writeFileSync(path.join(to, 'signature.json'), JSON.stringify(signManifest(manifest, json, key)));
}
