import { readCsv } from '@tinyfleet/datasets';
import { mulberry32 } from '@tinyfleet/random';
import { SensorStream, wrapIndex } from './sensor-stream';

export const SMELLNET_TEST_FILE = 'datasets/gas/smellnet-fruits/smellnet_fruits_test.csv';
export const SMELLNET_LABELS = [
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
/** SmellNet is logged at ~1 Hz (PROVENANCE.md §3a). */
export const SMELLNET_INTERVAL_MS = 1_000;

export const UCI_FILES = [
  'datasets/gas/uci-gas-drift/uci_gas_drift_train.csv',
  'datasets/gas/uci-gas-drift/uci_gas_drift_test.csv',
];
export const UCI_LABELS = ['ethanol', 'ethylene', 'ammonia', 'acetaldehyde', 'acetone', 'toluene'];
/**
 * One UCI row is one gas exposure summarised as features, not a 1 Hz reading; the source does not give
 * the exposure rate, so the node sees one exposure every 5 virtual minutes [ASSUME].
 */
export const UCI_EXPOSURE_INTERVAL_MS = 5 * 60_000;

/** SmellNet fruit recordings (test split) back to back, every column after the index columns as a channel. */
export function loadSmellnetStream(file = SMELLNET_TEST_FILE): SensorStream {
  const t = readCsv(file);
  const subCol = t.column('substance');
  const channels = t.header.filter((h) => !['recording_id', 'substance', 'sample_index'].includes(h));
  const cols = channels.map((c) => t.column(c));
  const n = channels.length;
  const values = new Float64Array(t.rows.length * n); // 2^32-1 invalid markers need more than float32's 24 bits
  const truth = new Uint8Array(t.rows.length);
  for (let r = 0; r < t.rows.length; r++) {
    cols.forEach((c, j) => (values[r * n + j] = t.number(r, c)));
    const label = SMELLNET_LABELS.indexOf(t.rows[r][subCol]);
    if (label < 0) throw new Error(`${t.file}:${t.lines[r]}: unknown substance ${t.rows[r][subCol]}`);
    truth[r] = label;
  }
  const len = t.rows.length;
  return {
    id: 'gas-fruit',
    sensor: 'gas',
    recipe: 'gas-fruit',
    channels,
    labels: SMELLNET_LABELS,
    length: len,
    rawSampleBytes: 8, // SENSOR_PROFILES.gas: resistance + compensation
    // A new window every 16 s: confirm a change of fruit over two windows before reporting it.
    eventConfirmations: 2,
    values: (i) => values.subarray(wrapIndex(i, len) * n, (wrapIndex(i, len) + 1) * n),
    groundTruth: (i) => truth[wrapIndex(i, len)],
    nextIntervalMs: () => SMELLNET_INTERVAL_MS,
    describe: (i) => `${file}:${t.lines[wrapIndex(i, len)]}`,
  };
}

/**
 * UCI gas drift, batches 1..9 in time order (train file then test file), so a node replaying it sees
 * the sensors drift. Raw sample = the 128 features as float32 (512 B): the raw time series behind
 * them is not in the data, so this is the smallest honest "raw" payload.
 *
 * `shuffledWithinBatches`: the rows of each batch in a fixed pseudo-random order. The files list a
 * batch gas by gas, so replayed as they are the class mix of a few hours is one or two gases and
 * changes with the hour — a drift monitor then sees the file's order, not the sensors' drift. Shuffled,
 * a batch's hours share its class mix and only the move from batch to batch shifts the signals.
 */
export function loadUciDriftStream(files = UCI_FILES, shuffledWithinBatches = false): SensorStream {
  const tables = files.map((f) => readCsv(f));
  const channels = tables[0].header.filter((h) => /^s\d\d_/.test(h));
  const n = channels.length;
  const rows: { t: (typeof tables)[number]; r: number; batch: number; file: string }[] = [];
  tables.forEach((t, k) => {
    const b = t.column('batch');
    for (let r = 0; r < t.rows.length; r++) rows.push({ t, r, batch: t.number(r, b), file: files[k] });
  });
  rows.sort((a, b) => a.batch - b.batch); // stable: keeps file order within a batch
  if (shuffledWithinBatches) shuffleWithinBatches(rows);
  const values = new Float32Array(rows.length * n);
  const truth = new Uint8Array(rows.length);
  rows.forEach(({ t, r }, k) => {
    channels.forEach((c, j) => (values[k * n + j] = t.number(r, t.column(c))));
    const gas = t.number(r, t.column('gas_id'));
    if (!(gas >= 1 && gas <= 6)) throw new Error(`${t.file}:${t.lines[r]}: gas_id ${gas} out of range`);
    truth[k] = gas - 1;
  });
  const len = rows.length;
  return {
    id: 'gas-ethylene',
    sensor: 'gas',
    recipe: 'gas-ethylene',
    channels,
    labels: UCI_LABELS,
    length: len,
    rawSampleBytes: 128 * 4,
    values: (i) => values.subarray(wrapIndex(i, len) * n, (wrapIndex(i, len) + 1) * n),
    groundTruth: (i) => truth[wrapIndex(i, len)],
    nextIntervalMs: () => UCI_EXPOSURE_INTERVAL_MS,
    describe: (i) => {
      const row = rows[wrapIndex(i, len)];
      return `${row.file}:${row.t.lines[row.r]} (batch ${row.batch})`;
    },
  };
}

/** Fisher–Yates within each run of equal `batch` (rows sorted by batch), seeded so every replay agrees. */
function shuffleWithinBatches<T extends { batch: number }>(rows: T[]): void {
  const random = mulberry32(18); // the seed bench:drift has measured with
  for (let start = 0; start < rows.length;) {
    let end = start;
    while (end < rows.length && rows[end]!.batch === rows[start]!.batch) end++;
    for (let i = end - 1; i > start; i--) {
      const j = start + Math.floor(random() * (i - start + 1));
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    start = end;
  }
}
