import { readCsv } from '@tinyfleet/datasets';
import { SensorStream, wrapIndex } from './sensor-stream';

export const SOIL_FILE = 'datasets/soil-moisture/ecoirrigate_kolkata_15min_test.csv';
export const SOIL_INTERVAL_MS = 15 * 60_000;
/** The EcoIrrigate authors' stress trigger (PROVENANCE.md §2). */
export const SOIL_VWC_THRESHOLD_PCT = 11.0;
/**
 * Ground truth "drops below 11 % VWC within the next N readings": 24 readings = 6 h, the horizon of
 * the pipeline's soil recipe (libs/pipeline/src/recipes/soil.recipe.ts; the manifest states it only in
 * words). A reading already below 11 % counts as 1 (irrigation needed now).
 */
export const SOIL_HORIZON_STEPS = 24;
export const SOIL_LABELS = ['stays_above_11pct', 'drops_below_11pct'];

/**
 * EcoIrrigate, one farm's 15-minute series (the test split: the part the model never trained on),
 * every numeric column as a channel. Raw sample = 10 B (SENSOR_PROFILES.soil).
 */
export function loadSoilStream(farm: 'Kolkata_Farm_1' | 'Kolkata_Farm_2', file = SOIL_FILE): SensorStream {
  const { channels, values, truth, lines } = decodeSoil(farm, file);
  const n = channels.length;
  const len = truth.length;
  return {
    id: 'soil',
    sensor: 'soil',
    recipe: 'soil',
    channels,
    labels: SOIL_LABELS,
    length: len,
    rawSampleBytes: 10,
    values: (i) => values.subarray(wrapIndex(i, len) * n, (wrapIndex(i, len) + 1) * n),
    groundTruth: (i) => truth[wrapIndex(i, len)],
    nextIntervalMs: () => SOIL_INTERVAL_MS,
    describe: (i) => `${file}:${lines[wrapIndex(i, len)]}`,
  };
}

/**
 * One farm's rows decoded into typed arrays, in a function of its own: the stream's closures must not
 * share a scope with the parsed table (V8 keeps every variable a scope's closures capture alive
 * together), or its per-row strings stay in every worker's heap.
 */
function decodeSoil(farm: string, file: string) {
  const t = readCsv(file);
  const farmCol = t.column('farm_id');
  const rows: number[] = [];
  for (let r = 0; r < t.rows.length; r++) if (t.rows[r][farmCol] === farm) rows.push(r);
  if (rows.length === 0) throw new Error(`${t.file}: no rows for ${farm}`);
  const channels = t.header.filter((h) => h !== 'timestamp_local' && h !== 'farm_id');
  const cols = channels.map((c) => t.column(c));
  const values = new Float32Array(rows.length * channels.length);
  rows.forEach((r, k) => cols.forEach((c, j) => (values[k * channels.length + j] = t.number(r, c))));
  const vwc = rows.map((r) => t.number(r, t.column('vwc_pct')));
  const truth = new Uint8Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    // Wraps at the end of the series like the replay does, so every sample has a label.
    for (let h = 0; h <= SOIL_HORIZON_STEPS; h++) if (vwc[(k + h) % rows.length] < SOIL_VWC_THRESHOLD_PCT) truth[k] = 1;
  }
  return { channels, values, truth, lines: Uint32Array.from(rows, (r) => t.lines[r]) };
}
