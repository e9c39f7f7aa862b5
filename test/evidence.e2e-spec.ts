import { createKeyPair, type SigningKey } from '@tinyfleet/artifact/verify-node';
import {
  crc32,
  EVIDENCE_MAX_CHUNK_BYTES,
  evidenceWindowBlob,
  evidenceWindowSignedBytes,
  type EvidenceChunkV1,
} from '@tinyfleet/wire';
import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EvidenceIngestService } from '../apps/platform/src/evidence/evidence-ingest.service';
import type { HostedNode } from '../device-sim/src/fleet/fleet-host';
import { planFleet } from '../device-sim/src/fleet/fleet-plan';
import { UCI_LABELS } from '../device-sim/src/streams/gas.stream';
import { evidenceSettled, settledEvidenceRequest } from './support/evidence-requests';
import { artifactFolderUpload, buildModel, exportLabelledEvidence, trustSigningKey } from './support/model-builds';
import { bootTestPlatform, TestPlatform } from './support/test-platform';
import { HOUR_MS, MIN_MS, startVirtualFleet, VirtualFleet } from './support/virtual-fleet';
import { bootTimeout, waitUntil } from './support/wait';

const T0 = Date.UTC(2026, 10, 2);
const GAS_NODES = 3;
const MAX_BYTES = 2000;

/** Examples in the training split, from the build log's `data: N train / …` line. */
const trainExamples = (stderr: string) => Number(/data: (\d+) train/.exec(stderr)?.[1]);

/**
 * Evidence end to end (#18 part B): a real pipeline build of gas-ethylene v1 runs on three simulated
 * gas nodes and a doorbell; the operator asks the gas cohort for evidence within a byte limit; each
 * node answers from its own ring of recent windows, signs and uploads them in chunks over real MQTT,
 * charged to its ledger; the platform verifies and stores them in PostgreSQL; they are labelled (here
 * from the simulator's ground truth, standing in for a person), exported with the CLI, and a build
 * with --add-evidence has them in its training split. The doorbell, whose evidence is off by default,
 * declines; a forged window is refused and counted.
 */
