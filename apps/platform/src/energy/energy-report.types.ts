import type { EnergyFigures } from './energy-aggregate';
import type { DutyCycleCheck } from './energy-what-if';
import type { SourceEntry, ValidationView } from './energy-report.notes';

export type GroupBy =
  | 'fleet'
  | 'device'
  | 'stream'
  | 'mcuProfile'
  | 'radioProfile'
  | 'modelVersion'
  | 'time'
  | 'timeByRadio'
  | 'whatIfRadio'
  | 'whatIfRadioStream'
  | 'whatIfMcu';

export interface GroupRow {
  groupBy: GroupBy;
  key: string;
  /** Device rows: the hardware id. */
  label?: string;
  figures: EnergyFigures;
}

export interface WhatIfRow extends GroupRow {
  /** Devices in scope that run this profile now (their ledger figures are the reference). */
  devicesOnProfile: number;
  /** Devices left out (unknown source profile or raw payload). */
  devicesExcluded: number;
  /** LoRaWAN only. */
  dutyCycle: DutyCycleCheck | null;
}

export interface ModelVersionRow {
  modelId: string | null;
  modelVersion: string | null;
  devices: number;
  events: number;
  meanEnergyPerInferenceUj: number | null;
  meanLatencyUs: number | null;
  firstEventAt: string | null;
  lastEventAt: string | null;
  /** On-device accuracy over the range from the devices' accuracy reports (ground-truth logs); null without reports. */
  accuracyPct: number | null;
  /** Inferences checked against ground truth behind accuracyPct. */
  accuracyInferences: number;
  /**
   * Label-free drift of the version over the range (its cohorts' verdicts from up/summary, no ground
   * truth): windows judged, how many were drift, and the latest one. Absent without verdicts.
   */
  drift?: DriftSummaryRow;
}

export interface DriftSummaryRow {
  judgedWindows: number;
  driftWindows: number;
  latestVerdict: 'drift' | 'stable' | 'insufficient-data';
  latestWindowEnd: string;
  /** The largest class-mix PSI among the cohorts' latest windows. */
  latestClassMixPsi: number | null;
}

/** A rollout and the energy per inference of its devices before (other models) and after (its model). */
export interface RolloutRow {
  rolloutId: number;
  name: string;
  model: string;
  state: string;
  startedAt: string | null;
  finishedAt: string | null;
  devices: number;
  jobsByState: Record<string, number>;
  before: { events: number; meanEnergyPerInferenceUj: number | null; meanLatencyUs: number | null };
  after: { events: number; meanEnergyPerInferenceUj: number | null; meanLatencyUs: number | null };
  energyPerInferenceChangePct: number | null;
  /** On-device accuracy of the same devices before/after (accuracy reports by model identity); null without reports. */
  accuracyBeforePct: number | null;
  accuracyAfterPct: number | null;
  /** Inferences checked against ground truth behind each figure. */
  accuracyBeforeInferences: number;
  accuracyAfterInferences: number;
}

/** OTA transfers of one device (ota_jobs): chunks received and their mean size. */
export interface OtaTransfer {
  jobs: number;
  chunks: number;
  bytes: number;
}

export interface DataQuality {
  snapshots: number;
  intervals: number;
  duplicates: number;
  reboots: number;
  resetsWithoutNewBoot: number;
  devicesInScope: number;
  devicesWithoutSnapshots: string[];
  unknownProfiles: string[];
  inferenceComputeMethods: Record<string, number>;
  /**
   * Check of the what-if model: each device re-costed on its own radio from counts, vs its ledger
   * (total edge and raw energy, % difference; null without data).
   */
  whatIfSelfCheck: { edgeDiffPct: number | null; rawDiffPct: number | null; devices: number };
}

export interface EnergyReportFilters {
  from: string | null;
  to: string | null;
  stream: string | null;
  mcuProfile: string | null;
  radioProfile: string | null;
  modelVersion: string | null;
  deviceId: string | null;
  battery: string | null;
  bucket: 'hour' | 'day';
}

export interface EnergyReport {
  title: string;
  generatedAt: string;
  filters: EnergyReportFilters;
  units: Record<string, string>;
  fleet: GroupRow;
  groups: GroupRow[];
  /** Fleet per time bucket (key: bucket start, ISO). */
  timeSeries: GroupRow[];
  /** Per radio profile devices use now (row key: `<radio>@<bucket start>`). */
  timeSeriesByRadio: Array<{ radio: string; rows: GroupRow[] }>;
  /** Fleet re-costed per target radio / MCU; `radioByStream` keys are `<stream>/<radio>`. */
  whatIf: { radio: WhatIfRow[]; mcu: WhatIfRow[]; radioByStream: WhatIfRow[] };
  modelVersions: ModelVersionRow[];
  rollouts: RolloutRow[];
  findings: string[];
  dataQuality: DataQuality;
  assumptions: string[];
  notAvailable: string[];
  validation: ValidationView;
  sources: SourceEntry[];
}
