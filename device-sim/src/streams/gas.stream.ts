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
  const { channels, values, truth, lines } = decodeSmellnet(file);
  const n = channels.length;
  const len = truth.length;
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
    describe: (i) => `${file}:${lines[wrapIndex(i, len)]}`,
  };
}

/**
 * The CSV decoded into typed arrays, in a function of its own: the stream's closures must not share
 * a scope with the parsed table (V8 keeps every variable a scope's closures capture alive together),
 * or its per-row strings stay in every worker's heap (UCI: 45.7 MB per worker before, 11.3 MB after).
 */
function decodeSmellnet(file: string) {
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
  return { channels, values, truth, lines: Uint32Array.from(t.lines) };
}

export interface UciStreamOptions {
  /**
   * Each batch's rows in a seeded random order. The file lists a batch gas by gas (runs of up to 525
   * rows of one gas), which a sensor in the field would not see, so in file order the class mix moves
   * with the row and not only with the sensors' drift; the batch order — the drift over 36 months —
   * is kept.
   */
  shuffledWithinBatches?: boolean;
  /**
   * The last batch replayed: after its last row the replay starts that batch again instead of going
   * on to later batches and back to batch 1, so a node that reached a drifted batch stays in it (a
   * sensor does not un-drift; `sim run --gas-end-batch`).
   */
  endBatch?: number;
}

/**
 * UCI gas drift, batches 1..9 in time order (train file then test file), so a node replaying it sees
 * the sensors drift. Raw sample = the 128 features as float32 (512 B): the raw time series behind
 * them is not in the data, so this is the smallest honest "raw" payload.
 */
export function loadUciDriftStream(files = UCI_FILES, opts: UciStreamOptions = {}): SensorStream {
  const { channels, values, truth, fileIndex, lines, batches } = decodeUciDrift(files, opts);
  const n = channels.length;
  const len = truth.length;
  // With endBatch, a row past the end is a row of the end batch again; otherwise the recording wraps.
  const holdFrom = opts.endBatch === undefined ? 0 : batches.indexOf(opts.endBatch);
  const row = (i: number) => (i < len ? wrapIndex(i, len) : holdFrom + ((i - holdFrom) % (len - holdFrom)));
  return {
    id: 'gas-ethylene',
    sensor: 'gas',
    recipe: 'gas-ethylene',
    channels,
    labels: UCI_LABELS,
    length: len,
    rawSampleBytes: 128 * 4,
    values: (i) => values.subarray(row(i) * n, (row(i) + 1) * n),
    groundTruth: (i) => truth[row(i)],
    nextIntervalMs: () => UCI_EXPOSURE_INTERVAL_MS,
    describe: (i) => {
      const k = row(i);
      return `${files[fileIndex[k]]}:${lines[k]} (batch ${batches[k]})`;
    },
  };
}

/**
 * Where UCI batch `batch` starts in the replay (its first row; the shuffle keeps every row in its
 * batch, so this holds for both orders). Throws for a batch the files do not hold (7 and 10).
 */
export function uciBatchStartRow(batch: number, files = UCI_FILES): number {
  const held = new Set<number>();
  let before = 0;
  for (const file of files) {
    const t = readCsv(file);
    const col = t.column('batch');
    for (let r = 0; r < t.rows.length; r++) {
      const b = t.number(r, col);
      held.add(b);
      if (b < batch) before++;
    }
  }
  if (!held.has(batch))
    throw new Error(
      `UCI batch ${batch} is not in the files (they hold batches ${[...held].sort((a, b) => a - b).join(', ')})`,
    );
  return before;
}

/** Fisher–Yates within each run of one batch, seeded, so every replay (and every node) sees one order. */
function shuffleWithinBatches(rows: Array<{ batch: number }>): void {
  const random = mulberry32(18);
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

/** Both CSVs decoded into typed arrays in time order (a scope of its own, as decodeSmellnet). */
function decodeUciDrift(files: string[], opts: UciStreamOptions) {
  const tables = files.map((f) => readCsv(f));
  const channels = tables[0].header.filter((h) => /^s\d\d_/.test(h));
  const n = channels.length;
  let rows: { t: (typeof tables)[number]; r: number; batch: number; fileIndex: number }[] = [];
  tables.forEach((t, k) => {
    const b = t.column('batch');
    for (let r = 0; r < t.rows.length; r++) rows.push({ t, r, batch: t.number(r, b), fileIndex: k });
  });
  rows.sort((a, b) => a.batch - b.batch); // stable: keeps file order within a batch
  if (opts.endBatch !== undefined) {
    const held = [...new Set(rows.map((row) => row.batch))];
    if (!held.includes(opts.endBatch))
      throw new Error(`UCI batch ${opts.endBatch} is not in the files (they hold batches ${held.join(', ')})`);
    rows = rows.filter((row) => row.batch <= opts.endBatch!);
  }
  if (opts.shuffledWithinBatches) shuffleWithinBatches(rows);
  const values = new Float32Array(rows.length * n);
  const truth = new Uint8Array(rows.length);
  rows.forEach(({ t, r }, k) => {
    channels.forEach((c, j) => (values[k * n + j] = t.number(r, t.column(c))));
    const gas = t.number(r, t.column('gas_id'));
    if (!(gas >= 1 && gas <= 6)) throw new Error(`${t.file}:${t.lines[r]}: gas_id ${gas} out of range`);
    truth[k] = gas - 1;
  });
  return {
    channels,
    values,
    truth,
    fileIndex: Uint8Array.from(rows, (row) => row.fileIndex),
    lines: Uint32Array.from(rows, (row) => row.t.lines[row.r]),
    batches: Uint8Array.from(rows, (row) => row.batch),
  };
}
