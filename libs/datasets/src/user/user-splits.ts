/**
 * Deterministic, stratified train / validation / test splits of the user's data, shared by the
 * pipeline (which trains and reports on them) and the simulator (which replays the held-out part).
 *
 * Time series: every labelled segment is cut by time, its first 70 % train, next 15 % validation,
 * last 15 % test, and windows never cross a cut — overlapping windows of one recording on both sides
 * of a split would make held-out accuracy a measure of memory. Each class is split at the same
 * ratios, so the class balance is the same in every split.
 * Images: per class, files ordered by a hash of their path (no PRNG, no dependence on listing order),
 * the same 70 / 15 / 15 shares.
 */
import { DatasetFormatError } from '../dataset-errors';
import type { LabelledData } from '../labelled-data.types';
import type { TimeSeriesData, TimeSeriesSegment } from './time-series-csv';

export const SPLIT_SHARES = { train: 0.7, val: 0.15, test: 0.15 } as const;
export type SplitName = keyof typeof SPLIT_SHARES;
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'val', 'test'];
/** Fewer training windows / images than this for a class is refused: nothing can be learned or measured. */
export const MIN_TRAIN_EXAMPLES_PER_CLASS = 5;

/** Row ranges [start, end) of each split within a segment of `rows` rows. */
export function segmentCuts(rows: number): Record<SplitName, [number, number]> {
  const a = Math.round(rows * SPLIT_SHARES.train);
  const b = Math.round(rows * (SPLIT_SHARES.train + SPLIT_SHARES.val));
  return { train: [0, a], val: [a, b], test: [b, rows] };
}

/** The part of each segment that belongs to `split`, as shorter segments. */
export function splitSegments(data: TimeSeriesData, split: SplitName): TimeSeriesSegment[] {
  const nc = data.channels.length;
  return data.segments.map((s) => {
    const [a, b] = segmentCuts(s.rows)[split];
    return { ...s, firstLine: s.firstLine + a, rows: b - a, values: s.values.subarray(a * nc, b * nc) };
  });
}

/** Sliding windows ([window][channel]) over each segment; a window's label is its segment's. */
export function windowSegments(
  data: TimeSeriesData,
  segments: TimeSeriesSegment[],
  window: number,
  stride: number,
): LabelledData {
  const nc = data.channels.length;
  let n = 0;
  for (const s of segments) if (s.rows >= window) n += Math.floor((s.rows - window) / stride) + 1;
  const x = new Float32Array(n * window * nc);
  const y = new Int32Array(n);
  let k = 0;
  for (const s of segments)
    for (let start = 0; start + window <= s.rows; start += stride) {
      x.set(s.values.subarray(start * nc, (start + window) * nc), k * window * nc);
      y[k++] = s.label;
    }
  return { n, featureShape: [window, nc], x, y, labels: data.labels, channels: data.channels };
}

/** Windows of every split; refuses (naming the class and its first file) a class that leaves a split empty. */
export function timeSeriesSplits(
  data: TimeSeriesData,
  window: number,
  stride: number,
): Record<SplitName, LabelledData> {
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`window must be a positive integer, got ${window}`);
  if (!Number.isInteger(stride) || stride < 1) throw new RangeError(`stride must be a positive integer, got ${stride}`);
  const out = {} as Record<SplitName, LabelledData>;
  for (const split of SPLIT_NAMES) {
    const d = windowSegments(data, splitSegments(data, split), window, stride);
    const need = split === 'train' ? MIN_TRAIN_EXAMPLES_PER_CLASS : 1;
    data.labels.forEach((label, c) => {
      let have = 0;
      for (let i = 0; i < d.n; i++) if (d.y[i] === c) have++;
      if (have < need) {
        const first = data.segments.find((s) => s.label === c)!;
        throw new DatasetFormatError(
          `too little data for class "${label}": ${data.rowsPerClass[c]} rows give ${have} ${split} window(s) of ${window} samples (need ${need}; the ${split} split takes ${SPLIT_SHARES[split] * 100} % of every segment) — record more or use a shorter --window`,
          first.file,
          first.firstLine,
        );
      }
    });
    out[split] = d;
  }
  return out;
}

/** FNV-1a of a string: a stable order for files that does not depend on how a folder lists them. */
export function stableHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Which split each item goes to: per class, hash order, 70 / 15 / 15 (at least one each). */
export function stratifiedAssign<T>(items: T[], labelOf: (t: T) => number, keyOf: (t: T) => string): SplitName[] {
  const out = new Array<SplitName>(items.length);
  const byClass = new Map<number, number[]>();
  items.forEach((t, i) => (byClass.get(labelOf(t)) ?? byClass.set(labelOf(t), []).get(labelOf(t))!).push(i));
  for (const idx of byClass.values()) {
    idx.sort(
      (a, b) =>
        stableHash(keyOf(items[a])) - stableHash(keyOf(items[b])) || (keyOf(items[a]) < keyOf(items[b]) ? -1 : 1),
    );
    const nTest = Math.max(1, Math.round(idx.length * SPLIT_SHARES.test));
    const nVal = Math.max(1, Math.round(idx.length * SPLIT_SHARES.val));
    idx.forEach((i, k) => (out[i] = k < nTest ? 'test' : k < nTest + nVal ? 'val' : 'train'));
  }
  return out;
}
