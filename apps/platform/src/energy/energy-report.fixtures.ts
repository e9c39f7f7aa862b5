import {
  connectCost,
  EnergyLedger,
  inferenceCost,
  keepAliveCostUj,
  MCU_PROFILES,
  McuId,
  messageCost,
  RADIO_PROFILES,
  RadioId,
  SENSOR_PROFILES,
  SensorStreamId,
} from '@tinyfleet/energy';
import type { ReportInput } from './energy-report.builder';
import type { EnergyReportFilters } from './energy-report.types';

/**
 * Test fleets for the energy report (specs and the e2e test): nodes driven through the library's own
 * EnergyLedger, so their snapshots look like device-sim's — cumulative, per boot, hourly.
 */
export interface TestNodeSpec {
  hardwareId: string;
  mcu: McuId;
  radio: RadioId;
  stream: string;
  sensor: SensorStreamId;
  rawSampleBytes: number;
  samplePeriodS: number;
  /** MACs of the model run on every sample; 0 = no model (the node streams every raw sample itself). */
  modelMacs: number;
  /** Send an event every n inferences (0: never). */
  eventEvery: number;
  battery?: string;
  /** Reboot (new bootId, counters from zero) after this many seconds. */
  rebootAtS?: number;
}

export interface TestSnapshot {
  bootId: number;
  seq: number;
  virtualTimeMs: number;
  counters: Record<string, number>;
}

export interface TestNodeRun {
  spec: TestNodeSpec;
  snapshots: TestSnapshot[];
  events: Array<{ seq: number; timestampMs: number; energyUj: number; latencyUs: number }>;
}

export const FIXTURE_START_MS = Date.UTC(2026, 10, 20, 0, 0, 0);
const TOPIC_BYTES = 'tinyfleet/v1/d/dev-xxxxxxxxxxxx/up/event'.length;

export function runTestNode(spec: TestNodeSpec, hours = 24, startMs = FIXTURE_START_MS): TestNodeRun {
  const mcu = MCU_PROFILES[spec.mcu];
  const radio = RADIO_PROFILES[spec.radio];
  const sensor = SENSOR_PROFILES[spec.sensor];
  const inference =
    spec.modelMacs > 0 ? inferenceCost(mcu, [{ op: 'CONV_2D', macs: spec.modelMacs }], { kernels: 'optimized' }) : null;
  const eventCost = messageCost(radio, { payloadBytes: 29, direction: 'up', qos: 1, topicBytes: TOPIC_BYTES });
  const telemetryCost = messageCost(radio, { payloadBytes: 78, direction: 'up', qos: 1, topicBytes: TOPIC_BYTES });
  const rawCost = messageCost(radio, {
    payloadBytes: spec.rawSampleBytes,
    direction: 'up',
    qos: 1,
    topicBytes: TOPIC_BYTES,
  });
  const run: TestNodeRun = { spec, snapshots: [], events: [] };
  let bootId = 1000 + spec.hardwareId.length;
  let ledger!: EnergyLedger;
  let seq = 0;
  let lastKeepAliveMs = startMs;
  const boot = (t: number) => {
    ledger = new EnergyLedger({ mcu, radio, startMs: t, rawQos: 1, rawTopicBytes: TOPIC_BYTES });
    ledger.chargeRadioConnect(connectCost(radio));
    seq = 0;
    lastKeepAliveMs = t;
  };
  const snapshot = (t: number) => {
    ledger.chargeSleepUntil(t);
    const ka = keepAliveCostUj(radio, (t - lastKeepAliveMs) / 1000);
    if (ka > 0) ledger.chargeRadioConnect(ka);
    lastKeepAliveMs = t;
    ledger.chargeRadioTx(telemetryCost);
    run.snapshots.push({ bootId, seq: seq++, virtualTimeMs: t, counters: { ...ledger.snapshot() } });
  };
  boot(startMs);
  snapshot(startMs);
  let inferences = 0;
  let eventSeq = 0;
  const endMs = startMs + hours * 3_600_000;
  let nextSnapshot = startMs + 3_600_000;
  for (let t = startMs + spec.samplePeriodS * 1000; t <= endMs; t += spec.samplePeriodS * 1000) {
    if (spec.rebootAtS !== undefined && t - startMs >= spec.rebootAtS * 1000 && bootId < 2000) {
      bootId += 1000;
      boot(t);
    }
    while (t >= nextSnapshot) {
      snapshot(nextSnapshot);
      nextSnapshot += 3_600_000;
    }
    ledger.chargeSleepUntil(t);
    ledger.chargeWake();
    ledger.chargeSensing(sensor);
    ledger.chargeRawSample(spec.rawSampleBytes);
    if (!inference) {
      ledger.chargeRadioTx(rawCost); // it streams for real
      continue;
    }
    ledger.chargeCompute(inference);
    inferences++;
    if (spec.eventEvery > 0 && inferences % spec.eventEvery === 0) {
      ledger.chargeRadioTx(eventCost, { event: true });
      run.events.push({
        seq: eventSeq++,
        timestampMs: t,
        energyUj: Math.round(inference.energyUj),
        latencyUs: Math.round(inference.latencyMs * 1000),
      });
    }
  }
  if (nextSnapshot <= endMs) snapshot(endMs);
  return run;
}

