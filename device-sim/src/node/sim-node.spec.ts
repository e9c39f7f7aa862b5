import { SummaryAccumulator } from '@tinyfleet/drift';
import { BATTERY_PROFILES, MCU_PROFILES, messageCost, RADIO_PROFILES } from '@tinyfleet/energy';
import { encodeOpSetBytes, Interpreter, INTERPRETER_VERSION, loadModel, OP_SET_BUILDS } from '@tinyfleet/tinyml';
import {
  decodeDeviceCapabilitiesV1,
  decodeEnergySnapshotV1,
  decodeInferenceEventV1,
  decodeInferenceSummaryV1,
  decodeStatusV1,
  UplinkKind,
} from '@tinyfleet/wire';
import * as path from 'node:path';
import { loadPersonDetectArtifact } from '../inference/model-artifact';
import { SharedModel } from '../inference/shared-model';
import { loadDoorbellStream } from '../streams/doorbell.stream';
import type { SensorStream } from '../streams/sensor-stream';
import { MemorySeqStore } from './node-ports';
import { SimNode } from './sim-node';
import { RecordingUplink } from './testing/recording-uplink';

const DATA_DIR = process.env.FLEET_DATA_DIR ?? path.resolve(__dirname, '../../../..', 'shared');
const HOUR = 3_600_000;

