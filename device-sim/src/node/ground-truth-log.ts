import { ACCURACY_MAX_MODELS, encodeAccuracyReportV1, type ModelAccuracyV1 } from '@tinyfleet/wire';

/**
 * The node's local truth log: for every inference, the dataset's label of the sample it saw next to
 * what the model said. It lives on the node (simulator memory); only its counts per model go on the
 * wire (up/accuracy), so the platform can judge a rollout by on-device accuracy.
 */
export interface TruthEntry {
  virtualTimeMs: number;
  sample: number;
  trueLabel: number;
  predictedLabel: number;
  model: string;
  /** InferenceEventV1.modelTag of that model. */
  modelTag: number;
  /** Event seq when the inference was reported, else -1. */
  eventSeq: number;
}

export interface AccuracyByModel {
  [model: string]: { inferences: number; correct: number; accuracy: number };
}

interface Totals {
  model: string;
  inferences: number;
  correct: number;
}

export class GroundTruthLog {
  // The last `capacity` entries as a ring of typed columns (30 B an entry, where an object and its
  // model string took ~100 B): ten thousand nodes keep 256 entries each.
  private readonly times: Float64Array;
  private readonly samples: Uint32Array;
  private readonly labels: Uint16Array;
  private readonly modelTags: Uint32Array;
  private readonly eventSeqs: Float64Array;
  private readonly modelOf: Uint16Array;
  /** Model names the ring refers to by index (a node runs a handful over its life). */
  private readonly models: string[] = [];
  private next = 0;
  private size = 0;
  /** By model tag, in order of last use (a Map keeps insertion order; a used tag is moved to the end). */
  private readonly totals = new Map<number, Totals>();
  /** Bumped on every record: an unchanged log needs no new report. */
  private revision = 0;
  private revisionReported = 0;
  private reportSeq = 0;

  /** `capacity` entries are kept verbatim (for inspection); totals cover everything. */
  constructor(readonly capacity = 256) {
    this.times = new Float64Array(capacity);
    this.samples = new Uint32Array(capacity);
    this.labels = new Uint16Array(capacity * 2);
    this.modelTags = new Uint32Array(capacity);
    this.eventSeqs = new Float64Array(capacity);
    this.modelOf = new Uint16Array(capacity);
  }

  record(entry: TruthEntry): void {
    if (this.capacity > 0) {
      const k = this.next;
      let m = this.models.indexOf(entry.model);
      if (m < 0) m = this.models.push(entry.model) - 1;
      this.times[k] = entry.virtualTimeMs;
      this.samples[k] = entry.sample;
      this.labels[2 * k] = entry.trueLabel;
      this.labels[2 * k + 1] = entry.predictedLabel;
      this.modelTags[k] = entry.modelTag;
      this.eventSeqs[k] = entry.eventSeq;
      this.modelOf[k] = m;
      this.next = (k + 1) % this.capacity;
      this.size = Math.min(this.size + 1, this.capacity);
    }
    let t = this.totals.get(entry.modelTag);
    if (t) this.totals.delete(entry.modelTag);
    else t = { model: entry.model, inferences: 0, correct: 0 };
    t.inferences++;
    if (entry.trueLabel === entry.predictedLabel) t.correct++;
    this.totals.set(entry.modelTag, t);
    this.revision++;
  }

  /** The kept entries, oldest first (made on request: for inspection and tests). */
  entries(): readonly TruthEntry[] {
    const out: TruthEntry[] = [];
    for (let i = 0; i < this.size; i++) {
      const k = (this.next - this.size + i + this.capacity) % this.capacity;
      out.push({
        virtualTimeMs: this.times[k],
        sample: this.samples[k],
        trueLabel: this.labels[2 * k],
        predictedLabel: this.labels[2 * k + 1],
        model: this.models[this.modelOf[k]],
        modelTag: this.modelTags[k],
        eventSeq: this.eventSeqs[k],
      });
    }
    return out;
  }

  accuracy(): AccuracyByModel {
    const out: AccuracyByModel = {};
    for (const t of this.totals.values()) {
      const acc = (out[t.model] ??= { inferences: 0, correct: 0, accuracy: 0 });
      acc.inferences += t.inferences;
      acc.correct += t.correct;
      acc.accuracy = acc.correct / acc.inferences;
    }
    return out;
  }

  /** The log as up/accuracy when it moved since the last report (cumulative counts); null when it did not. */
  takeReport(bootId: number, nowMs: number): Uint8Array | null {
    if (this.revision === this.revisionReported) return null;
    this.revisionReported = this.revision;
    return encodeAccuracyReportV1({
      bootId,
      seq: this.reportSeq++,
      timestampMs: nowMs,
      models: this.byTag(ACCURACY_MAX_MODELS),
    });
  }

  /** Counts per model tag for up/accuracy: the `max` most recently used models. */
  byTag(max: number): ModelAccuracyV1[] {
    return [...this.totals]
      .slice(-max)
      .map(([modelTag, t]) => ({ modelTag, inferences: t.inferences, correct: t.correct }));
  }
}

export function mergeAccuracy(
  into: Record<string, { inferences: number; correct: number }>,
  from: AccuracyByModel,
): void {
  for (const [m, t] of Object.entries(from)) {
    const acc = (into[m] ??= { inferences: 0, correct: 0 });
    acc.inferences += t.inferences;
    acc.correct += t.correct;
  }
}