describe('evidence on request: request -> upload within budget -> stored -> labelled -> export -> retrain', () => {
  let platform: TestPlatform;
  let fleet: VirtualFleet;
  let tmp: string;
  let key: SigningKey;
  let v1Stderr: string;
  const gas = (): HostedNode[] => fleet.host.nodes.filter((n) => n.spec.stream === 'gas-ethylene');

  beforeAll(
    async () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyfleet-evidence-'));
      key = createKeyPair(path.join(tmp, 'key'));
      const v1 = path.join(tmp, 'models', 'gas-ethylene', 'v1');
      v1Stderr = (
        await buildModel({
          recipe: 'gas-ethylene',
          version: '1',
          extra: ['--quick'],
          out: v1,
          keyDir: path.join(tmp, 'key'),
        })
      ).stderr;
      platform = await bootTestPlatform('postgres', { OTA_TICK_MS: '0', EVIDENCE_TICK_MS: '0' });
      await trustSigningKey(platform, key.publicKey.export({ format: 'pem', type: 'spki' }).toString());
      expect((await platform.api('POST', '/api/models', artifactFolderUpload(v1))).status).toBe(201);

      fleet = await startVirtualFleet(platform, {
        t0Ms: T0,
        tmpDir: tmp,
        nodes: planFleet('ev', GAS_NODES + 1, `gas-ethylene:${GAS_NODES},doorbell:1`),
        trustedKeyPaths: [path.join(tmp, 'key', 'ed25519.pub.pem')],
        connectConcurrency: 4,
        doorbellMaxFrames: 8,
        settleMs: 20,
      });
      // Two virtual hours: 24 UCI exposures per gas node (its ring keeps the last 8), a status each hour.
      await fleet.live(2 * HOUR_MS);
      const active = async () =>
        (await platform.api('GET', '/api/devices?limit=100')).body.items.filter(
          (d: { lifecycle: string; activeModelId?: string | null }) => d.lifecycle === 'ACTIVE',
        ).length;
      expect(await waitUntil(active, (n) => n === GAS_NODES + 1)).toBe(GAS_NODES + 1);
    },
    bootTimeout(1, 180_000),
  );

  afterAll(async () => {
    await fleet?.stop();
    await platform?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('runs the loop, and reports evidence bytes and energy per device', async () => {
    const before = gas().map((n) => ({ ...n.node.counters, tx: n.node.ledger.exactTotals().radioTxUj }));
    const created = await platform.api('POST', '/api/evidence/requests', {
      model: 'gas-ethylene@1.0.0',
      selector: 'any',
      maxWindows: 8,
      maxBytes: MAX_BYTES,
      deadlineS: 86_400,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.body.devices).toHaveLength(GAS_NODES); // the cohort: devices running that model
    const r = await settledEvidenceRequest(platform, fleet, id);
    expect(evidenceSettled(r)).toBe(true);
    for (const d of r.devices) {
      // A UCI window blob is 2 + header (26..30: score and margin take 1 or 2 bytes) + 512 (128 float32
      // features) + 32 = 572..576 bytes: three fit 2,000, four do not.
      expect(d).toMatchObject({ state: 'done', reason: null, windowCount: 3 });
      expect(d.plannedBytes).toBeGreaterThanOrEqual(3 * 572);
      expect(d.receivedBytes).toBe(d.plannedBytes);
      expect(d.plannedBytes).toBeLessThanOrEqual(MAX_BYTES);
    }

    // Every stored window is what the node's model read, with what it concluded.
    const windows = (await platform.api('GET', `/api/evidence/windows?requestId=${id}`)).body;
    expect(windows).toHaveLength(3 * GAS_NODES);
    const byDevice = new Map(gas().map((n) => [n.link.deviceId!, n]));
    for (const w of windows) {
      const node = byDevice.get(w.deviceId)!;
      const detail = (await platform.api('GET', `/api/evidence/windows/${w.id}`)).body;
      expect(detail).toMatchObject({ format: 'f32le', samples: 1, valuesPerSample: 128, model: 'gas-ethylene@1.0.0' });
      expect(detail.labels).toEqual(UCI_LABELS);
      expect(detail.channels).toHaveLength(128);
      const truth = node.node.truth.entries().find((e) => e.virtualTimeMs === Date.parse(w.deviceTime))!;
      expect(truth.predictedLabel).toBe(w.predicted);
      expect(detail.values).toEqual(Array.from(Float32Array.from(node.node.stream.values(truth.sample))));
      // Labelled from the simulator's ground truth, standing in for a person looking at the window.
      const labelled = await platform.api('PUT', `/api/evidence/windows/${w.id}/label`, {
        label: UCI_LABELS[truth.trueLabel],
      });
      expect(labelled.status).toBe(200);
    }
    expect(
      (await platform.api('PUT', `/api/evidence/windows/${windows[0].id}/label`, { label: 'coffee' })).status,
    ).toBe(400);

    // Bytes and energy per device, from each node's own ledger.
    type Listed = { id: string; mcuProfile: string; radioProfile: string };
    const listed: Listed[] = (await platform.api('GET', '/api/devices?limit=100')).body.items;
    const perDevice = gas().map((n, i) => {
      const d = listed.find((x) => x.id === n.link.deviceId)!;
      const c = n.node.counters;
      expect(c.published.evidence).toBe(3); // one chunk per window (< 2,048 bytes)
      expect(c.evidenceUj).toBeGreaterThan(0);
      // The evidence messages' radio energy is part of the node's radio TX since the request (with the rest).
      const txUj = n.node.ledger.exactTotals().radioTxUj - before[i]!.tx;
      expect(txUj + 1e-6).toBeGreaterThanOrEqual(c.evidenceUj - before[i]!.evidenceUj);
      return {
        device: n.link.deviceId,
        mcu: d.mcuProfile,
        radio: d.radioProfile,
        blobBytes: r.devices.find((x) => x.deviceId === n.link.deviceId)!.plannedBytes,
        bytesOnAir: c.evidenceBytesOnAir,
        evidenceUj: Math.round(c.evidenceUj),
      };
    });
    console.log(`evidence per device (3 windows each): ${JSON.stringify(perDevice)}`);

    // The doorbell keeps no frames until the operator sets a budget: it declines.
    const door = fleet.host.nodes.find((n) => n.spec.stream === 'doorbell')!;
    const asked = await platform.api('POST', '/api/evidence/requests', {
      modelTag: door.node.slots.activeModel!.artifact.modelTag,
      deviceIds: [door.link.deviceId],
      selector: 'any',
      maxWindows: 1,
      maxBytes: 20_000,
    });
    expect(asked.status).toBe(201);
    const doorState = async () =>
      (await platform.api('GET', `/api/evidence/requests/${asked.body.id}`)).body.devices[0];
    let ds = await doorState();
    for (let i = 0; i < 10 && ds.state === 'requested'; i++) {
      await fleet.live(5 * MIN_MS);
      ds = await waitUntil(doorState, (d) => d.state !== 'requested', 500);
    }
    expect(ds).toMatchObject({ state: 'declined', reason: 'disabled' });
    expect(door.node.evidence.ring.newestFirst()).toHaveLength(0);

    // Forged evidence is refused and counted, and nothing is stored: for a request the device declined
    // (its budget cannot hold one window of 1 byte), and — with the device out of range, so the request
    // still waits for its answer — for a window signed with a key that is not the device's.
    const forger = gas()[0]!;
    const ingest = platform.app.get(EvidenceIngestService);
    const ask = async () =>
      (
        await platform.api('POST', '/api/evidence/requests', {
          model: 'gas-ethylene@1.0.0',
          deviceIds: [forger.link.deviceId],
          selector: 'any',
          maxWindows: 1,
          maxBytes: 1,
        })
      ).body.id as number;
    const declinedId = await ask();
    const state = async (rid: number) => (await platform.api('GET', `/api/evidence/requests/${rid}`)).body.devices[0];
    expect(
      await waitUntil(
        () => state(declinedId),
        (d) => d.state === 'declined',
      ),
    ).toMatchObject({ reason: 'budget' });
    expect(await ingest.onChunk(forger.link.deviceId!, forgedChunk(declinedId, r.modelTag))).toBe('not-accepted');
    forger.link.setInRange(false);
    const pendingId = await ask();
    expect(await ingest.onChunk(forger.link.deviceId!, forgedChunk(pendingId, r.modelTag))).toBe('bad-signature');
    expect((await state(pendingId)).state).toBe('requested');
    const metrics = await platform.api('GET', '/metrics');
    expect(metrics.body).toMatch(/tinyfleet_evidence_refused_total\{reason="bad-signature"\} 1/);
    expect(metrics.body).toMatch(/tinyfleet_evidence_refused_total\{reason="not-accepted"\} 1/);
    for (const rid of [declinedId, pendingId])
      expect((await platform.api('GET', `/api/evidence/windows?requestId=${rid}`)).body).toHaveLength(0);

    // Export with the CLI, then build with --add-evidence: the windows join the training split only.
    const dir = path.join(tmp, 'evidence');
    const exported = await exportLabelledEvidence(dir, id, platform.httpUrl);
    expect(exported.stdout).toMatch(new RegExp(`^${3 * GAS_NODES} labelled windows -> `));
    const out = path.join(tmp, 'v1e');
    const built = await buildModel({
      recipe: 'gas-ethylene',
      version: '1',
      extra: ['--quick', '--add-evidence', dir],
      out,
      keyDir: path.join(tmp, 'key'),
    });
    expect(trainExamples(built.stderr)).toBe(trainExamples(v1Stderr) + 3 * GAS_NODES);
    expect(built.stdout).toContain(`field evidence: ${3 * GAS_NODES} labelled windows from ${dir} in the train split`);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.datasets.at(-1)).toMatchObject({
      name: 'field-evidence',
      split: `train only: ${3 * GAS_NODES} labelled windows requested from the fleet`,
    });
  }, 600_000);
});

/** One window blob, in one chunk, signed with a key that is not the device's. */
function forgedChunk(requestId: number, modelTag: number): EvidenceChunkV1 {
  const signed = evidenceWindowSignedBytes(
    {
      requestId,
      windowIndex: 0,
      modelTag,
      timestampMs: T0,
      label: 0,
      scoreQ: 0,
      marginQ: 0,
      format: 'u8',
      samples: 1,
      valuesPerSample: 4,
      imageWidth: 0,
      dataBytes: 4,
    },
    Uint8Array.of(1, 2, 3, 4),
  );
  const data = evidenceWindowBlob(signed, new Uint8Array(createHmac('sha256', 'not the key').update(signed).digest()));
  expect(data.length).toBeLessThan(EVIDENCE_MAX_CHUNK_BYTES);
  return { requestId, windowIndex: 0, windowCount: 1, totalBytes: data.length, offset: 0, crc32: crc32(data), data };
}
