import {
  imageSplit,
  readImageFolder,
  readTimeSeries,
  splitSegments,
  type ColorMode,
  type HoldoutMode,
  type SplitName,
} from '@tinyfleet/datasets';
import type { SensorStreamId } from '@tinyfleet/energy';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SensorStream, wrapIndex } from './sensor-stream';

/** The stream kind of nodes replaying the user's own recording. */
export const USER_STREAM = 'user';

/** Everything a worker needs to load the user's recording (plain data: it crosses to worker threads). */
export interface UserStreamOptions {
  /** A CSV, a folder of CSVs, or an image folder (a sub-folder per class). */
  file: string;
  /** Samples (rows or frames) per second of virtual time. */
  rateHz: number;
  /** Stream name the nodes register with (rollouts target it). */
  id: string;
  /** Which sensor profile prices a sample. */
  sensor: SensorStreamId;
  /** The model's labels, in its output order: ground truth is mapped by name. */
  labels: string[];
  /** `test`: only the held-out part (the build's test split); `all`: the whole recording. */
  part: SplitName | 'all';
  /** Time series: how the build held out its test split (its manifest says; libs/datasets holdoutOf). */
  holdout?: HoldoutMode;
  /**
   * Time series: the model's window length. Part `test` replays the window length − 1 rows of the same
   * segment before each held-out part, so a node's window ending on a held-out row holds rows of that
   * segment only, as a device that had been sensing it all along would; and only windows inside one
   * segment are scored against the ground truth (one straddling two has no single label).
   */
  windowLength?: number;
  labelColumn?: string;
  timestampColumn?: string;
  /** Images: the model's input side and colour. */
  imageSize?: number;
  color?: ColorMode;
}

function labelIndex(labels: string[], label: string, where: string): number {
  const k = labels.indexOf(label);
  if (k < 0) throw new Error(`${where}: label "${label}" is not one of the model's labels (${labels.join(', ')})`);
  return k;
}

/**
 * The user's recording replayed as a sensor at a fixed rate, with the ground truth from its label
 * column (or class folder). The held-out part is the same split the pipeline reported test accuracy
 * on (libs/datasets user-splits: the last 15 % of every labelled segment, or 15 % of each class's images).
 */
export function loadUserStream(o: UserStreamOptions): SensorStream {
  const intervalMs = 1000 / o.rateHz;
  const isImages =
    fs.statSync(o.file).isDirectory() && fs.readdirSync(o.file).every((f) => !f.toLowerCase().endsWith('.csv'));
  if (isImages) {
    if (!o.imageSize) throw new Error(`${o.file}: an image stream needs the model's input size`);
    const folder = readImageFolder(o.file);
    const color = o.color ?? 'gray';
    const d = imageSplit(folder, o.part, o.imageSize, color);
    const truth = Int32Array.from(d.y, (y) => labelIndex(o.labels, d.labels[y], o.file));
    const f = d.x.length / d.n;
    // Interleave the classes (the folder order groups them) so a replay alternates.
    const seen = new Map<number, number>();
    const rank = Array.from(d.y, (y) => {
      const k = seen.get(y) ?? 0;
      seen.set(y, k + 1);
      return k;
    });
    const order = Array.from({ length: d.n }, (_, i) => i).sort((a, b) => rank[a] - rank[b] || d.y[a] - d.y[b]);
    return {
      id: o.id,
      sensor: o.sensor,
      recipe: o.id,
      channels: d.channels,
      labels: o.labels,
      length: d.n,
      rawSampleBytes: f,
      values: (i) => {
        const k = order[wrapIndex(i, d.n)];
        return d.x.subarray(k * f, (k + 1) * f);
      },
      groundTruth: (i) => truth[order[wrapIndex(i, d.n)]],
      nextIntervalMs: () => intervalMs,
      describe: (i) => `${o.file} image #${order[wrapIndex(i, d.n)]} (${o.part})`,
    };
  }
  const { channels, values, truth, offset, piece, pieces } = decodeUserSeries(o);
  const warmup = Math.max(0, (o.windowLength ?? 1) - 1);
  const n = channels.length;
  const rows = truth.length;
  return {
    id: o.id,
    sensor: o.sensor,
    recipe: o.id,
    channels,
    labels: o.labels,
    length: rows,
    rawSampleBytes: n * 4,
    values: (i) => values.subarray(wrapIndex(i, rows) * n, (wrapIndex(i, rows) + 1) * n),
    groundTruth: (i) => truth[wrapIndex(i, rows)],
    scored: (i) => offset[wrapIndex(i, rows)] >= warmup,
    nextIntervalMs: () => intervalMs,
    describe: (i) => {
      const k = wrapIndex(i, rows);
      const p = pieces[piece[k]];
      return `${p.file}:${p.firstLine + offset[k]}`;
    },
  };
}

/**
 * The replayed part of a time series decoded into typed arrays (plus one entry per segment piece),
 * in a function of its own: the stream's closures must not share a scope with the parsed recording
 * (V8 keeps every variable a scope's closures capture alive together), or it stays in every worker.
 */
function decodeUserSeries(o: UserStreamOptions) {
  const data = readTimeSeries(o.file, { labelColumn: o.labelColumn, timestampColumn: o.timestampColumn });
  const nc = data.channels.length;
  const warmup = Math.max(0, (o.windowLength ?? 1) - 1);
  const segments =
    o.part === 'all'
      ? data.segments
      : o.holdout === 'segments'
        ? splitSegments(data, o.part, 'segments')
        : splitSegments(data, o.part).map((s, i) => {
            const whole = data.segments[i];
            const start = (s.values.byteOffset - whole.values.byteOffset) / 4 / nc;
            const from = Math.max(0, start - warmup);
            return {
              ...s,
              firstLine: whole.firstLine + from,
              rows: s.rows + start - from,
              values: whole.values.subarray(from * nc, (start + s.rows) * nc),
            };
          });
  const rows = segments.reduce((a, s) => a + s.rows, 0);
  const values = new Float32Array(rows * nc);
  const truth = new Uint8Array(rows);
  /** Row index within its segment piece, and which piece. */
  const offset = new Uint32Array(rows);
  const piece = new Uint32Array(rows);
  let r = 0;
  segments.forEach((s, k) => {
    values.set(s.values, r * nc);
    truth.fill(labelIndex(o.labels, data.labels[s.label], `${s.file}:${s.firstLine}`), r, r + s.rows);
    for (let j = 0; j < s.rows; j++) offset[r + j] = j;
    piece.fill(k, r, r + s.rows);
    r += s.rows;
  });
  const pieces = segments.map((s) => ({ file: path.basename(s.file), firstLine: s.firstLine }));
  return { channels: data.channels, values, truth, offset, piece, pieces };
}
