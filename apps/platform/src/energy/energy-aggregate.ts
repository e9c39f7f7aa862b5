import { batteryLifeDays, BatteryProfile } from '@tinyfleet/energy';
import type { Counters, DeviceTotals } from './energy-counters';
import type { ResolvedProfiles } from './energy-profiles';

const MS_PER_DAY = 86_400_000;

/** Energy of one node split the way the report shows it, µJ. */
export interface EnergySplitUj {
  radioUj: number;
  computeUj: number;
  sensingUj: number;
  sleepUj: number;
}

export type InferenceComputeMethod = 'events' | 'wake-model' | 'all-compute' | 'none';

/** Inference events a device sent in the range (device_events). */
export interface EventStats {
  events: number;
  energyUjSum: number;
}

/**
 * One device's energy over the report range, real (edge) and counterfactual (raw streaming) — the
 * common currency of every group, time bucket and what-if row.
 */
/**
 * `edge`: ran a model. `streaming`: no inferences and at least one uplink per sample — it sends its raw
 * samples itself, so it *is* the raw-streaming node. `idle`: no inferences and no stream (no model
 * installed yet, or one that does not fit): it neither concludes nor streams.
 */
export type DeviceMode = 'edge' | 'streaming' | 'idle';

export function deviceMode(c: Counters): DeviceMode {
  if (c.inferences > 0) return 'edge';
  return c.samples > 0 && c.messagesUp - c.events >= c.samples ? 'streaming' : 'idle';
}

export interface DeviceEnergy {
  deviceId: string;
  mode: DeviceMode;
  observedMs: number;
  boots: number;
  edge: EnergySplitUj;
  raw: EnergySplitUj;
  inferenceComputeUj: number;
  inferenceComputeMethod: InferenceComputeMethod;
  bytesOnAirEdge: number;
  bytesOnAirRaw: number;
  messagesUpEdge: number;
  messagesUpRaw: number;
  inferences: number;
  events: number;
  samples: number;
  /** Raw sensor payload that stayed on the device (samples × raw sample bytes); null when unknown. */
  rawPayloadBytesKept: number | null;
  battery: BatteryProfile | null;
  peakCurrentMa: number | null;
  /** OTA download estimate (see energy-ota.ts); a breakdown of radio energy, not added to the totals. */
  otaDownloadUj?: number;
}

/** Status/energy messages the node sends in either mode; estimated by message count unless known exactly (what-if). */
export interface Telemetry {
  txUj: number;
  bytesOnAir: number;
  messages: number;
}

export const sumSplit = (s: EnergySplitUj): number => s.radioUj + s.computeUj + s.sensingUj + s.sleepUj;

/**
 * How much of `computeUj` was inference (the rest is MCU wake-ups, which a raw-streaming node pays too):
 * 1. `events`: inferences × the mean energy_uj the device reported per inference in its events;
 * 2. `wake-model`: computeUj − samples × the MCU profile's wakeUj (the simulator wakes once per sample);
 * 3. `all-compute`: MCU unknown — all of computeUj (an upper bound: favours raw streaming).
 */
export function inferenceComputeUj(
  c: Counters,
  events: EventStats | undefined,
  profiles: Pick<ResolvedProfiles, 'mcu'>,
): { uj: number; method: InferenceComputeMethod } {
  if (c.inferences === 0 || c.computeUj === 0) return { uj: 0, method: 'none' };
  if (events && events.events > 0)
    return { uj: Math.min(c.computeUj, (c.inferences * events.energyUjSum) / events.events), method: 'events' };
  if (profiles.mcu) return { uj: Math.max(0, c.computeUj - c.samples * profiles.mcu.wakeUj), method: 'wake-model' };
  return { uj: c.computeUj, method: 'all-compute' };
}

/**
 * The counterfactual raw-streaming node, from one device's ledger counters (definition stated in the report):
 * - radio: `rawRadioUj` (every sample sent as it is taken, over the same radio, same QoS) + the telemetry
 *   the node sends anyway (status/energy: the share `(messagesUp − events) / messagesUp` of `radioTxUj`)
 *   + the same downlinks (`radioRxUj`) + the same link upkeep (`radioConnectUj`);
 * - compute: `computeUj` minus inference compute (it still wakes per sample);
 * - sensing and sleep: the same as the edge node.
 * Bytes and messages follow the same rule (telemetry share of `bytesUp`, all of `bytesDown`).
 */