/** A soil-like stream with constant values: 15-minute samples, 10 B raw. */
function flatStream(intervalMs = 15 * 60_000): SensorStream {
  return {
    id: 'soil',
    sensor: 'soil',
    recipe: 'soil',
    channels: ['v'],
    labels: ['a', 'b'],
    length: 10,
    rawSampleBytes: 10,
    values: () => [1],
    groundTruth: () => 0,
    nextIntervalMs: () => intervalMs,
    describe: (i) => `flat#${i}`,
  };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('SimNode ledger (hand-computed)', () => {
  it('a soil node with no model for one virtual hour: 5 samples, wakes, sleep and the raw counterfactual', () => {
    const up = new RecordingUplink();
    const node = new SimNode({
      hardwareId: 'hw-1',
      mcu: MCU_PROFILES.nrf52840,
      radio: RADIO_PROFILES['nrf52840-ble-1m'],
      battery: BATTERY_PROFILES.cr2032,
      stream: flatStream(),
      streamOffset: 0,
      bootMs: 0,
      seed: 1,
      seqStore: new MemorySeqStore(),
      uplink: up,
    });
    node.advance(HOUR);
    const e = node.ledger.exactTotals();
    // Samples at 0, 15, 30, 45, 60 min.
    expect(e.samples).toBe(5);
    expect(e.sensingUj).toBeCloseTo(5 * 50, 9); // soil probe 50 µJ per sample
    expect(e.computeUj).toBeCloseTo(5 * 5, 9); // nRF52840 wake 5 µJ each, no inference
    expect(e.inferences).toBe(0);
    // Awake 10 ms probe + 0.5 ms wake per sample; the sample at exactly 60 min is awake *after* the
    // settlement point (carried over), so 4 × 10.5 = 42 ms awake in [0, 1 h). Asleep the rest at
    // 1.5 µA × 3.0 V = 4.5 µW (BLE radio off: inside the System ON figure, 0).
    expect(e.sleepUj).toBeCloseTo(((HOUR - 42) * 4.5) / 1000, 6); // 16199.811 µJ
    // Raw counterfactual: 5 × one 10-byte QoS 1 publish on the event topic, counted like real messages.
    const raw = messageCost(RADIO_PROFILES['nrf52840-ble-1m'], {
      payloadBytes: 10,
      direction: 'up',
      qos: 1,
      topicBytes: up.topicBytes('event'),
    });
    expect(e.rawMessagesUp).toBe(5);
    expect(e.rawRadioUj).toBeCloseTo(5 * raw.energyUj, 6);
    expect(e.rawBytesUp).toBe(5 * raw.breakdown.bytesUp);
    // Offline the whole hour: nothing sent, nothing charged to the real radio.
    expect(e.radioTxUj + e.radioConnectUj).toBe(0);
    expect(up.sent).toHaveLength(0);
  });
  it('senses only after its first link up when it joins first; outages after that are buffered', () => {
    const up = new RecordingUplink();
    const node = new SimNode({
      hardwareId: 'hw-join',
      mcu: MCU_PROFILES.nrf52840,
      radio: RADIO_PROFILES['nrf52840-ble-1m'],
      battery: BATTERY_PROFILES.cr2032,
      stream: flatStream(),
      streamOffset: 0,
      bootMs: 0,
      seed: 1,
      seqStore: new MemorySeqStore(),
      uplink: up,
      senseAfterFirstLink: true,
    });
    node.advance(HOUR); // still registering: no samples, nothing buffered, asleep
    expect(node.counters.samples).toBe(0);
    expect(node.ledger.exactTotals().sleepUj).toBeGreaterThan(0);
    up.connected = true;
    node.linkUp(HOUR);
    node.advance(2 * HOUR); // samples at 60, 75, 90, 105, 120 min
    expect(node.counters.samples).toBe(5);
    up.connected = false;
    node.linkDown(2 * HOUR);
    node.advance(3 * HOUR); // an outage after joining: the node keeps sensing
    expect(node.counters.samples).toBe(9);
  });

  it('connect + keep-alive + capabilities + status + energy on link-up are charged with their own message costs', () => {
    const up = new RecordingUplink();
    const radio = RADIO_PROFILES['nrf52840-ble-1m'];
    const node = new SimNode({
      hardwareId: 'hw-2',
      mcu: MCU_PROFILES.nrf52840,
      radio,
      battery: BATTERY_PROFILES.cr2032,
      stream: flatStream(),
      streamOffset: 0,
      bootMs: 0,
      seed: 1,
      seqStore: new MemorySeqStore(),
      uplink: up,
    });
    up.connected = true;
    node.linkUp(0);
    const [capabilities] = up.of('capabilities');
    const [status] = up.of('status');
    const [energy] = up.of('energy');
    // The nRF52840's firmware links the int8 Cortex-M build.
    expect(decodeDeviceCapabilitiesV1(capabilities)).toEqual({
      timestampMs: 0,
      interpreterVersion: INTERPRETER_VERSION,
      opSet: encodeOpSetBytes(OP_SET_BUILDS['cortex-m-int8']),
    });
    expect(decodeStatusV1(status)).toMatchObject({
      uptimeS: 0,
      slots: [null, null],
      bufferedEvents: 0,
      droppedEvents: 0,
      firmwareVersion: 'sim-1.0.0',
    });
    const snap = decodeEnergySnapshotV1(energy);
    expect(snap).toMatchObject({ seq: 0, virtualTimeMs: 0, bootId: node.bootId });
    const e = node.ledger.exactTotals();
    const cost = (kind: UplinkKind, bytes: number) =>
      messageCost(radio, { payloadBytes: bytes, direction: 'up', qos: 1, topicBytes: up.topicBytes(kind) });
    expect(e.radioTxUj).toBeCloseTo(
      cost('capabilities', capabilities.length).energyUj +
        cost('status', status.length).energyUj +
        cost('energy', energy.length).energyUj,
      9,
    );
    expect(e.messagesUp).toBe(3);
    expect(e.radioConnectUj).toBeCloseTo(149, -0.5); // README: BLE connect ≈149 µJ (adv + CONNECT_IND + setup)
    // The snapshot taken for the energy message carries the connect and the status already sent.
    expect(snap.radioConnectUj).toBe(Math.round(e.radioConnectUj));
    expect(snap.messagesUp).toBe(2);
    // Keep-alive for one virtual day: README 0.30 J/day at the 4 s connection interval.
    const before = node.ledger.exactTotals().radioConnectUj;
    node.advance(24 * HOUR);
    expect(node.ledger.exactTotals().radioConnectUj - before).toBeGreaterThan(0.29e6);
    expect(node.ledger.exactTotals().radioConnectUj - before).toBeLessThan(0.31e6);
    expect(up.of('capabilities')).toHaveLength(1); // once per connect, not periodic
    node.linkDown(24 * HOUR);
    node.linkUp(24 * HOUR);
    expect(up.of('capabilities')).toHaveLength(2);
  });
});

describe('SimNode with person_detect (doorbell)', () => {
  let model: SharedModel;
  let frames: SensorStream;
  beforeAll(() => {
    model = new SharedModel(loadPersonDetectArtifact(DATA_DIR));
    const real = loadDoorbellStream();
    frames = { ...real, nextIntervalMs: () => 10 * 60_000 }; // fixed rate: hand-countable
  });

  function doorbell(up: RecordingUplink, mcu: keyof typeof MCU_PROFILES, bufferCapacity = 256) {
    return new SimNode({
      hardwareId: 'door-1',
      mcu: MCU_PROFILES[mcu],
      radio: RADIO_PROFILES['nrf52840-ble-1m'],
      battery: BATTERY_PROFILES['aa-alkaline-2s'],
      stream: frames,
      streamOffset: 0,
      bootMs: 0,
      seed: 7,
      seqStore: new MemorySeqStore(),
      uplink: up,
      model,
      bufferCapacity,
    });
  }

  it('charges each inference its inferenceCost and reports it in the event (≈547 ms on a 64 MHz M4)', async () => {
    const up = new RecordingUplink();
    up.connected = true;
    const node = doorbell(up, 'nrf52840');
    node.linkUp(0);
    node.advance(HOUR); // frames at 0, 10, …, 60 min = 7
    await flush();
    const e = node.ledger.exactTotals();
    const cost = model.costOn(MCU_PROFILES.nrf52840);
    // README cross-check: CMSIS-NN M4 table predicts 350 ms for person_detection at 100 MHz → ×100/64 at 64 MHz.
    expect(cost.latencyMs).toBeCloseTo(350 * (100 / 64), -1);
    expect(cost.energyUj).toBeCloseTo(cost.latencyMs * 3.3 * 3.0 * 2.03, 6); // ms × (3.3 mA × 3 V) × NN factor
    expect(e.inferences).toBe(7);
    expect(e.computeUj).toBeCloseTo(7 * cost.energyUj + 7 * 5, 6);
    expect(e.sensingUj).toBeCloseTo(7 * 7000, 6); // camera 7 mJ per frame
    const events = up.of('event').map((p) => decodeInferenceEventV1(p));
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(events.length).toBe(node.counters.eventsCreated);
    for (const ev of events) {
      expect(ev).toMatchObject({
        modelTag: model.artifact.modelTag,
        latencyUs: Math.round(cost.latencyMs * 1000),
        energyUj: Math.round(cost.energyUj),
      });
      expect(ev.label === 0 || ev.label === 1).toBe(true);
    }
    expect(events.map((ev) => ev.seq)).toEqual(events.map((_, i) => i));
    // The truth log saw every inference; on-change events are a subset.
    const acc = node.truth.accuracy()['person-detect@1.0.0'];
    expect(acc.inferences).toBe(7);
    expect(node.truth.entries().filter((t) => t.eventSeq >= 0)).toHaveLength(events.length);
    // Status names the slot whose sha256 prefix is the event's model tag.
    const st = decodeStatusV1(up.of('status')[0]);
    expect(Buffer.from(st.slots[0]!.sha256).readUInt32BE(0)).toBe(model.artifact.modelTag);
  });

  it('reports its slots at once when a model is installed, not a status interval later', async () => {
    const up = new RecordingUplink();
    up.connected = true;
    const node = new SimNode({
      hardwareId: 'door-2',
      mcu: MCU_PROFILES.nrf52840,
      radio: RADIO_PROFILES['nrf52840-ble-1m'],
      battery: BATTERY_PROFILES['aa-alkaline-2s'],
      stream: frames,
      streamOffset: 0,
      bootMs: 0,
      seed: 7,
      seqStore: new MemorySeqStore(),
      uplink: up,
    });
    node.linkUp(0);
    await flush();
    expect(up.of('status').map((p) => decodeStatusV1(p).slots)).toEqual([[null, null]]);
    node.advance(10 * 60_000);
    expect(node.installModel(model).ok).toBe(true);
    node.advance(11 * 60_000); // 49 minutes before the hourly status
    await flush();
    const statuses = up.of('status').map((p) => decodeStatusV1(p));
    expect(statuses).toHaveLength(2);
    expect(Buffer.from(statuses[1]!.slots[0]!.sha256).readUInt32BE(0)).toBe(model.artifact.modelTag);
  });

  it('reports its slots right after an OTA switch, not an hour later (events carry the new model tag)', async () => {
    const up = new RecordingUplink();
    up.connected = true;
    const node = doorbell(up, 'nrf52840'); // the factory image in slot A
    node.linkUp(0);
    await flush();
    expect(node.installModel(model).ok).toBe(true); // into slot B, active
    node.advance(5 * 60_000);
    await flush();
    const before = up.of('status').length;
    node.slots.activateInactive(); // what the OTA agent does after the self-test: back to slot A
    node.advance(6 * 60_000); // 54 minutes before the hourly status
    await flush();
    const statuses = up.of('status').map((p) => decodeStatusV1(p));
    expect(statuses).toHaveLength(before + 1);
    expect(statuses[before]!.activeSlot).toBe(0);
  });

  it('sends up/summary with the status: the window the interpreter saw, charged to the radio ledger', async () => {
    const up = new RecordingUplink();
    up.connected = true;
    const node = doorbell(up, 'nrf52840');
    node.linkUp(0); // frame 0 is not taken yet: the link-up summary has nothing to say
    await flush(); // the link-up status is acknowledged (one status at a time awaits its PUBACK)
    expect(up.of('summary')).toHaveLength(0);
    const txBefore = node.ledger.exactTotals().radioTxUj;
    const sentBefore = up.sent.length;
    node.advance(HOUR); // frames at 0, 10, …, 60 min; the hourly status (and summary) at 60 min
    await flush();
    const summaries = up.of('summary');
    expect(summaries).toHaveLength(1);
    const s = decodeInferenceSummaryV1(summaries[0]!);
    // Independently: person_detect on libs/tinyml with TFLM's own input rule (pixel − 128), but for
    // pixel 255, which the device manifest's 3-byte statistics make 126 (personDetectPreprocessing).
    const interpreter = new Interpreter(loadModel(model.artifact.bytes));
    interpreter.allocate();
    const expected = new SummaryAccumulator(2, 1);
    for (let i = 0; i < 7; i++) {
      const input = Int8Array.from(frames.values(i) as Uint8Array, (p) => (p === 255 ? 126 : p - 128));
      interpreter.input(0).data.set(input);
      interpreter.invoke();
      expected.add(input, interpreter.output(0).data);
    }
    const w = expected.snapshot();
    expect(s).toMatchObject({ bootId: node.bootId, seq: 0, timestampMs: HOUR, windowMs: HOUR, marginQ: 32 });
    expect(s.models).toEqual([
      {
        modelTag: model.artifact.modelTag,
        inferences: 7,
        classCounts: w.classCounts,
        scoreHistogram: w.scoreHistogram,
        lowMargin: w.lowMargin,
        inputStats: w.inputStats,
      },
    ]);
    expect(s.models[0]!.inputStats[0]!.count).toBe(7 * 96 * 96);
    // Every uplink of the hour (events, energy, status, summary) is charged its own message cost;
    // up/accuracy, the simulation's measuring tape, is not.
    const radio = RADIO_PROFILES['nrf52840-ble-1m'];
    const cost = (kind: UplinkKind, bytes: number) =>
      messageCost(radio, { payloadBytes: bytes, direction: 'up', qos: 1, topicBytes: up.topicBytes(kind) }).energyUj;
    const expectedTx = up.sent
      .slice(sentBefore)
      .filter((m) => m.kind !== 'accuracy')
      .reduce((sum, m) => sum + cost(m.kind, m.payload.length), 0);
    expect(node.ledger.exactTotals().radioTxUj - txBefore).toBeCloseTo(expectedTx, 6);
    expect(up.sent.slice(sentBefore).map((m) => m.kind)).toContain('summary');
    expect(node.counters.published.summary).toBe(1);
    // The next window starts empty: its summary counts only the next hour's frames.
    node.advance(2 * HOUR);
    await flush();
    const next = decodeInferenceSummaryV1(up.of('summary')[1]!);
    expect(next).toMatchObject({ seq: 1, windowMs: HOUR });
    expect(next.models[0]!.inferences).toBe(6);
  });
  it('buffers while offline, drops the oldest beyond capacity (counted), and flushes on reconnect', async () => {
    const up = new RecordingUplink();
    const node = doorbell(up, 'nrf52840', 3);
    node.applyConfig({ statusIntervalS: 3600, energyIntervalS: 900, eventPolicy: 'every', scoreThresholdQ: 0 }, 12);
    node.advance(HOUR); // 7 frames, policy every → 7 events, offline
    expect(node.counters.eventsCreated).toBe(7);
    expect(node.buffer.size).toBe(3);
    expect(node.buffer.dropped).toBe(4);
    up.connected = true;
    up.generation++;
    node.linkUp(HOUR);
    await flush();
    const seqs = up.of('event').map((p) => decodeInferenceEventV1(p).seq);
    expect(seqs).toEqual([4, 5, 6]); // the newest three survive
    expect(decodeStatusV1(up.of('status')[0])).toMatchObject({ bufferedEvents: 3, droppedEvents: 4 });
    expect(node.buffer.size).toBe(0);
  });
});
