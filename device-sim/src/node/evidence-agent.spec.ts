import { BATTERY_PROFILES, MCU_PROFILES, RADIO_PROFILES } from '@tinyfleet/energy';
import {
  decodeEvidenceChunkV1,
  decodeEvidenceStatusV1,
  encodeEvidenceRequestV1,
  EVIDENCE_KEY_LABEL,
  splitEvidenceWindow,
  type EvidenceRequestV1,
} from '@tinyfleet/wire';
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as path from 'node:path';
import { loadPersonDetectArtifact } from '../inference/model-artifact';
import { SharedModel } from '../inference/shared-model';
import { loadDoorbellStream } from '../streams/doorbell.stream';
import type { SensorStream } from '../streams/sensor-stream';
import { EvidenceRing, type KeptWindow } from './evidence-agent';
import { MemorySeqStore } from './node-ports';
import { SimNode } from './sim-node';
import { RecordingUplink } from './testing/recording-uplink';

const DATA_DIR = process.env.FLEET_DATA_DIR ?? path.resolve(__dirname, '../../../..', 'shared');
const HOUR = 3_600_000;
const SECRET = 'sim-secret-for-evidence';

/** Connected from the start, with the device secret the platform issued. */
class EvidenceUplink extends RecordingUplink {
  override connected = true;
  override generation = 1;
  deviceSecret(): string {
    return SECRET;
  }
  statuses() {
    return this.of('evidence-status').map((p) => decodeEvidenceStatusV1(p));
  }
  chunks() {
    return this.of('evidence').map((p) => decodeEvidenceChunkV1(p));
  }
}

/** Reassembles each window blob from its chunks, as the platform does. */
function blobs(up: EvidenceUplink): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const c of up.chunks()) {
    out[c.windowIndex] ??= new Uint8Array(c.totalBytes);
    out[c.windowIndex]!.set(c.data, c.offset);
  }
  return out;
}

function verify(blob: Uint8Array): boolean {
  const key = createHmac('sha256', Buffer.from(SECRET, 'utf8')).update(EVIDENCE_KEY_LABEL).digest();
  const parts = splitEvidenceWindow(blob);
  const mac = createHmac('sha256', key).update(parts.signedBytes).digest();
  return timingSafeEqual(mac, parts.signature);
}

