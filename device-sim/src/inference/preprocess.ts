import type { Preprocessing } from '@tinyfleet/artifact';
import { InputPreprocessor } from '@tinyfleet/datasets';
import type { SensorStream } from '../streams/sensor-stream';

/**
 * The manifest's preprocessing on one node's live stream: the shared InputPreprocessor of
 * @tinyfleet/datasets (the code the pipeline trained and measured with), fed the last
 * `windowLength` samples of the stream, oldest first.
 */
export class Preprocessor {
  private readonly pre: InputPreprocessor;
  private readonly scratch: Float32Array;

  constructor(
    p: Preprocessing,
    private readonly stream: SensorStream,
  ) {
    this.pre = new InputPreprocessor(p, stream.channels, p.kind === 'image' ? stream.values(0).length : undefined);
    this.scratch = new Float32Array(this.pre.inputLength);
  }

  get inputLength(): number {
    return this.pre.inputLength;
  }

  get windowLength(): number {
    return this.pre.windowLength;
  }

  /** Fill `input` from the samples ending at `lastSample` (inclusive). */
  fill(input: Int8Array, lastSample: number): void {
    const first = lastSample - (this.pre.windowLength - 1);
    this.pre.int8Input((s) => this.stream.values(first + s), input, this.scratch);
  }
}
