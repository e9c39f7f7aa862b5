import { BatteryId, MCU_PROFILES, RADIO_PROFILES } from '@tinyfleet/energy';
import { deviceUplinkTopic } from '@tinyfleet/wire';
import { DeviceEnergy, deviceEnergy, EnergyFigures, EventStats, groupFigures, sig, sumSplit } from './energy-aggregate';
import { diffSnapshots, EnergyInterval, SnapshotRow, totalsByDevice } from './energy-counters';
import { DeviceInfo, isBatteryId, resolveProfiles, ResolvedProfiles } from './energy-profiles';
import { ASSUMPTIONS, mlperfValidation, NOT_AVAILABLE, sourcesFor, UNITS } from './energy-report.notes';
import type {
  EnergyReport,
  EnergyReportFilters,
  GroupBy,
  GroupRow,
  ModelVersionRow,
  OtaTransfer,
  RolloutRow,
  WhatIfRow,
} from './energy-report.types';
import { otaDownloadUj } from './energy-ota';
import { dutyCycleCheck, reCostOnMcu, reCostOnRadio, WhatIfDevice } from './energy-what-if';
import { findingsFor } from './energy-report.findings';

export interface ReportInput {
  generatedAt: Date;
  filters: EnergyReportFilters;
  devices: readonly DeviceInfo[];
  /** Snapshots of the devices, in range, plus each (device, boot)'s last one before `from` flagged `baseline`. */
  snapshots: readonly SnapshotRow[];
  /** Per device, events in the range (for inference compute per inference). */
  eventStats: ReadonlyMap<string, EventStats>;
  modelVersions: ModelVersionRow[];
  /** Per device, its OTA jobs' chunks (all time); absent = none. */
  ota?: ReadonlyMap<string, OtaTransfer>;
  rollouts?: RolloutRow[];
}

const BUCKET_MS = { hour: 3_600_000, day: 86_400_000 } as const;
const NO_MODEL = '(no model reported)';

export function deviceMatches(d: DeviceInfo, f: EnergyReportFilters): boolean {
  if (f.deviceId && d.id !== f.deviceId) return false;
  if (f.stream && d.sensorStream !== f.stream) return false;
  if (f.mcuProfile && d.mcuProfile !== f.mcuProfile) return false;
  if (f.radioProfile && d.radioProfile !== f.radioProfile) return false;
  if (f.modelVersion && d.activeModel !== f.modelVersion && d.activeModel?.split('@')[1] !== f.modelVersion)
    return false;
  return true;
}

interface Scoped {
  info: DeviceInfo;
  profiles: ResolvedProfiles;
  whatIf: WhatIfDevice;
  energy: DeviceEnergy;
}

