/**
 * Whether a channel's input values moved: Welch's two-sample test on the means, from the sums a
 * device sends (count, Σx, Σx²), so the platform never needs the values themselves. With the counts
 * of a summary window (thousands of values) the t distribution is the normal one, so the p-value is
 * the normal tail; below MIN_VALUES per side no verdict is given.
 */

export interface SampleSums {
  count: number;
  sum: number;
  sumSquares: number;
}

export interface SampleMoments {
  count: number;
  mean: number;
  /** Unbiased sample variance. */
  variance: number;
}

/** Fewer values than this on either side: no test (the normal approximation would not hold). */
export const MIN_VALUES = 30;

export function momentsOf(s: SampleSums): SampleMoments {
  if (s.count < 2) return { count: s.count, mean: s.count ? s.sum / s.count : 0, variance: 0 };
  const mean = s.sum / s.count;
  // Σx² − n·mean², guarded against rounding below zero.
  const variance = Math.max(0, (s.sumSquares - s.count * mean * mean) / (s.count - 1));
  return { count: s.count, mean, variance };
}

export interface MeanShift {
  /** Welch's statistic: (mean_current − mean_reference) / √(var_r/n_r + var_c/n_c). */
  z: number;
  /** Two-sided p-value under the normal approximation. */
  p: number;
  /** The shift in reference standard deviations (an effect size that does not grow with n). */
  shiftSd: number;
}

export function meanShift(reference: SampleMoments, current: SampleMoments): MeanShift | null {
  if (reference.count < MIN_VALUES || current.count < MIN_VALUES) return null;
  const se = Math.sqrt(reference.variance / reference.count + current.variance / current.count);
  const diff = current.mean - reference.mean;
  const sd = Math.sqrt(reference.variance);
  if (se === 0) return { z: diff === 0 ? 0 : Math.sign(diff) * Infinity, p: diff === 0 ? 1 : 0, shiftSd: 0 };
  const z = diff / se;
  return { z, p: 2 * normalTail(Math.abs(z)), shiftSd: sd > 0 ? diff / sd : 0 };
}

/** P(Z > z) for a standard normal Z (Abramowitz & Stegun 7.1.26 via erfc, |error| < 1.5e-7). */
export function normalTail(z: number): number {
  return erfc(z / Math.SQRT2) / 2;
}

function erfc(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const r = poly * Math.exp(-x * x);
  return x >= 0 ? r : 2 - r;
}
