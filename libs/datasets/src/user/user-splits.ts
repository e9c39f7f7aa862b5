/**
 * Deterministic, stratified train / validation / test splits of the user's data, shared by the
 * pipeline (which trains and reports on them) and the simulator (which replays the held-out part).
 *
 * Time series, holdout `time` (default): every labelled segment is cut by time, its first 70 % train,
 * next 15 % validation, last 15 % test, and windows never cross a cut — overlapping windows of one
 * recording on both sides of a split would make held-out accuracy a measure of memory. Each class is
 * split at the same ratios, so the class balance is the same in every split. Holdout `segments`:
 * whole segments (recordings of one label) go to one split, per class in hash order 70 / 15 / 15 —
 * the test then measures recordings the model never saw, the stricter question.
 * Images: per class, files ordered by a hash of their path (no PRNG, no dependence on listing order),
 * the same 70 / 15 / 15 shares.
 */
import { DatasetFormatError } from '../dataset-errors';
import type { LabelledData } from '../labelled-data.types';
import type { TimeSeriesData, TimeSeriesSegment } from './time-series-csv';

export const SPLIT_SHARES = { train: 0.7, val: 0.15, test: 0.15 } as const;
export type HoldoutMode = 'time' | 'segments';
export const HOLDOUT_MODES: readonly HoldoutMode[] = ['time', 'segments'];
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

/** Where the split description of a manifest says which holdout made it (read back by the simulator). */
export function holdoutTag(mode: HoldoutMode): string {
  return `holdout=${mode}`;
}

export function holdoutOf(splitDescription: string): HoldoutMode {
  return /^holdout=segments\b/.test(splitDescription) ? 'segments' : 'time';
}

/** The segments (holdout `segments`) or the part of each segment (holdout `time`) that belongs to `split`. */
export function splitSegments(data: TimeSeriesData, split: SplitName, mode: HoldoutMode = 'time'): TimeSeriesSegment[] {
  if (mode === 'segments') {
    data.labels.forEach((label, c) => {
      const segs = data.segments.filter((s) => s.label === c);
      if (segs.length < 3)
        throw new DatasetFormatError(
          `class "${label}" has ${segs.length} segment(s); --holdout segments needs at least 3 per class (train, validation, test)`,
          segs[0]?.file ?? data.files[0],
          segs[0]?.firstLine,
        );
    });
    const assigned = stratifiedAssign(
      data.segments,
      (s) => s.label,
      (s) => `${s.file}:${s.firstLine}`,
    );
    return data.segments.filter((_, i) => assigned[i] === split);
  }
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
  mode: HoldoutMode = 'time',
): Record<SplitName, LabelledData> {
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`window must be a positive integer, got ${window}`);
  if (!Number.isInteger(stride) || stride < 1) throw new RangeError(`stride must be a positive integer, got ${stride}`);
  const out = {} as Record<SplitName, LabelledData>;
  for (const split of SPLIT_NAMES) {
    const d = windowSegments(data, splitSegments(data, split, mode), window, stride);
    const need = split === 'train' ? MIN_TRAIN_EXAMPLES_PER_CLASS : 1;
    data.labels.forEach((label, c) => {
      let have = 0;
      for (let i = 0; i < d.n; i++) if (d.y[i] === c) have++;
      if (have < need) {
        const first = data.segments.find((s) => s.label === c)!;
        throw new DatasetFormatError(
          `too little data for class "${label}": ${data.rowsPerClass[c]} rows give ${have} ${split} window(s) of ${window} samples (need ${need}; the ${split} split takes ${SPLIT_SHARES[split] * 100} % of every ${mode === 'time' ? 'segment' : "class's segments"}) — record more or use a shorter --window`,
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
