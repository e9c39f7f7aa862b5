import type { Preprocessing } from '@tinyfleet/artifact';
import type { SensorStream } from '../streams/sensor-stream';

/**
 * The manifest's declarative preprocessing, compiled against one stream's channel layout: pick the
 * channels, apply the transform, stack the last `windowLength` samples oldest first ([time][channel]),
 * replace invalid readings by the channel mean, standardise, quantise to int8. Mirrors
 * `libs/pipeline/src/preprocess.ts` (rawToInt8), which the node cannot share: it works on whole
 * training sets, the node on one window of a live stream.
 */
export class Preprocessor {
  private readonly channelIndex: number[];
  readonly inputLength: number;

  constructor(
    private readonly p: Preprocessing,
    private readonly stream: SensorStream,
  ) {
    if (p.quantization.dtype !== 'int8')
      throw new Error(`preprocessing: only int8 inputs are supported, got ${p.quantization.dtype}`);
    if (p.derivedFeatures)
      throw new Error(`preprocessing: derived features ("${p.derivedFeatures}") are not implemented on the node`);
    if (p.kind === 'image') {
      this.channelIndex = [0];
      this.inputLength = stream.values(0).length;
    } else {
      this.channelIndex = p.channels.map((c) => {
        const k = stream.channels.indexOf(c);
        if (k < 0) throw new Error(`preprocessing needs channel "${c}", stream ${stream.id} has none`);
        return k;
      });
      this.inputLength = p.windowLength * p.channels.length;
    }
  }

  get windowLength(): number {
    return this.p.kind === 'image' ? 1 : this.p.windowLength;
  }

  /** Fill `input` from the samples ending at `lastSample` (inclusive). */
  fill(input: Int8Array, lastSample: number): void {
    const { scale, zeroPoint } = this.p.quantization;
    const invalid = this.p.invalidValues ?? [];
    if (this.p.kind === 'image') {
      const px = this.stream.values(lastSample);
      const mean = this.p.mean[0];
      const std = this.p.std[0];
      for (let i = 0; i < px.length; i++) input[i] = quantize((px[i] - mean) / std, scale, zeroPoint);
      return;
    }
    const w = this.p.windowLength;
    const nc = this.channelIndex.length;
    for (let s = 0; s < w; s++) {
      const row = this.stream.values(lastSample - (w - 1 - s));
      for (let c = 0; c < nc; c++) {
        const v = row[this.channelIndex[c]];
        // An invalid reading stands for the channel mean, i.e. 0 after standardisation.
        const x = invalid.includes(v) ? 0 : (transform(this.p.transform, v) - this.p.mean[c]) / this.p.std[c];
        input[s * nc + c] = quantize(x, scale, zeroPoint);
      }
    }
  }
}

function transform(t: Preprocessing['transform'], v: number): number {
  return t === 'signed-log1p' ? Math.sign(v) * Math.log1p(Math.abs(v)) : v;
}

function quantize(x: number, scale: number, zeroPoint: number): number {
  const q = Math.round(x / scale) + zeroPoint;
  return q < -128 ? -128 : q > 127 ? 127 : q;
}
