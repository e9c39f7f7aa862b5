import { readIdxImages, readIdxLabels } from '@tinyfleet/datasets';
import { SensorStream, wrapIndex } from './sensor-stream';

export const DOORBELL_IMAGES = 'datasets/doorbell-camera/vww96-test-images-idx3-ubyte.gz';
export const DOORBELL_LABELS_FILE = 'datasets/doorbell-camera/vww96-test-labels-idx1-ubyte.gz';
/** Mean virtual time between PIR motion triggers, each of which captures one frame [ASSUME]. */
export const DOORBELL_MEAN_MOTION_INTERVAL_MS = 10 * 60_000;
/** A PIR re-arms after a few seconds; no two frames closer than this. */
export const DOORBELL_MIN_INTERVAL_MS = 5_000;

/**
 * VWW 96×96 grey frames (test split, 100 person / 100 no-person, interleaved by the file's order) at a
 * motion-triggered rate: exponential inter-arrival times with the given mean (a Poisson process).
 */
export function loadDoorbellStream(
  meanMotionIntervalMs = DOORBELL_MEAN_MOTION_INTERVAL_MS,
  maxFrames = Infinity,
): SensorStream {
  const img = readIdxImages(DOORBELL_IMAGES);
  const labels = readIdxLabels(DOORBELL_LABELS_FILE);
  if (labels.length !== img.count) throw new Error(`${img.count} frames but ${labels.length} labels`);
  const frame = img.rows * img.cols;
  // The file is sorted by class; interleave so a replay alternates visitors and empty porches.
  // maxFrames (tests): replay only the first frames of the interleaved order, fewer distinct inputs.
  const order = interleaveByLabel(labels).slice(0, Math.max(1, Math.min(img.count, maxFrames)));
  const len = order.length;
  return {
    id: 'doorbell',
    sensor: 'doorbell',
    recipe: 'doorbell',
    channels: ['gray'],
    labels: ['no_person', 'person'],
    length: len,
    rawSampleBytes: frame,
    imageWidth: img.cols,
    values: (i) => {
      const k = order[wrapIndex(i, len)];
      return img.pixels.subarray(k * frame, (k + 1) * frame);
    },
    groundTruth: (i) => labels[order[wrapIndex(i, len)]],
    nextIntervalMs: (_i, random) =>
      Math.max(DOORBELL_MIN_INTERVAL_MS, Math.round(-Math.log(1 - random()) * meanMotionIntervalMs)),
    describe: (i) => `${DOORBELL_IMAGES}#${order[wrapIndex(i, len)]}`,
  };
}

function interleaveByLabel(labels: Uint8Array): number[] {
  const byLabel = new Map<number, number[]>();
  labels.forEach((l, i) => (byLabel.get(l) ?? byLabel.set(l, []).get(l)!).push(i));
  const lists = [...byLabel.values()];
  const out: number[] = [];
  for (let k = 0; out.length < labels.length; k++) for (const l of lists) if (k < l.length) out.push(l[k]);
  return out;
}
