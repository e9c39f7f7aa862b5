import { DEFAULT_MARGIN_Q, SummaryAccumulator } from '@tinyfleet/drift';
import { inferenceCost, InferenceCost, McuProfile } from '@tinyfleet/energy';
import { Interpreter, loadModel } from '@tinyfleet/tinyml';
import { SUMMARY_MAX_CHANNELS } from '@tinyfleet/wire';
import type { SensorStream } from '../streams/sensor-stream';
import { wrapIndex } from '../streams/sensor-stream';
import type { ModelArtifact } from './model-artifact';
import { Preprocessor } from './preprocess';

export interface InferenceResult {
  label: number;
  /** int8 output of the winning class. */
  scoreQ: number;
  /** Winner minus runner-up, int8 steps (0..255; 255 for a one-class model): how close the call was. */
  marginQ: number;
  /** Every class's int8 output (read-only: shared with the memo). */
  scores: Int8Array;
  /** The input reduced for the summary (SummaryAccumulator.reduceInput; read-only, shared). */
  reducedInput: Float64Array;
}

interface Memo {
  label: number;
  marginQ: number;
  scores: Int8Array;
  reducedInput: Float64Array;
}

/** Bounded memo: at most this many distinct (stream position) results per model and stream. */
const MEMO_LIMIT = 50_000;

/**
 * One interpreter per artifact per worker, shared by every node running that artifact (a simulation:
 * the model is read-only; each node keeps its own ledger and state). The interpreter really runs on
 * every distinct input. Replayed recordings repeat inputs (many nodes, wrapped streams), and the
 * same bytes through the same model give the same output, so results are memoised per
 * (stream, window end) — the node is still charged the full inference cost every time.
 */
export class SharedModel {
  private readonly interpreter: Interpreter;
  private readonly preprocessors = new Map<SensorStream, { pre: Preprocessor; memo: Map<number, Memo> }>();
  /** Reduces inputs for up/summary; never accumulates itself (each node keeps its own window). */
  private readonly reducer: SummaryAccumulator;
  private readonly costs = new Map<string, InferenceCost>();
  /** Interpreter invocations actually run (the rest were memo hits). */
  invocations = 0;
  hostMs = 0;

  constructor(readonly artifact: ModelArtifact) {
    this.interpreter = new Interpreter(loadModel(artifact.bytes));
    this.interpreter.allocate();
    const out = this.interpreter.output(0);
    if (out.dtype !== 'int8')
      throw new Error(`${artifact.source}: output dtype ${out.dtype}; the node reports int8 scores`);
    if (out.data.length !== artifact.labels.length)
      throw new Error(`${artifact.source}: ${out.data.length} outputs for ${artifact.labels.length} labels`);
    this.reducer = this.summaryAccumulator();
  }

  /**
   * A node's up/summary window for this model: one input channel for an image, else the
   * preprocessing's channels, folded into the summary's channel limit.
   */
  summaryAccumulator(): SummaryAccumulator {
    const p = this.artifact.preprocessing;
    const channels = p.kind === 'image' ? 1 : p.channels.length;
    return new SummaryAccumulator(this.artifact.labels.length, channels, DEFAULT_MARGIN_Q, SUMMARY_MAX_CHANNELS);
  }

  /** The one arena this interpreter plans (shared by every node of the worker that runs this model). */
  get arenaBytes(): number {
    return this.interpreter.arenaBytes;
  }

  /** Samples a node must have seen before the first inference. */
  windowFor(stream: SensorStream): number {
    return this.entry(stream).pre.windowLength;
  }

  /** Check that this model can consume `stream` (channels, sizes); throws with the reason. */
  entry(stream: SensorStream): { pre: Preprocessor; memo: Map<number, Memo> } {
    let e = this.preprocessors.get(stream);
    if (!e) {
      const pre = new Preprocessor(this.artifact.preprocessing, stream);
      const input = this.interpreter.input(0);
      if (input.dtype !== 'int8' || input.data.length !== pre.inputLength) {
        throw new Error(
          `${this.artifact.source}: input ${input.dtype}[${input.data.length}] does not match preprocessing (${pre.inputLength} int8 values)`,
        );
      }
      e = { pre, memo: new Map() };
      this.preprocessors.set(stream, e);
    }
    return e;
  }

  /** Classify the window of `stream` ending at sample `lastSample`. */
  infer(stream: SensorStream, lastSample: number): InferenceResult {
    const e = this.entry(stream);
    const key = wrapIndex(lastSample, stream.length);
    let m = e.memo.get(key);
    if (m === undefined) {
      const t0 = performance.now();
      const input = this.interpreter.input(0).data as Int8Array;
      e.pre.fill(input, lastSample);
      const reducedInput = new Float64Array(this.reducer.statSlots * 3);
      this.reducer.reduceInput(input, reducedInput); // before invoke: the arena may reuse the input
      this.interpreter.invoke();
      const scores = Int8Array.from(this.interpreter.output(0).data as Int8Array);
      let best = 0;
      for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
      let runnerUp = -129;
      for (let i = 0; i < scores.length; i++) if (i !== best && scores[i] > runnerUp) runnerUp = scores[i];
      m = { label: best, marginQ: Math.min(255, scores[best] - runnerUp), scores, reducedInput };
      if (e.memo.size >= MEMO_LIMIT) e.memo.clear();
      e.memo.set(key, m);
      this.invocations++;
      this.hostMs += performance.now() - t0;
    }
    return {
      label: m.label,
      scoreQ: m.scores[m.label]!,
      marginQ: m.marginQ,
      scores: m.scores,
      reducedInput: m.reducedInput,
    };
  }

  /** Results memoised so far, over every stream this model runs on. */
  get memoEntries(): number {
    let n = 0;
    for (const e of this.preprocessors.values()) n += e.memo.size;
    return n;
  }

  /** Latency and energy of one inference of this model on `mcu` (CMSIS-NN class kernels). */
  costOn(mcu: McuProfile): InferenceCost {
    let c = this.costs.get(mcu.id);
    if (!c) {
      c = inferenceCost(mcu, this.artifact.inspection.layers, { kernels: 'optimized' });
      this.costs.set(mcu.id, c);
    }
    return c;
  }
}