/** The whole report from already-fetched rows: pure, so every figure is unit-testable. */
export function buildEnergyReport(input: ReportInput): EnergyReport {
  const f = input.filters;
  const fromMs = f.from ? Date.parse(f.from) : -Infinity;
  const toMs = f.to ? Date.parse(f.to) : Infinity;
  const battery: BatteryId | undefined = f.battery && isBatteryId(f.battery) ? f.battery : undefined;
  const inScope = input.devices.filter((d) => deviceMatches(d, f));
  const ids = new Set(inScope.map((d) => d.id));
  const diff = diffSnapshots(input.snapshots.filter((s) => ids.has(s.deviceId)));
  const intervals = diff.intervals.filter((iv) => iv.endMs >= fromMs && iv.endMs < toMs);
  const totals = totalsByDevice(intervals);

  const scoped: Scoped[] = [];
  const methods: Record<string, number> = {};
  const unknownProfiles = new Set<string>();
  for (const info of inScope) {
    const t = totals.get(info.id);
    if (!t) continue;
    const profiles = resolveProfiles(info, battery);
    if (!profiles.mcu) unknownProfiles.add(`mcu ${info.mcuProfile}`);
    if (!profiles.radio) unknownProfiles.add(`radio ${info.radioProfile}`);
    const events = input.eventStats.get(info.id);
    const energy = deviceEnergy(t, profiles, events);
    const ota = input.ota?.get(info.id);
    if (ota && profiles.radio) energy.otaDownloadUj = otaDownloadUj(profiles.radio, ota, topicBytes(info.id));
    methods[energy.inferenceComputeMethod] = (methods[energy.inferenceComputeMethod] ?? 0) + 1;
    scoped.push({ info, profiles, energy, whatIf: { totals: t, profiles, events } });
  }

  const hardwareIds = new Map(inScope.map((d) => [d.id, d.hardwareId ?? d.id]));
  const row = (groupBy: GroupBy, key: string, devices: DeviceEnergy[]): GroupRow => ({
    groupBy,
    key,
    figures: groupFigures(devices),
  });
  const groupOf = (groupBy: GroupBy, keyOf: (s: Scoped) => string): GroupRow[] => {
    const m = new Map<string, DeviceEnergy[]>();
    for (const s of scoped) {
      const k = keyOf(s);
      const list = m.get(k) ?? [];
      if (list.length === 0) m.set(k, list);
      list.push(s.energy);
    }
    return [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, ds]) => row(groupBy, k, ds));
  };
  const groups = [
    ...groupOf('stream', (s) => s.info.sensorStream),
    ...groupOf('mcuProfile', (s) => s.info.mcuProfile),
    ...groupOf('radioProfile', (s) => s.info.radioProfile),
    ...groupOf('modelVersion', (s) => s.info.activeModel ?? NO_MODEL),
    ...groupOf('device', (s) => s.info.id).map((g) => ({ ...g, label: hardwareIds.get(g.key) ?? g.key })),
  ];

  const report: EnergyReport = {
    title: 'tinyfleet energy report: edge inference vs streaming raw data',
    generatedAt: input.generatedAt.toISOString(),
    filters: f,
    units: UNITS,
    fleet: row(
      'fleet',
      'all',
      scoped.map((s) => s.energy),
    ),
    groups,
    timeSeries: timeSeries(intervals, scoped, BUCKET_MS[f.bucket], 'time', ''),
    timeSeriesByRadio: [...new Set(scoped.map((s) => s.info.radioProfile))].sort().map((radio) => {
      const on = scoped.filter((s) => s.info.radioProfile === radio);
      return { radio, rows: timeSeries(intervals, on, BUCKET_MS[f.bucket], 'timeByRadio', `${radio}@`) };
    }),
    whatIf: {
      radio: whatIfRadios(scoped, 'whatIfRadio', ''),
      mcu: whatIfMcus(scoped),
      radioByStream: [...new Set(scoped.map((s) => s.info.sensorStream))].sort().flatMap((stream) =>
        whatIfRadios(
          scoped.filter((s) => s.info.sensorStream === stream),
          'whatIfRadioStream',
          `${stream}/`,
        ),
      ),
    },
    modelVersions: input.modelVersions,
    rollouts: input.rollouts ?? [],
    findings: [],
    dataQuality: {
      snapshots: input.snapshots.filter((s) => ids.has(s.deviceId) && !s.baseline).length,
      intervals: intervals.length,
      duplicates: diff.duplicates,
      reboots: diff.reboots,
      resetsWithoutNewBoot: diff.resetsWithoutNewBoot,
      devicesInScope: inScope.length,
      devicesWithoutSnapshots: inScope.filter((d) => !totals.has(d.id)).map((d) => d.id),
      unknownProfiles: [...unknownProfiles].sort(),
      inferenceComputeMethods: methods,
      whatIfSelfCheck: selfCheck(scoped),
    },
    assumptions: ASSUMPTIONS,
    notAvailable: NOT_AVAILABLE,
    validation: mlperfValidation(),
    sources: sourcesFor({
      mcus: Object.keys(MCU_PROFILES),
      radios: Object.keys(RADIO_PROFILES),
      batteries: scoped.map((s) => s.profiles.battery.id),
      sensors: scoped.flatMap((s) => (s.profiles.sensor ? [s.profiles.sensor.id] : [])),
    }),
  };
  report.findings = findingsFor(report, loraNow(scoped));
  return report;
}