/**
 * Six nodes that show the report's cases: BLE soil node where the model pays (small), one where it
 * does not (a model too big for what BLE saves), a node that never sends an event, a node that only
 * streams, a Wi-Fi doorbell and a LoRa gas node whose sensing dominates. soil-ble-a reboots at 12 h.
 */
export const TEST_FLEET: TestNodeSpec[] = [
  {
    hardwareId: 'hw-soil-ble-a',
    mcu: 'nrf52840',
    radio: 'nrf52840-ble-1m',
    stream: 'soil',
    sensor: 'soil',
    rawSampleBytes: 10,
    samplePeriodS: 60,
    modelMacs: 20_000,
    eventEvery: 60,
    battery: 'cr2032',
    rebootAtS: 12 * 3600,
  },
  {
    hardwareId: 'hw-soil-ble-big',
    mcu: 'nrf52840',
    radio: 'nrf52840-ble-1m',
    stream: 'soil',
    sensor: 'soil',
    rawSampleBytes: 10,
    samplePeriodS: 60,
    modelMacs: 400_000,
    eventEvery: 60,
    battery: 'cr2032',
  },
  {
    hardwareId: 'hw-soil-quiet',
    mcu: 'stm32l4r5',
    radio: 'nrf52840-802154',
    stream: 'soil',
    sensor: 'soil',
    rawSampleBytes: 10,
    samplePeriodS: 120,
    modelMacs: 20_000,
    eventEvery: 0,
  },
  {
    hardwareId: 'hw-soil-streamer',
    mcu: 'nrf52840',
    radio: 'nrf52840-ble-1m',
    stream: 'soil',
    sensor: 'soil',
    rawSampleBytes: 10,
    samplePeriodS: 60,
    modelMacs: 0,
    eventEvery: 0,
    battery: 'cr2032',
  },
  {
    hardwareId: 'hw-door-wifi',
    mcu: 'esp32-s3',
    radio: 'esp32-wifi',
    stream: 'doorbell',
    sensor: 'doorbell',
    rawSampleBytes: 9216,
    samplePeriodS: 30,
    modelMacs: 7_000_000,
    eventEvery: 40,
  },
  {
    hardwareId: 'hw-gas-lora',
    mcu: 'stm32l4r5',
    radio: 'lorawan-sf7',
    stream: 'gas-fruit',
    sensor: 'gas',
    rawSampleBytes: 8,
    samplePeriodS: 300,
    modelMacs: 300_000,
    eventEvery: 12,
    battery: 'li-socl2-aa',
  },
];

const filters = (over: Partial<EnergyReportFilters> = {}): EnergyReportFilters => ({
  from: null,
  to: null,
  stream: null,
  mcuProfile: null,
  radioProfile: null,
  modelVersion: null,
  deviceId: null,
  battery: null,
  bucket: 'hour',
  ...over,
});

/** The test fleet as the service would hand it over (device id = hardware id here). */
export function fleetInput(over: Partial<EnergyReportFilters> = {}): ReportInput {
  const runs = TEST_FLEET.map((s) => runTestNode(s));
  return {
    generatedAt: new Date(FIXTURE_START_MS + 2 * 86_400_000),
    filters: filters(over),
    devices: [
      ...runs.map((r) => ({
        id: r.spec.hardwareId,
        sensorStream: r.spec.stream,
        mcuProfile: r.spec.mcu,
        radioProfile: r.spec.radio,
        tags: r.spec.battery ? [`battery-${r.spec.battery}`] : [],
        activeModel: r.spec.modelMacs ? `${r.spec.stream}-model@1.0.0` : null,
      })),
      {
        id: 'hw-never-reported',
        sensorStream: 'soil',
        mcuProfile: 'nrf52840',
        radioProfile: 'ble-1m',
        tags: [],
        activeModel: null,
      },
    ],
    snapshots: runs.flatMap((r) =>
      r.snapshots.map((s) => ({
        deviceId: r.spec.hardwareId,
        bootId: s.bootId,
        seq: s.seq,
        virtualTimeMs: s.virtualTimeMs,
        counters: s.counters,
      })),
    ),
    eventStats: new Map(
      runs
        .filter((r) => r.events.length)
        .map((r) => [
          r.spec.hardwareId,
          { events: r.events.length, energyUjSum: r.events.reduce((a, e) => a + e.energyUj, 0) },
        ]),
    ),
    modelVersions: [],
  };
}