export function deviceEnergy(
  totals: DeviceTotals,
  profiles: ResolvedProfiles,
  events: EventStats | undefined,
  telemetry?: Telemetry,
): DeviceEnergy {
  const c = totals.counters;
  const mode = deviceMode(c);
  const inf = inferenceComputeUj(c, events, profiles);
  if (mode === 'streaming' && !telemetry) {
    // It is the raw-streaming node: its own figures are both sides of the comparison.
    const edge = {
      radioUj: c.radioTxUj + c.radioRxUj + c.radioConnectUj,
      computeUj: c.computeUj,
      sensingUj: c.sensingUj,
      sleepUj: c.sleepUj,
    };
    return {
      deviceId: totals.deviceId,
      mode,
      observedMs: totals.observedMs,
      boots: totals.boots,
      edge,
      raw: { ...edge },
      inferenceComputeUj: 0,
      inferenceComputeMethod: 'none',
      bytesOnAirEdge: c.bytesUp + c.bytesDown,
      bytesOnAirRaw: c.bytesUp + c.bytesDown,
      messagesUpEdge: c.messagesUp,
      messagesUpRaw: c.messagesUp,
      inferences: 0,
      events: c.events,
      samples: c.samples,
      rawPayloadBytesKept: 0,
      battery: profiles.battery,
      peakCurrentMa: profiles.radio?.peakCurrentMa ?? null,
    };
  }
  const share = c.messagesUp > 0 ? Math.max(0, c.messagesUp - c.events) / c.messagesUp : 0;
  const tel = telemetry ?? {
    txUj: c.radioTxUj * share,
    bytesOnAir: c.bytesUp * share,
    messages: Math.max(0, c.messagesUp - c.events),
  };
  const edge: EnergySplitUj = {
    radioUj: c.radioTxUj + c.radioRxUj + c.radioConnectUj,
    computeUj: c.computeUj,
    sensingUj: c.sensingUj,
    sleepUj: c.sleepUj,
  };
  const raw: EnergySplitUj = {
    radioUj: c.rawRadioUj + tel.txUj + c.radioRxUj + c.radioConnectUj,
    computeUj: c.computeUj - inf.uj,
    sensingUj: c.sensingUj,
    sleepUj: c.sleepUj,
  };
  return {
    deviceId: totals.deviceId,
    mode,
    observedMs: totals.observedMs,
    boots: totals.boots,
    edge,
    raw,
    inferenceComputeUj: inf.uj,
    inferenceComputeMethod: inf.method,
    bytesOnAirEdge: c.bytesUp + c.bytesDown,
    bytesOnAirRaw: c.rawBytesUp + tel.bytesOnAir + c.bytesDown,
    messagesUpEdge: c.messagesUp,
    messagesUpRaw: c.rawMessagesUp + tel.messages,
    inferences: c.inferences,
    events: c.events,
    samples: c.samples,
    rawPayloadBytesKept: profiles.sensor ? c.samples * profiles.sensor.rawSampleBytes : null,
    battery: profiles.battery,
    peakCurrentMa: profiles.radio ? profiles.radio.peakCurrentMa : null,
  };
}

/** `no-inference`: every device was idle (no model ran, nothing streamed), so edge vs raw does not apply. */
export type Verdict = 'edge-better' | 'edge-worse' | 'no-difference' | 'no-data' | 'no-inference';

export interface SplitPerDay {
  radio: number;
  compute: number;
  sensing: number;
  sleep: number;
  total: number;
}

export interface BatteryFigures {
  /** Median over the group's devices of each device's projection on its own battery (days). */
  edgeDays: number | null;
  rawDays: number | null;
  devices: number;
  /** Devices whose radio's peak current exceeds their cell's pulse limit (the node would brown out). */
  infeasible: number;
  limitedByShelfLife: number;
}

/** The figures of one group of devices (all per-day figures are per device-day of observed time). */
export interface EnergyFigures {
  devices: number;
  /** Devices by mode (see DeviceMode). */
  modes: Record<DeviceMode, number>;
  deviceDays: number;
  edgeJoulesPerDay: SplitPerDay;
  rawJoulesPerDay: SplitPerDay;
  edgeTotalJ: number;
  rawTotalJ: number;
  rawToEdgeRatio: number | null;
  edgeSavingPct: number | null;
  verdict: Verdict;
  radioSharePct: number | null;
  rawRadioSharePct: number | null;
  bytesOnAirPerDay: { edge: number; raw: number };
  messagesUpPerDay: { edge: number; raw: number };
  battery: BatteryFigures;
  inferences: number;
  events: number;
  samples: number;
  energyPerInferenceUj: number | null;
  inferenceComputePerInferenceUj: number | null;
  energyPerEventUj: number | null;
  /** OTA downloads over all of the devices' OTA jobs (not time-filtered), J — estimate, inside the radio figures. */
  otaDownloadJ: number;
  rawPayloadBytesKept: number | null;
  airBytesAvoided: number;
}

/** Rounds to 6 significant digits so JSON, CSV and HTML show the same figure (and no float noise). */
export function sig(x: number): number {
  if (!Number.isFinite(x) || x === 0) return 0;
  return Number(x.toPrecision(6));
}
const ratioOrNull = (a: number, b: number): number | null => (b > 0 ? sig(a / b) : null);

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function perDay(s: EnergySplitUj, days: number): SplitPerDay {
  const j = (uj: number) => (days > 0 ? sig(uj / 1e6 / days) : 0);
  return {
    radio: j(s.radioUj),
    compute: j(s.computeUj),
    sensing: j(s.sensingUj),
    sleep: j(s.sleepUj),
    total: j(sumSplit(s)),
  };
}

