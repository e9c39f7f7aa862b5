/**
 * The node's local truth log: for every inference, the dataset's label of the sample it saw next to
 * what the model said. It lives on the node (simulator memory) and never goes on the wire; the
 * simulator reads it to report real on-node accuracy per model version.
 */
export interface TruthEntry {
  virtualTimeMs: number;
  sample: number;
  trueLabel: number;
  predictedLabel: number;
  model: string;
  /** Event seq when the inference was reported, else -1. */
  eventSeq: number;
}

export interface AccuracyByModel {
  [model: string]: { inferences: number; correct: number; accuracy: number };
}

export class GroundTruthLog {
  private readonly recent: TruthEntry[] = [];
  private readonly totals = new Map<string, { inferences: number; correct: number }>();

  /** `keepRecent` entries are kept verbatim (for inspection); totals cover everything. */
  constructor(private readonly keepRecent = 256) {}

  record(entry: TruthEntry): void {
    if (this.keepRecent > 0) {
      if (this.recent.length >= this.keepRecent) this.recent.shift();
      this.recent.push(entry);
    }
    const t = this.totals.get(entry.model) ?? { inferences: 0, correct: 0 };
    t.inferences++;
    if (entry.trueLabel === entry.predictedLabel) t.correct++;
    this.totals.set(entry.model, t);
  }

  entries(): readonly TruthEntry[] {
    return this.recent;
  }

  accuracy(): AccuracyByModel {
    const out: AccuracyByModel = {};
    for (const [m, t] of this.totals) out[m] = { ...t, accuracy: t.inferences ? t.correct / t.inferences : 0 };
    return out;
  }
}

export function mergeAccuracy(into: Record<string, { inferences: number; correct: number }>, from: AccuracyByModel): void {
  for (const [m, t] of Object.entries(from)) {
    const acc = (into[m] ??= { inferences: 0, correct: 0 });
    acc.inferences += t.inferences;
    acc.correct += t.correct;
  }
}
