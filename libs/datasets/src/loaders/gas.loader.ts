/** SmellNet fruit recordings (windows of gas channels) and the UCI gas drift features (per exposure). */
import { DatasetFormatError } from '../dataset-errors';
import { readCsv } from '../csv-reader';
import type { LabelledData } from '../labelled-data.types';

export const SMELLNET_FILES = {
  train: 'datasets/gas/smellnet-fruits/smellnet_fruits_train.csv',
  test: 'datasets/gas/smellnet-fruits/smellnet_fruits_test.csv',
} as const;
export const SMELLNET_CLASSES = [
  'apple',
  'avocado',
  'banana',
  'kiwi',
  'lemon',
  'mandarin_orange',
  'mango',
  'peach',
  'pear',
  'pineapple',
  'strawberry',
  'tomato',
];
/** 2^32-1: the sensor's "no reading" value (38 % of benzene rows). */
export const SMELLNET_INVALID_READING = 4294967295;

export interface SmellnetWindowOptions {
  channels: string[];
  windowSteps: number;
  strideSteps: number;
}

export function loadSmellnetWindows(split: 'train' | 'test', opts: SmellnetWindowOptions): LabelledData {
  const t = readCsv(SMELLNET_FILES[split]);
  const recCol = t.column('recording_id');
  const subCol = t.column('substance');
  const chCols = opts.channels.map((c) => t.column(c));
  const recordings = new Map<string, { label: number; rows: number[] }>();
  for (let r = 0; r < t.rows.length; r++) {
    const label = SMELLNET_CLASSES.indexOf(t.rows[r][subCol]);
    if (label < 0) throw new DatasetFormatError(`unknown substance "${t.rows[r][subCol]}"`, t.file, t.lines[r]);
    const id = t.rows[r][recCol];
    if (!recordings.has(id)) recordings.set(id, { label, rows: [] });
    recordings.get(id)!.rows.push(r);
  }
  const xs: number[] = [];
  const ys: number[] = [];
  for (const rec of recordings.values()) {
    const values = rec.rows.map((r) =>
      chCols.map((c) => {
        const v = t.number(r, c);
        // The invalid marker would dominate any normalisation; the recipe must not select such channels.
        if (v === SMELLNET_INVALID_READING)
          throw new DatasetFormatError(
            `invalid reading ${v} in channel ${t.header[c]} (use the first gas channels, not benzene)`,
            t.file,
            t.lines[r],
          );
        return v;
      }),
    );
    for (let s = 0; s + opts.windowSteps <= values.length; s += opts.strideSteps) {
      for (let k = s; k < s + opts.windowSteps; k++) xs.push(...values[k]);
      ys.push(rec.label);
    }
  }
  return {
    n: ys.length,
    featureShape: [opts.windowSteps, opts.channels.length],
    x: Float32Array.from(xs),
    y: Int32Array.from(ys),
    labels: SMELLNET_CLASSES,
    channels: opts.channels,
  };
}

export const UCI_GAS_FILES = {
  train: 'datasets/gas/uci-gas-drift/uci_gas_drift_train.csv',
  test: 'datasets/gas/uci-gas-drift/uci_gas_drift_test.csv',
} as const;
export const UCI_GAS_CLASSES = ['ethanol', 'ethylene', 'ammonia', 'acetaldehyde', 'acetone', 'toluene'];

/** Rows of the given batches (1-6 live in the train file, 8-9 in the test file). */
export function loadUciGas(batches: number[]): LabelledData {
  const files = new Set(batches.map((b) => (b <= 6 ? UCI_GAS_FILES.train : UCI_GAS_FILES.test)));
  const xs: number[] = [];
  const ys: number[] = [];
  let channels: string[] = [];
  for (const f of files) {
    const t = readCsv(f);
    const batchCol = t.column('batch');
    const gasCol = t.column('gas_id');
    const featCols = t.header.map((h, i) => ({ h, i })).filter((c) => /^s\d\d_/.test(c.h));
    if (featCols.length !== 128)
      throw new DatasetFormatError(`expected 128 sensor feature columns, found ${featCols.length}`, t.file, 1);
    channels = featCols.map((c) => c.h);
    for (let r = 0; r < t.rows.length; r++) {
      if (!batches.includes(t.number(r, batchCol))) continue;
      const gas = t.number(r, gasCol);
      if (!Number.isInteger(gas) || gas < 1 || gas > 6)
        throw new DatasetFormatError(`gas_id ${gas} out of range 1..6`, t.file, t.lines[r]);
      for (const c of featCols) xs.push(t.number(r, c.i));
      ys.push(gas - 1);
    }
  }
  return {
    n: ys.length,
    featureShape: [128],
    x: Float32Array.from(xs),
    y: Int32Array.from(ys),
    labels: UCI_GAS_CLASSES,
    channels,
  };
}
