import type { EnergyFigures } from './energy-aggregate';
import type { DutyCycleCheck } from './energy-what-if';
import type { SourceEntry, ValidationView } from './energy-report.notes';

export type GroupBy = 'fleet' | 'device' | 'stream' | 'mcuProfile' | 'radioProfile' | 'modelVersion' | 'time' | 'whatIfRadio' | 'whatIfMcu';

export interface GroupRow {
  groupBy: GroupBy;
  key: string;
  figures: EnergyFigures;
}

export interface WhatIfRow extends GroupRow {
  /** The fleet's own profile (the ledger figures are the reference for it). */
  isCurrent: boolean;
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
  /** Not available yet: no ground truth reaches the platform. */
  accuracyPct: number | null;
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
  timeSeries: GroupRow[];
  whatIf: { radio: WhatIfRow[]; mcu: WhatIfRow[] };
  modelVersions: ModelVersionRow[];
  findings: string[];
  dataQuality: DataQuality;
  assumptions: string[];
  notAvailable: string[];
  validation: ValidationView;
  sources: SourceEntry[];
}
