import { BATTERY_PROFILES, EnergyLedger, MCU_PROFILES, RADIO_PROFILES } from '@tinyfleet/energy';
import {
  decodeEnergySnapshotV1,
  decodeInferenceEventV1,
  decodeInferenceSummaryV1,
  decodeStatusV1,
  InferenceEventV1,
} from '@tinyfleet/wire';
import * as path from 'node:path';
import { loadPersonDetectArtifact } from '../inference/model-artifact';
import { SharedModel } from '../inference/shared-model';
import { loadDoorbellStream } from '../streams/doorbell.stream';
import { DEFAULT_DEVICE_CONFIG } from './event-policy';
import { EvidenceAgent } from './evidence-agent';
import { GroundTruthLog } from './ground-truth-log';
import { ModelSlots } from './model-slots';
import { emptyPublished, NodeRadio } from './node-radio';
import { OfflineBuffer } from './offline-buffer';
import { MAX_IN_FLIGHT, ReportPump } from './report-pump';
import { SummaryAgent } from './summary-agent';
import { RecordingUplink } from './testing/recording-uplink';

const DATA_DIR = process.env.FLEET_DATA_DIR ?? path.resolve(__dirname, '../../../..', 'shared');
const MIN = 60_000;
const HOUR = 60 * MIN;

const flush = () => new Promise((r) => setImmediate(r));

/** Publishes that resolve (PUBACK) only when the spec releases them, in order. */
function holdAcks(up: RecordingUplink, kinds?: string[]): (() => void)[] {
  const pending: (() => void)[] = [];
  const publish = up.publish.bind(up);
  up.publish = (kind, payload) =>
    kinds && !kinds.includes(kind)
      ? publish(kind, payload)
      : (up.sent.push({ kind, payload }), new Promise<void>((resolve) => pending.push(resolve)));
  return pending;
}

/** A pump over a node's real parts (nRF52840, BLE), without the sensing side. */
function pumpOn(up: RecordingUplink, bufferCapacity = 256) {
  const mcu = MCU_PROFILES.nrf52840;
  const radioProfile = RADIO_PROFILES['nrf52840-ble-1m'];
  const ledger = new EnergyLedger({
    mcu,
    radio: radioProfile,
    startMs: 0,
    rawQos: 1,
    rawTopicBytes: up.topicBytes('event'),
  });
  const counters = { published: emptyPublished(), evidenceBytesOnAir: 0, evidenceUj: 0, eventsAcked: 0 };
  const radio = new NodeRadio(radioProfile, ledger, up, counters);
  const buffer = new OfflineBuffer(bufferCapacity);
  const summaries = new SummaryAgent(7, 0);
  const pump = new ReportPump(
    {
      uplink: up,
      radio,
      ledger,
      buffer,
      slots: new ModelSlots(mcu),
      summaries,
      truth: new GroundTruthLog(),
      evidence: new EvidenceAgent({ publish: () => undefined, deviceSecret: () => null }, 0),
      mcu,
      battery: BATTERY_PROFILES.cr2032,
      bootId: 7,
      bootMs: 0,
      counters,
    },
    DEFAULT_DEVICE_CONFIG,
  );
  // What SimNode does around the pump when the link changes.
  const link = {
    up(nowMs: number) {
      up.connected = true;
      up.generation++;
      radio.linkUp(nowMs);
      pump.linkUp(nowMs);
    },
    down(nowMs: number) {
      up.connected = false;
      up.generation++;
      radio.linkDown(nowMs);
      pump.linkDown();
    },
  };
  return { pump, buffer, summaries, counters, link };
}

function event(seq: number): InferenceEventV1 {
  return { seq, timestampMs: seq * MIN, modelTag: 0x1234, label: 1, scoreQ: 100, latencyUs: 500, energyUj: 40 };
}

