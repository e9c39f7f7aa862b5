/**
 * What a device adds up between two `up/summary` messages, one inference at a time, in integers
 * only (it runs on the device's hot path): the winning class, the winning score's histogram bin, a
 * close call, and per input channel the count, sum and sum of squares of its int8 values. The
 * pipeline runs the same accumulator over the validation split to ship the model's reference.
 */
import type { WindowSignals } from './assess';

/** int8 steps between winner and runner-up below which a decision counts as a close call. */
export const DEFAULT_MARGIN_Q = 32;
export const SCORE_BINS = 16;

export class SummaryAccumulator {
  private readonly classCounts: Float64Array;
  private readonly histogram = new Float64Array(SCORE_BINS);
  private readonly sums: Float64Array;
  private readonly squares: Float64Array;
  private readonly counts: Float64Array;
  private inferences = 0;
  private lowMargin = 0;

  /**
   * @param classes output elements of the model (one score per class)
   * @param channels input channels: values are laid out [time][channel] (channel = index % channels)
   */
  constructor(
    readonly classes: number,
    readonly channels: number,
    readonly marginQ: number = DEFAULT_MARGIN_Q,
  ) {
    if (classes < 1 || channels < 0) throw new RangeError(`classes ${classes}, channels ${channels}`);
    this.classCounts = new Float64Array(classes);
    this.sums = new Float64Array(channels);
    this.squares = new Float64Array(channels);
    this.counts = new Float64Array(channels);
  }

  /** One inference: its int8 input values and its int8 output scores. Allocation-free. */
  add(input: ArrayLike<number>, scores: ArrayLike<number>): void {
    let best = 0;
    let second = -Infinity;
    for (let i = 1; i < this.classes; i++) {
      const s = scores[i]!;
      if (s > scores[best]!) {
        second = scores[best]!;
        best = i;
      } else if (s > second) second = s;
    }
    const top = scores[best]!;
    this.inferences++;
    this.classCounts[best]!++;
    this.histogram[(top + 128) >> 4]!++;
    if (this.classes > 1 && top - second < this.marginQ) this.lowMargin++;
    const c = this.channels;
    if (c === 0) return;
    for (let i = 0; i < input.length; i++) {
      const k = i % c;
      const q = input[i]!;
      this.sums[k]! += q;
      this.squares[k]! += q * q;
      this.counts[k]!++;
    }
  }

  get count(): number {
    return this.inferences;
  }

  /** The window so far, as summed signals; `reset` starts the next window. */
  snapshot(): WindowSignals {
    return {
      inferences: this.inferences,
      classCounts: Array.from(this.classCounts),
      scoreHistogram: Array.from(this.histogram),
      lowMargin: this.lowMargin,
      inputStats: Array.from({ length: this.channels }, (_, k) => ({
        count: this.counts[k]!,
        sum: this.sums[k]!,
        sumSquares: this.squares[k]!,
      })),
    };
  }

  reset(): void {
    this.classCounts.fill(0);
    this.histogram.fill(0);
    this.sums.fill(0);
    this.squares.fill(0);
    this.counts.fill(0);
    this.inferences = 0;
    this.lowMargin = 0;
  }
}
