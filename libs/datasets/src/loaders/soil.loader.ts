/**
 * EcoIrrigate soil moisture as forecasting windows. Label = 1 when calibrated VWC drops below the
 * authors' 11 % stress threshold at any of the next `horizonSteps` real readings. Windows whose last
 * reading is already below 11 % are skipped: there the answer is known, the forecast is not needed.
 */
import { DatasetFormatError } from '../dataset-errors';
import { readCsv } from '../csv-reader';
import type { LabelledData } from '../labelled-data.types';

export const SOIL_FILES = {
  train: 'datasets/soil-moisture/ecoirrigate_kolkata_15min_train.csv',
  test: 'datasets/soil-moisture/ecoirrigate_kolkata_15min_test.csv',
} as const;
export const VWC_THRESHOLD_PCT = 11.0;

export interface SoilWindowOptions {
  windowSteps: number;
  horizonSteps: number;
  channels: string[];
}

export function loadSoilWindows(split: 'train' | 'test', opts: SoilWindowOptions): LabelledData {
  const t = readCsv(SOIL_FILES[split]);
  const farmCol = t.column('farm_id');
  const timeCol = t.column('timestamp_local');
  const vwcCol = t.column('vwc_pct');
  const chCols = opts.channels.map((c) => t.column(c));
  // Series per farm, in file order (the file is sorted by farm, then time); check the order.
  const series = new Map<string, number[]>();
  let prev: { farm: string; time: string } | null = null;
  for (let r = 0; r < t.rows.length; r++) {
    const farm = t.rows[r][farmCol];
    const time = t.rows[r][timeCol];
    if (prev && prev.farm === farm && time <= prev.time)
      throw new DatasetFormatError(`timestamps not increasing (${time} after ${prev.time})`, t.file, t.lines[r]);
    prev = { farm, time };
    if (!series.has(farm)) series.set(farm, []);
    series.get(farm)!.push(r);
  }
  const xs: number[] = [];
  const ys: number[] = [];
  for (const rows of series.values()) {
    const vwc = rows.map((r) => t.number(r, vwcCol));
    const values = rows.map((r) => chCols.map((c) => t.number(r, c)));
    for (let end = opts.windowSteps; end + opts.horizonSteps <= rows.length; end++) {
      if (vwc[end - 1] < VWC_THRESHOLD_PCT) continue;
      let below = false;
      for (let k = end; k < end + opts.horizonSteps; k++) if (vwc[k] < VWC_THRESHOLD_PCT) below = true;
      for (let s = end - opts.windowSteps; s < end; s++) xs.push(...values[s]);
      ys.push(below ? 1 : 0);
    }
  }
  return {
    n: ys.length,
    featureShape: [opts.windowSteps, opts.channels.length],
    x: Float32Array.from(xs),
    y: Int32Array.from(ys),
    labels: ['stays_above_11pct', 'drops_below_11pct'],
    channels: opts.channels,
  };
}
