import type { EnergyReport, GroupRow, WhatIfRow } from './energy-report.types';

type Cell = string | number | null;

/**
 * One CSV column: its header (unit in the name) and where its value sits in the JSON report, so CSV and
 * JSON cannot drift apart (the e2e test reads both and compares every cell).
 */
export interface CsvColumn {
  header: string;
  path: string;
}

const F = 'figures.';
export const CSV_COLUMNS: CsvColumn[] = [
  { header: 'group_by', path: 'groupBy' },
  { header: 'key', path: 'key' },
  { header: 'label', path: 'label' },
  ...[
    ['devices', 'devices'],
    ['device_days', 'deviceDays'],
    ['edge_radio_j_per_day', 'edgeJoulesPerDay.radio'],
    ['edge_compute_j_per_day', 'edgeJoulesPerDay.compute'],
    ['edge_sensing_j_per_day', 'edgeJoulesPerDay.sensing'],
    ['edge_sleep_j_per_day', 'edgeJoulesPerDay.sleep'],
    ['edge_total_j_per_day', 'edgeJoulesPerDay.total'],
    ['raw_radio_j_per_day', 'rawJoulesPerDay.radio'],
    ['raw_compute_j_per_day', 'rawJoulesPerDay.compute'],
    ['raw_sensing_j_per_day', 'rawJoulesPerDay.sensing'],
    ['raw_sleep_j_per_day', 'rawJoulesPerDay.sleep'],
    ['raw_total_j_per_day', 'rawJoulesPerDay.total'],
    ['edge_total_j', 'edgeTotalJ'],
    ['raw_total_j', 'rawTotalJ'],
    ['raw_to_edge_ratio', 'rawToEdgeRatio'],
    ['edge_saving_pct', 'edgeSavingPct'],
    ['verdict', 'verdict'],
    ['radio_share_pct', 'radioSharePct'],
    ['raw_radio_share_pct', 'rawRadioSharePct'],
    ['edge_bytes_on_air_per_day', 'bytesOnAirPerDay.edge'],
    ['raw_bytes_on_air_per_day', 'bytesOnAirPerDay.raw'],
    ['edge_messages_up_per_day', 'messagesUpPerDay.edge'],
    ['raw_messages_up_per_day', 'messagesUpPerDay.raw'],
    ['battery_life_edge_days', 'battery.edgeDays'],
    ['battery_life_raw_days', 'battery.rawDays'],
    ['battery_devices', 'battery.devices'],
    ['battery_infeasible_devices', 'battery.infeasible'],
    ['inferences', 'inferences'],
    ['events', 'events'],
    ['samples', 'samples'],
    ['energy_per_inference_uj', 'energyPerInferenceUj'],
    ['inference_compute_per_inference_uj', 'inferenceComputePerInferenceUj'],
    ['energy_per_event_uj', 'energyPerEventUj'],
    ['ota_download_j', 'otaDownloadJ'],
    ['raw_payload_bytes_kept', 'rawPayloadBytesKept'],
    ['air_bytes_avoided', 'airBytesAvoided'],
  ].map(([header, path]) => ({ header: header!, path: F + path })),
  { header: 'whatif_devices_on_profile', path: 'devicesOnProfile' },
  { header: 'whatif_devices_excluded', path: 'devicesExcluded' },
  { header: 'lora_max_edge_airtime_s_per_day', path: 'dutyCycle.maxEdgeAirtimeSPerDay' },
  { header: 'lora_max_raw_airtime_s_per_day', path: 'dutyCycle.maxRawAirtimeSPerDay' },
  { header: 'lora_duty_cycle_edge_violations', path: 'dutyCycle.edgeViolations' },
  { header: 'lora_duty_cycle_raw_violations', path: 'dutyCycle.rawViolations' },
];

export function valueAt(obj: unknown, path: string): Cell {
  let v: unknown = obj;
  for (const k of path.split('.'))
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v === undefined || v === null ? null : (v as string | number);
}

function cell(v: Cell): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Every row of the report in one table: fleet, groups, time buckets (fleet, per radio), what-if radios (fleet, per stream) and MCUs. */
export function reportRows(r: EnergyReport): Array<GroupRow | WhatIfRow> {
  return [
    r.fleet,
    ...r.groups,
    ...r.timeSeries,
    ...r.timeSeriesByRadio.flatMap((s) => s.rows),
    ...r.whatIf.radio,
    ...r.whatIf.radioByStream,
    ...r.whatIf.mcu,
  ];
}

export function renderCsv(r: EnergyReport): string {
  const lines = [CSV_COLUMNS.map((c) => c.header).join(',')];
  for (const row of reportRows(r)) lines.push(CSV_COLUMNS.map((c) => cell(valueAt(row, c.path))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
