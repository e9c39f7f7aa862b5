/**
 * Distances between two histograms over the same bins (class mix, score histogram): the population
 * stability index and the Jensen–Shannon divergence. Counts in, so callers never normalise by hand;
 * empty bins are smoothed with a pseudo-count so a class that never occurs in one window does not
 * make the index infinite.
 */

/** Added to every bin of both histograms before normalising (Laplace-style smoothing). */
export const PSEUDO_COUNT = 0.5;

function proportions(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0) + PSEUDO_COUNT * counts.length;
  return counts.map((c) => (c + PSEUDO_COUNT) / total);
}

function checkBins(reference: readonly number[], current: readonly number[]): void {
  if (reference.length !== current.length || reference.length < 2)
    throw new RangeError(
      `histograms must have the same number of bins (≥ 2): ${reference.length} vs ${current.length}`,
    );
  if ([...reference, ...current].some((c) => !(c >= 0) || !Number.isFinite(c)))
    throw new RangeError('histogram counts must be finite and non-negative');
}

/**
 * Population stability index, Σ (c − r) · ln(c / r) over the bins' proportions. The usual reading
 * (Siddiqi, Credit Risk Scorecards, 2006): < 0.1 no significant shift, 0.1–0.25 a moderate shift,
 * > 0.25 a significant one.
 */
export function populationStabilityIndex(reference: readonly number[], current: readonly number[]): number {
  checkBins(reference, current);
  const r = proportions(reference);
  const c = proportions(current);
  return r.reduce((sum, ri, i) => sum + (c[i]! - ri) * Math.log(c[i]! / ri), 0);
}

/**
 * Jensen–Shannon divergence in bits (0 = same distribution, 1 = disjoint): the mean Kullback–Leibler
 * divergence of each histogram from their average. Symmetric and bounded, unlike KL itself.
 */
export function jensenShannonDivergence(reference: readonly number[], current: readonly number[]): number {
  checkBins(reference, current);
  const p = proportions(reference);
  const q = proportions(current);
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i]! + q[i]!) / 2;
    js += (p[i]! * Math.log2(p[i]! / m) + q[i]! * Math.log2(q[i]! / m)) / 2;
  }
  return Math.max(0, js);
}
