/**
 * The one implementation of the manifest's declarative preprocessing (`Preprocessing` in
 * @tinyfleet/artifact): raw samples in, the model's input out. The pipeline feeds it every training,
 * validation and test example; a node feeds it the window of its live stream. Both get the same
 * numbers because both run this code: the accuracy the pipeline measures (and the accuracy gate and
 * the before/after report rely on) is the accuracy of the bytes a device computes.
 *
 * Numerics: a raw reading is first checked against `invalidValues`, then rounded to float32 (what an
 * MCU's sensor driver holds); x = float32((transform(v) - mean[c]) / std[c]); optional spectral bins;
 * q = clamp(round(x / scale) + zeroPoint, -128, 127).
 */
import type { Preprocessing } from '@tinyfleet/artifact';

export class PreprocessingError extends Error {
  override name = 'PreprocessingError';
}

/** One raw sample (all source channels of one instant, or one whole image) by position in the window. */
export type SampleSource = (s: number) => ArrayLike<number>;

export function transformValue(t: Preprocessing['transform'], v: number): number {
  return t === 'signed-log1p' ? Math.sign(v) * Math.log1p(Math.abs(v)) : v;
}

export function quantizeInt8(x: number, scale: number, zeroPoint: number): number {
  const q = Math.round(x / scale) + zeroPoint;
  return q < -128 ? -128 : q > 127 ? 127 : q;
}

export class InputPreprocessor {
  /** Samples one input needs (1 for images and per-exposure features). */
  readonly windowLength: number;
  /** Values of one model input. */
  readonly inputLength: number;
  private readonly channelIndex: number[];
  private readonly invalid: ReadonlySet<number>;
  private readonly standardised: Float32Array;
  private readonly spectral: { bins: number; cos: Float64Array; sin: Float64Array; groups: number[] } | null;

  /**
   * @param sourceChannels the channel names of one raw sample as the data source lays them out
   * @param frameValues images only: values per frame (h × w × c)
   */
  constructor(
    private readonly p: Preprocessing,
    sourceChannels: readonly string[],
    frameValues?: number,
  ) {
    if (p.quantization.dtype !== 'int8')
      throw new PreprocessingError(`only int8 inputs are supported, got ${p.quantization.dtype}`);
    if (p.derivedFeatures)
      throw new PreprocessingError(`derived features ("${p.derivedFeatures}") have no implementation`);
    this.invalid = new Set(p.invalidValues ?? []);
    if (p.kind === 'image') {
      if (!frameValues || frameValues % p.channels.length !== 0)
        throw new PreprocessingError(`an image of ${frameValues} values is not a whole number of ${p.channels} pixels`);
      this.windowLength = 1;
      this.channelIndex = [];
      this.inputLength = frameValues;
      this.spectral = null;
      this.standardised = new Float32Array(0);
      return;
    }
    this.channelIndex = p.channels.map((c) => {
      const k = sourceChannels.indexOf(c);
      if (k < 0) throw new PreprocessingError(`preprocessing needs channel "${c}", the data has none`);
      return k;
    });
    if (p.mean.length !== p.channels.length || p.std.length !== p.channels.length)
      throw new PreprocessingError(`mean/std need one value per channel (${p.channels.length})`);
    this.windowLength = p.windowLength;
    const nc = p.channels.length;
    this.standardised = new Float32Array(p.windowLength * nc);
    if (p.spectralBins) {
      const l = p.windowLength;
      const freqs = Math.floor(l / 2) + 1;
      const bins = p.spectralBins;
      if (!Number.isInteger(bins) || bins < 1 || bins > freqs)
        throw new PreprocessingError(`spectralBins must be 1..${freqs} for a window of ${l}, got ${bins}`);
      const cos = new Float64Array(freqs * l);
      const sin = new Float64Array(freqs * l);
      for (let k = 0; k < freqs; k++)
        for (let t = 0; t < l; t++) {
          cos[k * l + t] = Math.cos((2 * Math.PI * k * t) / l);
          sin[k * l + t] = Math.sin((2 * Math.PI * k * t) / l);
        }
      const groups = Array.from({ length: bins + 1 }, (_, g) => Math.floor((g * freqs) / bins));
      this.spectral = { bins, cos, sin, groups };
      this.inputLength = bins * nc;
    } else {
      this.spectral = null;
      this.inputLength = p.windowLength * nc;
    }
  }

  /** Float model input (what training sees) for the window whose samples are sample(0..windowLength-1), oldest first. */
  floatInput(sample: SampleSource, out: Float32Array): void {
    const p = this.p;
    if (p.kind === 'image') {
      const px = sample(0);
      if (px.length !== this.inputLength)
        throw new PreprocessingError(`frame has ${px.length} values, the model takes ${this.inputLength}`);
      const c = p.mean.length;
      for (let i = 0; i < px.length; i++) out[i] = (px[i] - p.mean[i % c]) / p.std[i % c];
      return;
    }
    const nc = this.channelIndex.length;
    const x = this.spectral ? this.standardised : out;
    for (let s = 0; s < this.windowLength; s++) {
      const row = sample(s);
      for (let c = 0; c < nc; c++) {
        const raw = row[this.channelIndex[c]];
        // An invalid reading stands for the channel mean, i.e. 0 after standardisation.
        x[s * nc + c] = this.invalid.has(raw)
          ? 0
          : (transformValue(p.transform, Math.fround(raw)) - p.mean[c]) / p.std[c];
      }
    }
    if (this.spectral) this.spectralBins(x, out);
  }

  /** The int8 input bytes a device following the manifest computes. */
  int8Input(sample: SampleSource, out: Int8Array, scratch: Float32Array = new Float32Array(this.inputLength)): void {
    this.floatInput(sample, scratch);
    const { scale, zeroPoint } = this.p.quantization;
    for (let i = 0; i < this.inputLength; i++) out[i] = quantizeInt8(scratch[i], scale, zeroPoint);
  }

  private spectralBins(x: Float32Array, out: Float32Array): void {
    const { bins, cos, sin, groups } = this.spectral!;
    const l = this.windowLength;
    const nc = this.channelIndex.length;
    for (let c = 0; c < nc; c++) {
      for (let g = 0; g < bins; g++) {
        let sum = 0;
        for (let k = groups[g]; k < groups[g + 1]; k++) {
          let re = 0;
          let im = 0;
          for (let t = 0; t < l; t++) {
            re += x[t * nc + c] * cos[k * l + t];
            im -= x[t * nc + c] * sin[k * l + t];
          }
          sum += Math.sqrt(re * re + im * im) / l;
        }
        out[g * nc + c] = sum / (groups[g + 1] - groups[g]);
      }
    }
  }
}

/**
 * Samples between inferences on a node (a sliding window advances by this much): slow streams (a
 * reading every minute or more) wake the node anyway and infer on every reading; fast ones infer on
 * half-overlapping windows, a fresh conclusion per half window. The pipeline prices a model's
 * inferences per day with the same rule.
 */
export function inferenceStrideSamples(p: Preprocessing): number {
  return (p.sampleIntervalSeconds ?? 0) >= 60 ? 1 : Math.max(1, Math.floor(p.windowLength / 2));
}