describe('ReportPump: periodic reports', () => {
  it('holds one report per kind awaiting its PUBACK: a platform that does not acknowledge gets no pile-up', async () => {
    const up = new RecordingUplink();
    const pending = holdAcks(up);
    const { pump, link } = pumpOn(up);
    link.up(0);
    for (let h = 1; h <= 24; h++) pump.tick(h * HOUR); // 24 statuses and 96 energy snapshots due
    expect(up.of('status')).toHaveLength(1);
    expect(up.of('energy')).toHaveLength(1);
    expect(up.of('capabilities')).toHaveLength(1);
    pending.splice(0).forEach((ack) => ack());
    await flush();
    pump.tick(24 * HOUR + 1);
    // Acknowledged: the next of each goes, made now (the energy snapshot is the next in its seq).
    expect(up.of('status')).toHaveLength(2);
    expect(decodeStatusV1(up.of('status')[1]).uptimeS).toBe(24 * 3600);
    expect(decodeEnergySnapshotV1(up.of('energy')[1]).seq).toBe(1);
    // A report lost with the link holds nothing back on the next link.
    link.down(24 * HOUR + 1);
    link.up(24 * HOUR + 2);
    expect(up.of('status')).toHaveLength(3);
    expect(up.of('energy')).toHaveLength(3);
    expect(up.of('capabilities')).toHaveLength(2);
  });

  it('a shorter status interval from down/config applies from the config on, not after the old one ran out', async () => {
    const up = new RecordingUplink();
    const { pump, link } = pumpOn(up);
    const tickAt = async (ms: number) => {
      await flush(); // the previous status's PUBACK
      pump.tick(ms);
    };
    link.up(0);
    await tickAt(10 * MIN);
    expect(up.of('status')).toHaveLength(1); // the link-up status only: the hourly one is 50 min away
    pump.configure({ ...DEFAULT_DEVICE_CONFIG, statusIntervalS: 300 }, 10 * MIN);
    await tickAt(14 * MIN);
    expect(up.of('status')).toHaveLength(1);
    await tickAt(15 * MIN);
    await tickAt(20 * MIN);
    expect(up.of('status').map((p) => decodeStatusV1(p).uptimeS)).toEqual([0, 15 * 60, 20 * 60]);
  });

  it('sends nothing while the link is down, and counts the periodic reports from the join', async () => {
    const up = new RecordingUplink();
    const { pump, link } = pumpOn(up);
    pump.tick(2 * HOUR);
    expect(up.sent).toHaveLength(0);
    pump.restartCadence(2 * HOUR + 30 * MIN);
    link.up(2 * HOUR + 30 * MIN);
    await flush();
    pump.tick(3 * HOUR); // 3 h from boot, but only 30 min from the join
    expect(up.of('status')).toHaveLength(1);
    pump.tick(3 * HOUR + 30 * MIN);
    expect(up.of('status').map((p) => decodeStatusV1(p).uptimeS)).toEqual([9000, 12600]);
  });
});

describe('ReportPump: up/summary', () => {
  let model: SharedModel;
  beforeAll(() => {
    model = new SharedModel(loadPersonDetectArtifact(DATA_DIR));
  });

  it('a summary due while the previous one awaits its PUBACK goes once that PUBACK is in, not a status interval later', async () => {
    const frames = loadDoorbellStream();
    const up = new RecordingUplink();
    const pending = holdAcks(up, ['summary']);
    const { pump, summaries, link } = pumpOn(up);
    const infer = (from: number, to: number) => {
      for (let i = from; i < to; i++) summaries.add(model, model.infer(frames, i));
    };
    link.up(0);
    await flush(); // the link-up status is acknowledged
    infer(0, 7);
    pump.tick(HOUR);
    await flush(); // the status is acknowledged, the summary is not
    expect(up.of('summary')).toHaveLength(1); // its PUBACK is held back
    infer(7, 13);
    pump.tick(2 * HOUR);
    await flush();
    expect(up.of('summary')).toHaveLength(1); // the hour's window waits, still open
    pending.shift()!();
    await flush();
    pump.tick(2 * HOUR); // the next tick at the same virtual time
    const late = decodeInferenceSummaryV1(up.of('summary')[1]!);
    expect(late).toMatchObject({ seq: 1, timestampMs: 2 * HOUR, windowMs: HOUR });
    expect(late.models[0]!.inferences).toBe(6);
  });
});

describe('ReportPump: inference events', () => {
  it(`keeps at most ${MAX_IN_FLIGHT} events unacknowledged, oldest first, and sends the next as PUBACKs come in`, async () => {
    const up = new RecordingUplink();
    const pending = holdAcks(up, ['event']);
    const { pump, buffer, counters, link } = pumpOn(up);
    for (let seq = 0; seq < 20; seq++) buffer.push(event(seq));
    link.up(0);
    const seqs = () => up.of('event').map((p) => decodeInferenceEventV1(p).seq);
    expect(seqs()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    pending.splice(0, 3).forEach((ack) => ack());
    await flush();
    pump.tick(MIN);
    expect(seqs()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(counters.eventsAcked).toBe(3);
    expect(buffer.size).toBe(17);
  });

  it('re-sends events whose acknowledgement was lost with the link', async () => {
    const up = new RecordingUplink();
    const { pump, buffer, link } = pumpOn(up);
    // Connected, but publishes never get acknowledged, then the link drops.
    up.publish = (kind, payload) => {
      up.sent.push({ kind, payload });
      return new Promise(() => undefined);
    };
    link.up(0);
    for (let seq = 0; seq < 3; seq++) buffer.push(event(seq));
    pump.tick(20 * MIN);
    expect(buffer.inFlightCount).toBe(3);
    link.down(20 * MIN);
    expect(buffer.inFlightCount).toBe(0);
    expect(buffer.size).toBe(3);
    up.publish = RecordingUplink.prototype.publish.bind(up);
    link.up(21 * MIN);
    await flush();
    expect(buffer.size).toBe(0);
    const seqs = up.of('event').map((p) => decodeInferenceEventV1(p).seq);
    expect(seqs).toEqual([0, 1, 2, 0, 1, 2]); // duplicates are the platform's to drop (dedup on device, seq)
  });
});
