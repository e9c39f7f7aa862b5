/**
 * What a device adds up between two `up/summary` messages, one inference at a time, in integers
 * only (it runs on the device's hot path): the winning class, the winning score's histogram bin, a
 * close call, and per input channel the count, sum and sum of squares of its int8 values. The
 * pipeline runs the same accumulator over the validation split to ship the model's reference.
 */
import type { WindowSignals } from './assess';
import type { SampleSums } from './two-sample';

/** int8 steps between winner and runner-up below which a decision counts as a close call. */
export const DEFAULT_MARGIN_Q = 32;
export const SCORE_BINS = 16;

export class SummaryAccumulator {
  /**
   * Input statistics are kept for this many slots: channel k goes to slot k mod statSlots, so a
   * 128-feature model fits a summary's channel limit and stays comparable with a reference that kept
   * every channel (foldInputStats does the same folding on the platform's side).
   */
  readonly statSlots: number;
  private readonly classCounts: Float64Array;
  private readonly histogram = new Float64Array(SCORE_BINS);
  /** Per slot: count, Σq, Σq² (interleaved), the window so far. */
  private readonly stats: Float64Array;
  /** One inference's reduced input, reused so `add` never allocates. */
  private readonly scratch: Float64Array;
  private inferences = 0;
  private lowMargin = 0;

  /**
   * @param classes output elements of the model (one score per class)
   * @param channels input channels: values are laid out [time][channel] (channel = index % channels)
   * @param maxStatSlots at most this many input statistics (default: one per channel)
   */
  constructor(
    readonly classes: number,
    readonly channels: number,
    readonly marginQ: number = DEFAULT_MARGIN_Q,
    maxStatSlots: number = channels,
  ) {
    if (!(classes >= 1) || !(channels >= 0) || !(maxStatSlots >= 0))
      throw new RangeError(`classes ${classes}, channels ${channels}, stat slots ${maxStatSlots}`);
    this.statSlots = Math.min(channels, maxStatSlots);
    this.classCounts = new Float64Array(classes);
    this.stats = new Float64Array(this.statSlots * 3);
    this.scratch = new Float64Array(this.statSlots * 3);
  }

  /** One inference: its int8 input values and its int8 output scores. Allocation-free. */
  add(input: ArrayLike<number>, scores: ArrayLike<number>): void {
    this.reduceInput(input, this.scratch);
    this.addReduced(scores, this.scratch);
  }

  /**
   * One inference's input as per-slot (count, Σq, Σq²) into `into` (length 3 × statSlots), the part
   * of `add` a simulator can memoise for a replayed input.
   */
  reduceInput(input: ArrayLike<number>, into: Float64Array): void {
    into.fill(0);
    const c = this.channels;
    const slots = this.statSlots;
    if (slots === 0) return;
    for (let i = 0; i < input.length; i++) {
      const k = 3 * ((i % c) % slots);
      const q = input[i]!;
      into[k]!++;
      into[k + 1]! += q;
      into[k + 2]! += q * q;
    }
  }

  /** One inference from its scores and its reduced input (reduceInput). Allocation-free. */
  addReduced(scores: ArrayLike<number>, reduced: ArrayLike<number>): void {
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
    for (let k = 0; k < this.stats.length; k++) this.stats[k]! += reduced[k]!;
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
      inputStats: Array.from({ length: this.statSlots }, (_, k) => ({
        count: this.stats[3 * k]!,
        sum: this.stats[3 * k + 1]!,
        sumSquares: this.stats[3 * k + 2]!,
      })),
    };
  }

  reset(): void {
    this.classCounts.fill(0);
    this.histogram.fill(0);
    this.stats.fill(0);
    this.inferences = 0;
    this.lowMargin = 0;
  }
}

/**
 * Channel statistics folded to at most `slots` entries, channel k into k mod slots, as a device with
 * that many stat slots adds them up (sums of sums are exact): a 128-channel validation reference
 * against a 16-slot fleet window.
 */
export function foldInputStats(stats: readonly SampleSums[], slots: number): SampleSums[] {
  if (stats.length <= slots) return stats.map((s) => ({ ...s }));
  const out = Array.from({ length: slots }, () => ({ count: 0, sum: 0, sumSquares: 0 }));
  stats.forEach((s, k) => {
    const o = out[k % slots]!;
    o.count += s.count;
    o.sum += s.sum;
    o.sumSquares += s.sumSquares;
  });
  return out;
}
