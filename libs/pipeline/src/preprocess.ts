/**
 * Declarative preprocessing (recorded in the manifest, so a device can reproduce it): transform,
 * per-channel standardisation with constants fitted on the training split, and the int8 input
 * quantization. applyPreprocessing() is the one implementation the pipeline uses for every split.
 */
import { roundChannelStatistics, type Preprocessing } from '@tinyfleet/artifact';
import type { LabelledData } from '@tinyfleet/datasets';
import { featureSize, InputPreprocessor, quantizeInt8, subset, transformValue } from '@tinyfleet/datasets';
import { PipelineError } from './pipeline.types';
import { asymmetricParams, type QuantParams } from './quant/quant-math';
import type { TensorData } from './train/train-loop';

export type PreprocessingTemplate = Omit<
  Preprocessing,
  'mean' | 'std' | 'quantization' | 'channels' | 'windowLength'
> & {
  /** Clip the calibrated input range to +-this many standard deviations (outliers would waste int8 resolution). */
  clipStd?: number;
  /** Images: x = (pixel - 128) / 128 (zero-centred, trains faster without batch norm) instead of pixel / 256. */
  imageCentre?: boolean;
};

export function fitPreprocessing(tpl: PreprocessingTemplate, train: LabelledData): Preprocessing {
  const channels = train.channels;
  const c = channels.length;
  const windowLength = train.featureShape.length === 2 ? train.featureShape[0] : 1;
  if (tpl.kind === 'image') {
    // Either way the int8 input is exactly pixel - 128: pixel / 256 with scale 1/256 and zero point -128,
    // or (pixel - 128) / 128 with scale 1/128 and zero point 0 (256, not 255: a std the device manifest
    // carries exactly, see roundChannelStatistics; every step is then exact in float32).
    return tpl.imageCentre
      ? {
          ...stripClip(tpl),
          channels,
          windowLength: 1,
          mean: [128],
          std: [128],
          quantization: { scale: 1 / 128, zeroPoint: 0, dtype: 'int8' },
        }
      : {
          ...stripClip(tpl),
          channels,
          windowLength: 1,
          mean: [0],
          std: [256],
          quantization: { scale: 1 / 256, zeroPoint: -128, dtype: 'int8' },
        };
  }
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  let count = 0;
  for (let i = 0; i < train.x.length; i++) {
    const v = transformValue(tpl.transform, train.x[i]);
    sum[i % c] += v;
    sq[i % c] += v * v;
    if (i % c === 0) count++;
  }
  // Rounded to what the device manifest carries exactly (3 bytes a channel, roundChannelStatistics):
  // any nearby constants standardise as well, and training, evaluation, self-test and the device then
  // all compute with the same float32 values.
  const fittedMean = Array.from(sum, (s) => s / count);
  const fittedStd = Array.from(sq, (s, k) => Math.sqrt(Math.max(s / count - fittedMean[k] ** 2, 1e-12)));
  const { mean, std } = roundChannelStatistics(fittedMean, fittedStd);
  const p: Preprocessing = {
    ...stripClip(tpl),
    channels,
    windowLength,
    mean,
    std,
    quantization: { scale: 1, zeroPoint: 0, dtype: 'int8' },
  };
  // Input range from the standardised training data, as TFLite calibrates on representative data.
  const x = preprocessAll(p, train);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const clip = tpl.clipStd ?? Infinity;
  const q = asymmetricParams(Math.max(lo, -clip), Math.min(hi, clip));
  p.quantization = { scale: q.scale, zeroPoint: q.zeroPoint, dtype: 'int8' };
  return p;
}

function stripClip(tpl: PreprocessingTemplate): Omit<PreprocessingTemplate, 'clipStd' | 'imageCentre'> {
  const { clipStd, imageCentre, ...rest } = tpl;
  void clipStd;
  void imageCentre;
  return rest;
}

/** Every example of `raw` through the shared preprocessing (the same code a node runs on its stream). */
function preprocessAll(p: Preprocessing, raw: LabelledData): Float32Array {
  const f = featureSize(raw);
  const pre = new InputPreprocessor(p, raw.channels, p.kind === 'image' ? f : undefined);
  const sampleSize = f / pre.windowLength;
  if (!Number.isInteger(sampleSize))
    throw new PipelineError(`example size ${f} is not ${pre.windowLength} samples of whole channels`);
  const out = new Float32Array(raw.n * pre.inputLength);
  for (let i = 0; i < raw.n; i++) {
    const base = i * f;
    pre.floatInput(
      (s) => raw.x.subarray(base + s * sampleSize, base + (s + 1) * sampleSize),
      out.subarray(i * pre.inputLength, (i + 1) * pre.inputLength),
    );
  }
  return out;
}

export function applyPreprocessing(p: Preprocessing, raw: LabelledData): TensorData {
  return { n: raw.n, x: preprocessAll(p, raw), y: raw.y };
}

export function inputQuant(p: Preprocessing): QuantParams {
  return { scale: p.quantization.scale, zeroPoint: p.quantization.zeroPoint };
}

/** Raw example -> int8 input bytes, exactly as a device following the manifest computes them. */
export function rawToInt8(p: Preprocessing, raw: LabelledData, example: number): Int8Array {
  const one = subset(raw, [example]);
  const x = preprocessAll(p, one);
  return Int8Array.from(x, (v) => quantizeInt8(v, p.quantization.scale, p.quantization.zeroPoint));
}
