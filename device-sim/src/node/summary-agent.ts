import type { SummaryAccumulator } from '@tinyfleet/drift';
import { encodeInferenceSummaryV1, SUMMARY_MAX_MODELS } from '@tinyfleet/wire';
import type { InferenceResult, SharedModel } from '../inference/shared-model';

/**
 * The node's up/summary windows: per model tag, what the interpreter saw since the last summary,
 * in order of last use (a used tag moves to the end), so a summary carries the active model and,
 * after a switch, the one it replaced.
 */
export class SummaryAgent {
  private readonly windows = new Map<number, SummaryAccumulator>();
  private seq = 0;
  private fromMs: number;

  constructor(
    private readonly bootId: number,
    startMs: number,
  ) {
    this.fromMs = startMs;
  }

  /** Adds the inference to its model's window (a device does this in integers, allocation-free). */
  add(model: SharedModel, result: InferenceResult): void {
    const tag = model.artifact.modelTag;
    let acc = this.windows.get(tag);
    if (acc) this.windows.delete(tag);
    else acc = model.summaryAccumulator();
    acc.addReduced(result.scores, result.reducedInput);
    this.windows.set(tag, acc);
  }

  /**
   * The encoded up/summary of the window since the previous one, for the models used in it (the
   * most recent SUMMARY_MAX_MODELS; a third model within one window is left out), and a new window
   * starts. Null for a window without inferences (it goes on).
   */
  take(nowMs: number, activeTag: number | undefined): Uint8Array | null {
    const used = [...this.windows].filter(([, acc]) => acc.count > 0).slice(-SUMMARY_MAX_MODELS);
    if (used.length === 0) return null;
    const payload = encodeInferenceSummaryV1({
      bootId: this.bootId,
      seq: this.seq++,
      timestampMs: nowMs,
      windowMs: Math.min(0xffffffff, Math.max(0, nowMs - this.fromMs)),
      marginQ: used[0]![1].marginQ,
      models: used.map(([modelTag, acc]) => {
        const w = acc.snapshot();
        return {
          modelTag,
          inferences: w.inferences,
          classCounts: w.classCounts,
          scoreHistogram: w.scoreHistogram,
          lowMargin: w.lowMargin,
          inputStats: w.inputStats,
        };
      }),
    });
    // Only the active model keeps an accumulator (the replaced one is done).
    for (const [tag, acc] of this.windows)
      if (tag === activeTag) acc.reset();
      else this.windows.delete(tag);
    this.fromMs = nowMs;
    return payload;
  }
}
