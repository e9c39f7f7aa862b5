/**
 * A drift verdict for one cohort (model version × stream × MCU × radio): the current window's
 * label-free signals against the reference window (validation-set statistics shipped with the model,
 * or the cohort's first window after the rollout), each signal with a stated, standard measure and
 * threshold, and a minimum sample size below which no verdict is given.
 */
import { jensenShannonDivergence, populationStabilityIndex } from './divergence';
import { meanShift, momentsOf, type SampleSums } from './two-sample';

/** What a window of summaries adds up to for one model (InferenceSummaryV1, summed over devices and time). */
export interface WindowSignals {
  inferences: number;
  classCounts: number[];
  scoreHistogram: number[];
  lowMargin: number;
  inputStats: SampleSums[];
}

export interface DriftThresholds {
  /** Population stability index of the class mix; 0.25 = "significant shift" (Siddiqi 2006). */
  classMixPsi: number;
  /** Jensen–Shannon divergence of the winning-score histogram, bits. */
  scoreJsBits: number;
  /** Mean shift of an input channel, in reference standard deviations, and the p-value it must also pass. */
  inputShiftSd: number;
  inputShiftP: number;
  /** Inferences the current window needs for any verdict. */
  minInferences: number;
  /** Inferences the reference needs (a quick build's validation split can be small). */
  minReferenceInferences: number;
}

export const DEFAULT_DRIFT_THRESHOLDS: DriftThresholds = {
  classMixPsi: 0.25,
  scoreJsBits: 0.1,
  inputShiftSd: 0.5,
  inputShiftP: 0.001,
  minInferences: 200,
  minReferenceInferences: 100,
};

export interface DriftAssessment {
  verdict: 'drift' | 'stable' | 'insufficient-data';
  inferences: { reference: number; current: number; required: number };
  classMixPsi: number | null;
  scoreJsBits: number | null;
  lowMarginRate: { reference: number; current: number } | null;
  inputShifts: Array<{ channel: number; shiftSd: number; p: number }>;
  /** Why the verdict is drift, in words (empty when stable). */
  reasons: string[];
}

export function assessDrift(
  reference: WindowSignals,
  current: WindowSignals,
  t: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS,
): DriftAssessment {
  const inferences = { reference: reference.inferences, current: current.inferences, required: t.minInferences };
  if (reference.inferences < t.minReferenceInferences || current.inferences < t.minInferences)
    return {
      verdict: 'insufficient-data',
      inferences,
      classMixPsi: null,
      scoreJsBits: null,
      lowMarginRate: null,
      inputShifts: [],
      reasons: [],
    };
  // A one-output model (a regressor, a single score) has no class mix to shift.
  const classMixPsi =
    reference.classCounts.length < 2 ? 0 : populationStabilityIndex(reference.classCounts, current.classCounts);
  const scoreJsBits = jensenShannonDivergence(reference.scoreHistogram, current.scoreHistogram);
  const channels = Math.min(reference.inputStats.length, current.inputStats.length);
  const inputShifts: DriftAssessment['inputShifts'] = [];
  for (let k = 0; k < channels; k++) {
    const shift = meanShift(momentsOf(reference.inputStats[k]!), momentsOf(current.inputStats[k]!));
    if (shift) inputShifts.push({ channel: k, shiftSd: shift.shiftSd, p: shift.p });
  }
  const reasons: string[] = [];
  if (classMixPsi > t.classMixPsi) reasons.push(`class mix PSI ${classMixPsi.toFixed(3)} > ${t.classMixPsi}`);
  if (scoreJsBits > t.scoreJsBits) reasons.push(`score histogram JS ${scoreJsBits.toFixed(3)} bits > ${t.scoreJsBits}`);
  for (const s of inputShifts)
    if (Math.abs(s.shiftSd) > t.inputShiftSd && s.p < t.inputShiftP)
      reasons.push(`input channel ${s.channel} moved ${s.shiftSd.toFixed(2)} SD (p ${s.p.toExponential(1)})`);
  return {
    verdict: reasons.length ? 'drift' : 'stable',
    inferences,
    classMixPsi,
    scoreJsBits,
    lowMarginRate: {
      reference: reference.lowMargin / reference.inferences,
      current: current.lowMargin / current.inferences,
    },
    inputShifts,
    reasons,
  };
}

/** Adds up windows (summaries of several devices or periods) of one model. */
export function sumSignals(windows: readonly WindowSignals[]): WindowSignals | null {
  if (windows.length === 0) return null;
  const first = windows[0]!;
  const add = (a: number[], b: readonly number[]) => a.map((x, i) => x + (b[i] ?? 0));
  return windows.slice(1).reduce<WindowSignals>(
    (acc, w) => ({
      inferences: acc.inferences + w.inferences,
      classCounts: add(acc.classCounts, w.classCounts),
      scoreHistogram: add(acc.scoreHistogram, w.scoreHistogram),
      lowMargin: acc.lowMargin + w.lowMargin,
      inputStats: acc.inputStats.map((s, k) => ({
        count: s.count + (w.inputStats[k]?.count ?? 0),
        sum: s.sum + (w.inputStats[k]?.sum ?? 0),
        sumSquares: s.sumSquares + (w.inputStats[k]?.sumSquares ?? 0),
      })),
    }),
    {
      ...first,
      classCounts: [...first.classCounts],
      scoreHistogram: [...first.scoreHistogram],
      inputStats: first.inputStats.map((s) => ({ ...s })),
    },
  );
}
