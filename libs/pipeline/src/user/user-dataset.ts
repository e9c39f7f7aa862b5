/**
 * The user's data as the pipeline sees it: a time-series CSV (file or folder) or an image folder,
 * read and checked once, then cut into the shared deterministic splits for any input choice the
 * architecture search tries (window length, spectral bins; image resolution, colour).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DatasetRef } from '@tinyfleet/artifact';
import {
  DatasetMissingError,
  imageSplit,
  readImageFolder,
  readTimeSeries,
  sha256File,
  timeSeriesSplits,
  holdoutTag,
  type ColorMode,
  type HoldoutMode,
  type ImageFolderData,
  type LabelledData,
  type SplitName,
  type TimeSeriesData,
} from '@tinyfleet/datasets';
import type { PreprocessingTemplate } from '../preprocess';

export type InputChoice =
  | { kind: 'window'; window: number; stride: number; spectralBins?: number }
  | { kind: 'image'; size: number; color: ColorMode };

export interface UserDataOptions {
  path: string;
  labelColumn?: string;
  timestampColumn?: string;
  channels?: string[];
  /** Time series: how the test split is held out (see libs/datasets user-splits). */
  holdout?: HoldoutMode;
}

export interface UserDataset {
  kind: 'timeseries' | 'images';
  labels: string[];
  /** Rows (time series) or images per class, over the whole data. */
  examplesPerClass: number[];
  /** Seconds between samples (time series: the median timestamp step). */
  sampleIntervalSeconds: number | null;
  /** Every file read, with its hash (recorded in the manifest). */
  files: DatasetRef['files'];
  describe: string;
  /** How the splits were made, for the manifest (starts with the holdout tag the simulator reads). */
  splitDescription: string;
  splits(input: InputChoice): Record<SplitName, LabelledData>;
  template(input: InputChoice): PreprocessingTemplate;
  inputShape(input: InputChoice): number[];
}

function fileRefs(root: string, files: string[]): DatasetRef['files'] {
  const base = fs.statSync(root).isDirectory() ? root : path.dirname(root);
  return files.map((f) => ({ path: path.relative(base, f), sha256: sha256File(f), bytes: fs.statSync(f).size }));
}

export function loadUserDataset(opts: UserDataOptions): UserDataset {
  if (!fs.existsSync(opts.path)) throw new DatasetMissingError('no such file or folder', opts.path);
  const isImageFolder =
    fs.statSync(opts.path).isDirectory() && fs.readdirSync(opts.path).every((f) => !f.toLowerCase().endsWith('.csv'));
  return isImageFolder ? imageDataset(readImageFolder(opts.path)) : timeSeriesDataset(opts);
}

function timeSeriesDataset(opts: UserDataOptions): UserDataset {
  const data: TimeSeriesData = readTimeSeries(opts.path, opts);
  const holdout = opts.holdout ?? 'time';
  const cache = new Map<string, Record<SplitName, LabelledData>>();
  const win = (input: InputChoice) => {
    if (input.kind !== 'window') throw new Error('a time series takes window inputs');
    return input;
  };
  return {
    kind: 'timeseries',
    labels: data.labels,
    examplesPerClass: data.rowsPerClass,
    sampleIntervalSeconds: data.sampleIntervalSeconds,
    files: fileRefs(opts.path, data.files),
    splitDescription:
      holdout === 'time'
        ? `${holdoutTag('time')}: each labelled segment cut by time: first 70 % train, next 15 % validation, last 15 % test; windows never cross a cut`
        : `${holdoutTag('segments')}: whole labelled segments, per class in hash order: 70 % train, 15 % validation, 15 % test (the test segments were never seen in training)`,
    describe: `${data.files.length} CSV file(s), ${data.segments.length} labelled segments, channels ${data.channels.join(', ')}, one row every ${data.sampleIntervalSeconds} s (median)`,
    splits(input) {
      const w = win(input);
      const key = `${w.window}/${w.stride}`;
      let s = cache.get(key);
      if (!s) {
        s = timeSeriesSplits(data, w.window, w.stride, holdout);
        cache.set(key, s);
      }
      return s;
    },
    template(input) {
      const w = win(input);
      return {
        kind: 'window',
        transform: 'none',
        sampleIntervalSeconds: data.sampleIntervalSeconds,
        clipStd: 6,
        ...(w.spectralBins ? { spectralBins: w.spectralBins } : {}),
        notes: `window of ${w.window} rows (oldest first), stride ${w.stride}; per-channel standardisation fitted on the training split${w.spectralBins ? `; ${w.spectralBins} spectral bins per channel` : ''}`,
      };
    },
    inputShape(input) {
      const w = win(input);
      return [(w.spectralBins ?? w.window) * data.channels.length];
    },
  };
}

function imageDataset(data: ImageFolderData): UserDataset {
  const cache = new Map<string, Record<SplitName, LabelledData>>();
  const img = (input: InputChoice) => {
    if (input.kind !== 'image') throw new Error('an image folder takes image inputs');
    return input;
  };
  return {
    kind: 'images',
    labels: data.labels,
    examplesPerClass: data.imagesPerClass,
    sampleIntervalSeconds: null,
    files: fileRefs(
      data.root,
      data.images.map((i) => i.file),
    ),
    splitDescription: 'per class, files in hash order: 70 % train, 15 % validation, 15 % test',
    describe: `${data.images.length} images in ${data.labels.length} class folders`,
    splits(input) {
      const i = img(input);
      const key = `${i.size}/${i.color}`;
      let s = cache.get(key);
      if (!s) {
        s = {
          train: imageSplit(data, 'train', i.size, i.color),
          val: imageSplit(data, 'val', i.size, i.color),
          test: imageSplit(data, 'test', i.size, i.color),
        };
        cache.set(key, s);
      }
      return s;
    },
    template(input) {
      const i = img(input);
      return {
        kind: 'image',
        transform: 'none',
        imageCentre: true,
        notes: `${i.size}x${i.size} ${i.color === 'gray' ? 'grayscale (ITU-R 601 luma)' : 'RGB'}, box-filter resize, row-major HWC; int8 input = pixel - 128`,
      };
    },
    inputShape(input) {
      const i = img(input);
      return [i.size, i.size, i.color === 'gray' ? 1 : 3];
    },
  };
}