/** Each (device, bucket) is a device of its own: per-day figures stay per device-day. */
function timeSeries(
  intervals: EnergyInterval[],
  scoped: Scoped[],
  bucketMs: number,
  groupBy: GroupBy,
  prefix: string,
): GroupRow[] {
  const byBucket = new Map<number, EnergyInterval[]>();
  for (const iv of intervals) {
    const b = Math.floor(iv.endMs / bucketMs) * bucketMs;
    const list = byBucket.get(b) ?? [];
    if (list.length === 0) byBucket.set(b, list);
    list.push(iv);
  }
  const info = new Map(scoped.map((s) => [s.info.id, s]));
  for (const [b, ivs] of byBucket) if (!ivs.some((iv) => info.has(iv.deviceId))) byBucket.delete(b);
  return [...byBucket.entries()]
    .sort(([a], [b]) => a - b)
    .map(([b, ivs]) => {
      const devices = [...totalsByDevice(ivs).values()].flatMap((t) => {
        const s = info.get(t.deviceId);
        return s ? [deviceEnergy(t, s.profiles, s.whatIf.events)] : [];
      });
      return { groupBy, key: `${prefix}${new Date(b).toISOString()}`, figures: groupFigures(devices) };
    });
}

const topicBytes = (id: string) => deviceUplinkTopic(id, 'event').length;

function whatIfRadios(scoped: Scoped[], groupBy: GroupBy, prefix: string): WhatIfRow[] {
  return Object.values(RADIO_PROFILES).map((target) => {
    const done = scoped.flatMap((s) => {
      const r = reCostOnRadio(s.whatIf, target, topicBytes(s.info.id));
      return r ? [{ ...r, observedMs: s.energy.observedMs }] : [];
    });
    return {
      groupBy,
      key: `${prefix}${target.id}`,
      figures: groupFigures(done.map((d) => d.energy)),
      devicesOnProfile: scoped.filter((s) => s.profiles.radio?.id === target.id).length,
      devicesExcluded: scoped.length - done.length,
      dutyCycle: target.kind === 'lora' ? dutyCycleCheck(done) : null,
    };
  });
}

function whatIfMcus(scoped: Scoped[]): WhatIfRow[] {
  return Object.values(MCU_PROFILES).map((target) => {
    const done = scoped.flatMap((s) => {
      const e = reCostOnMcu(s.whatIf, target);
      return e ? [e] : [];
    });
    return {
      groupBy: 'whatIfMcu' as const,
      key: target.id,
      figures: groupFigures(done),
      devicesOnProfile: scoped.filter((s) => s.profiles.mcu?.id === target.id).length,
      devicesExcluded: scoped.length - done.length,
      dutyCycle: null,
    };
  });
}

function selfCheck(scoped: Scoped[]): EnergyReport['dataQuality']['whatIfSelfCheck'] {
  let ledgerEdge = 0,
    ledgerRaw = 0,
    edge = 0,
    raw = 0,
    devices = 0;
  for (const s of scoped) {
    const r = s.profiles.radio ? reCostOnRadio(s.whatIf, s.profiles.radio, topicBytes(s.info.id)) : null;
    if (!r) continue;
    devices++;
    ledgerEdge += sumSplit(s.energy.edge);
    ledgerRaw += sumSplit(s.energy.raw);
    edge += sumSplit(r.energy.edge);
    raw += sumSplit(r.energy.raw);
  }
  const pct = (a: number, b: number) => (b > 0 ? sig(((a - b) / b) * 100) : null);
  return { edgeDiffPct: pct(edge, ledgerEdge), rawDiffPct: pct(raw, ledgerRaw), devices };
}

/** Devices on a LoRa radio now, checked against the duty cycle with their own radio. */
function loraNow(
  scoped: Scoped[],
): Array<{ radio: string; check: ReturnType<typeof dutyCycleCheck>; devices: number }> {
  const out = [];
  for (const radio of Object.values(RADIO_PROFILES).filter((r) => r.kind === 'lora')) {
    const on = scoped.filter((s) => s.profiles.radio?.id === radio.id);
    if (on.length === 0) continue;
    const done = on.flatMap((s) => {
      const r = reCostOnRadio(s.whatIf, radio, topicBytes(s.info.id));
      return r ? [{ ...r, observedMs: s.energy.observedMs }] : [];
    });
    out.push({ radio: radio.id, check: dutyCycleCheck(done), devices: on.length });
  }
  return out;
}

export type { EnergyFigures };