/** Aggregates devices into one row. Never NaN: undefined ratios are null, empty groups are zeros. */
export function groupFigures(devices: readonly DeviceEnergy[]): EnergyFigures {
  const edge: EnergySplitUj = { radioUj: 0, computeUj: 0, sensingUj: 0, sleepUj: 0 };
  const raw: EnergySplitUj = { radioUj: 0, computeUj: 0, sensingUj: 0, sleepUj: 0 };
  let ms = 0,
    inferenceUj = 0,
    bytesEdge = 0,
    bytesRaw = 0,
    msgEdge = 0,
    msgRaw = 0,
    inferences = 0,
    events = 0,
    samples = 0;
  let kept: number | null = 0;
  let otaUj = 0;
  const edgeDays: number[] = [],
    rawDays: number[] = [];
  let infeasible = 0,
    shelf = 0;
  const modes: Record<DeviceMode, number> = { edge: 0, streaming: 0, idle: 0 };
  for (const d of devices) {
    modes[d.mode]++;
    otaUj += d.otaDownloadUj ?? 0;
    for (const k of ['radioUj', 'computeUj', 'sensingUj', 'sleepUj'] as const) {
      edge[k] += d.edge[k];
      raw[k] += d.raw[k];
    }
    ms += d.observedMs;
    inferenceUj += d.inferenceComputeUj;
    bytesEdge += d.bytesOnAirEdge;
    bytesRaw += d.bytesOnAirRaw;
    msgEdge += d.messagesUpEdge;
    msgRaw += d.messagesUpRaw;
    inferences += d.inferences;
    events += d.events;
    samples += d.samples;
    kept = kept === null || d.rawPayloadBytesKept === null ? null : kept + d.rawPayloadBytesKept;
    if (d.battery && d.observedMs > 0) {
      const e = batteryLifeDays(d.battery, (sumSplit(d.edge) / d.observedMs) * 1000, d.peakCurrentMa ?? undefined);
      const r = batteryLifeDays(d.battery, (sumSplit(d.raw) / d.observedMs) * 1000, d.peakCurrentMa ?? undefined);
      edgeDays.push(e.days);
      rawDays.push(r.days);
      if (!e.feasible) infeasible++;
      if (e.limitedBy === 'shelf-life') shelf++;
    }
  }
  const days = ms / MS_PER_DAY;
  const edgeTotal = sumSplit(edge);
  const rawTotal = sumSplit(raw);
  let verdict: Verdict = 'no-data';
  if (edgeTotal > 0 && rawTotal > 0) {
    const rel = (rawTotal - edgeTotal) / rawTotal;
    verdict = Math.abs(rel) < 0.001 ? 'no-difference' : rel > 0 ? 'edge-better' : 'edge-worse';
  }
  // An idle node sends almost nothing, so its "edge" total is always below raw streaming: without this an
  // atmega328p doorbell whose model cannot fit read "edge-better, saves 39 %".
  if (devices.length > 0 && modes.idle === devices.length) verdict = 'no-inference';
  const d = (x: number) => (days > 0 ? sig(x / days) : 0);
  return {
    devices: devices.length,
    modes,
    deviceDays: sig(days),
    edgeJoulesPerDay: perDay(edge, days),
    rawJoulesPerDay: perDay(raw, days),
    edgeTotalJ: sig(edgeTotal / 1e6),
    rawTotalJ: sig(rawTotal / 1e6),
    rawToEdgeRatio: ratioOrNull(rawTotal, edgeTotal),
    edgeSavingPct: rawTotal > 0 && edgeTotal > 0 ? sig((1 - edgeTotal / rawTotal) * 100) : null,
    verdict,
    radioSharePct: edgeTotal > 0 ? sig((edge.radioUj / edgeTotal) * 100) : null,
    rawRadioSharePct: rawTotal > 0 ? sig((raw.radioUj / rawTotal) * 100) : null,
    bytesOnAirPerDay: { edge: d(bytesEdge), raw: d(bytesRaw) },
    messagesUpPerDay: { edge: d(msgEdge), raw: d(msgRaw) },
    battery: {
      edgeDays: edgeDays.length ? sig(median(edgeDays)!) : null,
      rawDays: rawDays.length ? sig(median(rawDays)!) : null,
      devices: edgeDays.length,
      infeasible,
      limitedByShelfLife: shelf,
    },
    inferences,
    events,
    samples,
    energyPerInferenceUj: ratioOrNull(edgeTotal, inferences),
    inferenceComputePerInferenceUj: ratioOrNull(inferenceUj, inferences),
    energyPerEventUj: ratioOrNull(edgeTotal, events),
    otaDownloadJ: sig(otaUj / 1e6),
    rawPayloadBytesKept: devices.length ? kept : 0,
    airBytesAvoided: sig(Math.max(0, bytesRaw - bytesEdge)),
  };
}
