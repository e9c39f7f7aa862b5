/** @tinyfleet/drift: label-free model monitoring — divergences, two-sample tests, drift verdicts. */
export { jensenShannonDivergence, populationStabilityIndex, PSEUDO_COUNT } from './divergence';
export { meanShift, MIN_VALUES, momentsOf, normalTail } from './two-sample';
export type { MeanShift, SampleMoments, SampleSums } from './two-sample';
export { assessDrift, DEFAULT_DRIFT_THRESHOLDS, sumSignals } from './assess';
export type { DriftAssessment, DriftThresholds, WindowSignals } from './assess';
export { DEFAULT_MARGIN_Q, foldInputStats, SCORE_BINS, SummaryAccumulator } from './summary-accumulator';
