/** Classification metrics from logits or scores (argmax, first index wins ties). */
export function argmaxRows(scores: ArrayLike<number>, classes: number): Int32Array {
  const n = scores.length / classes;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[i * classes + c] > scores[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

export interface ClassificationMetrics {
  accuracy: number;
  /** Mean per-class recall; matters for imbalanced labels (soil). */
  balancedAccuracy: number;
}

export function classificationMetrics(pred: Int32Array, y: Int32Array, classes: number): ClassificationMetrics {
  let correct = 0;
  const hit = new Array<number>(classes).fill(0);
  const count = new Array<number>(classes).fill(0);
  for (let i = 0; i < y.length; i++) {
    count[y[i]]++;
    if (pred[i] === y[i]) {
      correct++;
      hit[y[i]]++;
    }
  }
  const present = count.map((c, k) => (c ? hit[k] / c : null)).filter((v): v is number => v !== null);
  return {
    accuracy: correct / Math.max(1, y.length),
    balancedAccuracy: present.reduce((a, b) => a + b, 0) / Math.max(1, present.length),
  };
}