describe('evidence on a doorbell node (person_detect, real frames)', () => {
  let model: SharedModel;
  let frames: SensorStream;
  beforeAll(() => {
    model = new SharedModel(loadPersonDetectArtifact(DATA_DIR));
    frames = { ...loadDoorbellStream(), nextIntervalMs: () => 10 * 60_000 };
  });

  function doorbell(up: EvidenceUplink): SimNode {
    const node = new SimNode({
      hardwareId: 'door-ev',
      mcu: MCU_PROFILES.nrf52840,
      radio: RADIO_PROFILES['nrf52840-ble-1m'],
      battery: BATTERY_PROFILES['aa-alkaline-2s'],
      stream: frames,
      streamOffset: 0,
      bootMs: 0,
      seed: 7,
      seqStore: new MemorySeqStore(),
      uplink: up,
      model,
    });
    node.linkUp(0);
    return node;
  }

  const request = (over: Partial<EvidenceRequestV1>): Uint8Array =>
    encodeEvidenceRequestV1({
      requestId: 1,
      modelTag: model.artifact.modelTag,
      selector: 'any',
      label: 0,
      marginQ: 0,
      maxWindows: 4,
      maxBytes: 30_000,
      deadlineMs: 10 * HOUR,
      dailyBudgetBytes: null,
      ...over,
    });

  it('is off by default: keeps no frame and declines', () => {
    const up = new EvidenceUplink();
    const node = doorbell(up);
    node.advance(HOUR);
    expect(node.evidence.ring.newestFirst()).toHaveLength(0);
    node.onEvidenceRequest(request({}));
    expect(up.statuses()).toEqual([expect.objectContaining({ requestId: 1, state: 'declined', reason: 'disabled' })]);
    expect(up.chunks()).toHaveLength(0);
  });

  it('once the operator sets a budget: sends the newest frames, signed, within maxBytes, and charges the radio', () => {
    const up = new EvidenceUplink();
    const node = doorbell(up);
    node.onEvidenceRequest(request({ requestId: 1, dailyBudgetBytes: 40_000 }));
    expect(up.statuses().at(-1)).toMatchObject({ state: 'declined', reason: 'no-match' }); // nothing kept yet
    node.advance(HOUR); // frames at 0, 10, …, 60 min; the one at 0 came before the budget
    const txBefore = node.ledger.exactTotals().radioTxUj;
    node.onEvidenceRequest(request({ requestId: 2, maxBytes: 20_000 }));
    for (let t = HOUR + 1000; node.evidence.uploading; t += 1000) node.advance(t);
    const [accepted, done] = up.statuses().slice(-2);
    // Each blob is 2 + header + 9,216 pixels + 32: two fit 20,000 bytes, a third would not.
    expect(accepted).toMatchObject({ requestId: 2, state: 'accepted', windowCount: 2 });
    expect(done).toMatchObject({ requestId: 2, state: 'done', reason: 'none', windowCount: 2 });
    const got = blobs(up);
    expect(got).toHaveLength(2);
    expect(got.reduce((n, b) => n + b.length, 0)).toBe(accepted!.plannedBytes);
    expect(accepted!.plannedBytes).toBeLessThanOrEqual(20_000);
    expect(accepted!.budgetLeftBytes).toBe(40_000 - accepted!.plannedBytes);
    for (const b of got) expect(verify(b)).toBe(true);
    const newest = splitEvidenceWindow(got[0]!);
    expect(newest.header).toMatchObject({
      requestId: 2,
      windowIndex: 0,
      modelTag: model.artifact.modelTag,
      timestampMs: HOUR,
      format: 'u8',
      samples: 1,
      valuesPerSample: 9216,
      imageWidth: 96,
    });
    // The pixels are the frame the model saw at 60 min (sample 6), copied into the node's ring.
    expect(Buffer.from(newest.data).equals(Buffer.from(frames.values(6)))).toBe(true);
    expect(splitEvidenceWindow(got[1]!).header.timestampMs).toBe(HOUR - 10 * 60_000);
    // A tampered byte no longer verifies.
    const bad = got[0]!.slice();
    bad[100] ^= 1;
    expect(verify(bad)).toBe(false);
    expect(node.ledger.exactTotals().radioTxUj).toBeGreaterThan(txBefore);
    expect(node.counters.evidenceUj).toBeGreaterThan(0);
    expect(node.counters.evidenceBytesOnAir).toBeGreaterThan(accepted!.plannedBytes);
    expect(node.counters.published.evidence).toBe(up.chunks().length);
  });

  it('respects the day budget, a repeated request id, and the deadline', () => {
    const up = new EvidenceUplink();
    const node = doorbell(up);
    node.onEvidenceRequest(request({ requestId: 1, dailyBudgetBytes: 12_000 }));
    node.advance(HOUR);
    node.onEvidenceRequest(request({ requestId: 2 }));
    for (let t = HOUR + 1000; node.evidence.uploading; t += 1000) node.advance(t);
    expect(up.statuses().at(-1)).toMatchObject({ requestId: 2, state: 'done', windowCount: 1 });
    node.onEvidenceRequest(request({ requestId: 3 }));
    expect(up.statuses().at(-1)).toMatchObject({ requestId: 3, state: 'declined', reason: 'budget' });
    const count = up.statuses().length;
    node.onEvidenceRequest(request({ requestId: 3 })); // a re-delivery is not answered twice
    expect(up.statuses()).toHaveLength(count);
    node.onEvidenceRequest(request({ requestId: 4, deadlineMs: HOUR }));
    expect(up.statuses().at(-1)).toMatchObject({ requestId: 4, state: 'declined', reason: 'expired' });
    // The next UTC day has a fresh budget; an upload whose deadline passes stops with 'expired'.
    node.advance(25 * HOUR);
    node.onEvidenceRequest(request({ requestId: 5, deadlineMs: 25 * HOUR + 500 }));
    expect(up.statuses().at(-1)).toMatchObject({ requestId: 5, state: 'accepted', windowCount: 1 });
    node.advance(25 * HOUR + 1000);
    expect(up.statuses().at(-1)).toMatchObject({ requestId: 5, state: 'done', reason: 'expired' });
    expect(node.evidence.uploading).toBe(false);
  });

  it('asks about a model the node does not run: unknown-model', () => {
    const up = new EvidenceUplink();
    const node = doorbell(up);
    node.onEvidenceRequest(request({ modelTag: (model.artifact.modelTag + 1) >>> 0, dailyBudgetBytes: 1000 }));
    expect(up.statuses().at(-1)).toMatchObject({ state: 'declined', reason: 'unknown-model' });
  });
});

describe('EvidenceRing', () => {
  const w = (t: number): KeptWindow => ({
    modelTag: 1,
    timestampMs: t,
    label: 0,
    scoreQ: 0,
    marginQ: 0,
    format: 'u8',
    samples: 1,
    valuesPerSample: 1,
    imageWidth: 0,
    data: Uint8Array.of(t),
  });

  it('keeps the last `capacity` windows, newest first', () => {
    const ring = new EvidenceRing(3);
    expect(ring.newestFirst()).toEqual([]);
    for (let t = 1; t <= 5; t++) ring.push(w(t));
    expect(ring.newestFirst().map((x) => x.timestampMs)).toEqual([5, 4, 3]);
    ring.clear();
    expect(ring.newestFirst()).toEqual([]);
  });
});
