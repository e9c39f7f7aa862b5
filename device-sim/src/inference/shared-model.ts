import { inferenceCost, InferenceCost, McuProfile } from '@tinyfleet/energy';
import { Interpreter, loadModel } from '@tinyfleet/tinyml';
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
  private readonly preprocessors = new Map<SensorStream, { pre: Preprocessor; memo: Map<number, number> }>();
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
  entry(stream: SensorStream): { pre: Preprocessor; memo: Map<number, number> } {
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
    let packed = e.memo.get(key);
    if (packed === undefined) {
      const t0 = performance.now();
      e.pre.fill(this.interpreter.input(0).data as Int8Array, lastSample);
      this.interpreter.invoke();
      const out = this.interpreter.output(0).data as Int8Array;
      let best = 0;
      for (let i = 1; i < out.length; i++) if (out[i] > out[best]) best = i;
      let runnerUp = -129;
      for (let i = 0; i < out.length; i++) if (i !== best && out[i] > runnerUp) runnerUp = out[i];
      const margin = Math.min(255, out[best] - runnerUp);
      packed = (best * 256 + (out[best] + 128)) * 256 + margin;
      if (e.memo.size >= MEMO_LIMIT) e.memo.clear();
      e.memo.set(key, packed);
      this.invocations++;
      this.hostMs += performance.now() - t0;
    }
    return { label: packed >>> 16, scoreQ: ((packed >>> 8) & 0xff) - 128, marginQ: packed & 0xff };
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
