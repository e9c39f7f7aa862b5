import { assessDrift, DEFAULT_DRIFT_THRESHOLDS, type DriftAssessment, type WindowSignals } from '@tinyfleet/drift';

/**
 * Inference health gates: an updated group is compared with devices of the same rollout still on
 * the old model, over the same time window — not only "did it install", but "does it behave".
 * A gate left undefined is not checked.
 */
export interface HealthGates {
  /** How long an updated group runs before it is judged (seconds since the group started). */
  soakS?: number;
  /** Longest wait for enough data; after it the group advances unjudged (readings say so). Default 3600. */
  maxWaitS?: number;
  /**
   * Both sides need at least this many devices with data before a gate is judged: devices with events
   * for the event gates, devices with accuracy reports for the accuracy gate.
   */
  minDevicesPerSide: number;
  /** Largest allowed relative change of events per device-hour, e.g. 0.5 = ±50 %. */
  maxEventRateChange?: number;
  /** Largest allowed shift of the mean quantized score (int8 units). */
  maxScoreShiftQ?: number;
  /** Largest allowed ratio of energy per inference, updated ÷ control (e.g. 1.5). */
  maxEnergyPerInferenceRatio?: number;
  /**
   * Largest allowed drop of on-device accuracy (devices' ground-truth logs, up/accuracy), in
   * percentage points the updated side may fall below the control side (e.g. 5).
   */
  maxAccuracyDropPct?: number;
  /** Inferences checked against ground truth each side needs before accuracy is judged. Default 30. */
  minAccuracyInferences?: number;
  /**
   * The drift gate, which needs no ground truth: the largest class-mix PSI the updated side's
   * up/summary signals of the new model may show against one reference, chosen in this order: the
   * control side's signals on the old model over the same time, else the new model's shipped
   * reference (manifest.monitoring), else the updated side's own first window after install — and
   * only that last one while the old model is itself drifting (then the field has moved away from
   * what the other two describe). E.g. 0.25. libs/drift's score-histogram (JS > 0.1 bit) and
   * input-shift (> 0.5 SD, p < 0.001) thresholds apply with it.
   */
  maxDriftPsi?: number;
  /**
   * Inferences the updated side's summaries need before drift is judged — and that its own first
   * window after install holds before it is a reference. Default 200 (libs/drift).
   */
  minDriftInferences?: number;
  /** On a breach, roll the group's devices back to their previous model automatically. */
  autoRollback: boolean;
}

export interface SideStats {
  devices: number;
  events: number;
  deviceHours: number;
  eventsPerDeviceHour: number | null;
  meanScoreQ: number | null;
  meanEnergyUj: number | null;
  /**
   * Inferences checked against ground truth in the window, and how many were right: the updated side
   * counts only the new model's tag, the control side the model each device runs.
   */
  accuracyInferences: number;
  accuracyCorrect: number;
  /** Devices whose reports added inferences in the window. */
  accuracyDevices: number;
  /** 100 × correct ÷ inferences; null without inferences. */
  accuracyPct: number | null;
  /** The side's up/summary signals in the window, summed (the same model tags as accuracy). */
  summary?: WindowSignals | null;
  summaryDevices?: number;
  /** Updated side: the new model's shipped reference (manifest.monitoring), when it has one. */
  summaryReference?: { signals: WindowSignals; source: string } | null;
  /**
   * Updated side: its first summaries of the new model after install, in order of arrival, until they
   * hold the drift gate's minimum inferences (null: not that many yet), and what arrived after them.
   */
  summaryFirstWindow?: { signals: WindowSignals; devices: number } | null;
  summaryAfterFirstWindow?: WindowSignals | null;
  /**
   * Control side: the old model's cohorts (those of the rollout's devices) whose latest judged drift
   * verdict is `drift`, in words. Non-empty: neither the control side nor a shipped reference is a
   * fair reference for the new model.
   */
  driftingCohorts?: string[];
}

export interface GateReadings {
  evaluatedAt: string;
  updated: SideStats;
  control: SideStats;
  /** null: not enough data yet to judge. */
  pass: boolean | null;
  breaches: string[];
  /** Gates that could not be judged yet for want of data, and why. */
  notJudged: string[];
}

export const DEFAULT_MIN_ACCURACY_INFERENCES = 30;

export function evaluateGates(gates: HealthGates, updated: SideStats, control: SideStats, now: Date): GateReadings {
  const base = { evaluatedAt: now.toISOString(), updated, control };
  const breaches: string[] = [];
  const notJudged: string[] = [];
  const min = gates.minDevicesPerSide;
  // Event gates judge events; a model that reports rarely (on-change over a steady stream) can still be judged on accuracy.
  const eventGates =
    gates.maxEventRateChange !== undefined ||
    gates.maxScoreShiftQ !== undefined ||
    gates.maxEnergyPerInferenceRatio !== undefined;
  const eventsJudged = updated.devices >= min && control.devices >= min;
  if (eventGates && !eventsJudged) {
    notJudged.push(
      `event gates: not enough devices with events (${updated.devices} updated, ${control.devices} control; at least ${min} per side)`,
    );
  }
  if (eventsJudged) judgeEventGates(gates, updated, control, breaches);
  if (gates.maxAccuracyDropPct !== undefined)
    judgeAccuracy(gates, gates.maxAccuracyDropPct, updated, control, breaches, notJudged);
  if (gates.maxDriftPsi !== undefined) {
    const drift = driftOf(gates, updated, control);
    if (!drift.assessment) notJudged.push(`drift: ${drift.waiting}`);
    else if (drift.assessment.verdict === 'insufficient-data')
      notJudged.push(
        `drift against ${drift.reference}: not enough inferences in summaries (${drift.assessment.inferences.current} updated, ${drift.assessment.inferences.reference} reference; at least ${drift.assessment.inferences.required})`,
      );
    else if (drift.assessment.verdict === 'drift')
      breaches.push(`drift against ${drift.reference}: ${drift.assessment.reasons.join('; ')}`);
  }
  // A breach is a verdict even while another gate still waits for data; otherwise waiting wins.
  return { ...base, pass: breaches.length > 0 ? false : notJudged.length > 0 ? null : true, breaches, notJudged };
}

function judgeEventGates(gates: HealthGates, updated: SideStats, control: SideStats, breaches: string[]): void {
  if (gates.maxEventRateChange !== undefined && updated.eventsPerDeviceHour !== null && control.eventsPerDeviceHour) {
    const change = updated.eventsPerDeviceHour / control.eventsPerDeviceHour - 1;
    if (Math.abs(change) > gates.maxEventRateChange) {
      breaches.push(
        `event rate ${fmt(updated.eventsPerDeviceHour)}/device-h vs ${fmt(control.eventsPerDeviceHour)} on the old model (${signedPct(change)}, limit ±${Math.round(gates.maxEventRateChange * 100)} %)`,
      );
    }
  }
  if (gates.maxScoreShiftQ !== undefined && updated.meanScoreQ !== null && control.meanScoreQ !== null) {
    const shift = updated.meanScoreQ - control.meanScoreQ;
    if (Math.abs(shift) > gates.maxScoreShiftQ) {
      breaches.push(
        `mean score ${fmt(updated.meanScoreQ)} vs ${fmt(control.meanScoreQ)} (shift ${fmt(shift)} q, limit ±${gates.maxScoreShiftQ})`,
      );
    }
  }
  if (gates.maxEnergyPerInferenceRatio !== undefined && updated.meanEnergyUj !== null && control.meanEnergyUj) {
    const ratio = updated.meanEnergyUj / control.meanEnergyUj;
    if (ratio > gates.maxEnergyPerInferenceRatio) {
      breaches.push(
        `energy per inference ${fmt(updated.meanEnergyUj)} µJ vs ${fmt(control.meanEnergyUj)} µJ (×${ratio.toFixed(2)}, limit ×${gates.maxEnergyPerInferenceRatio})`,
      );
    }
  }
}

function judgeAccuracy(
  gates: HealthGates,
  maxDropPct: number,
  updated: SideStats,
  control: SideStats,
  breaches: string[],
  notJudged: string[],
): void {
  const minInferences = gates.minAccuracyInferences ?? DEFAULT_MIN_ACCURACY_INFERENCES;
  const min = gates.minDevicesPerSide;
  if (updated.accuracyDevices < min || control.accuracyDevices < min) {
    notJudged.push(
      `on-device accuracy: not enough devices reporting it (${updated.accuracyDevices} updated, ${control.accuracyDevices} control; at least ${min} per side)`,
    );
  } else if (
    updated.accuracyPct === null ||
    control.accuracyPct === null ||
    updated.accuracyInferences < minInferences ||
    control.accuracyInferences < minInferences
  ) {
    notJudged.push(
      `on-device accuracy: not enough inferences checked against ground truth (${updated.accuracyInferences} updated, ${control.accuracyInferences} control; at least ${minInferences} per side)`,
    );
  } else {
    const drop = control.accuracyPct - updated.accuracyPct;
    if (drop > maxDropPct) {
      breaches.push(
        `on-device accuracy ${fmt(updated.accuracyPct)} % vs ${fmt(control.accuracyPct)} % on the old model (drop ${fmt(drop)} pts, limit ${maxDropPct} pts)`,
      );
    }
  }
}

/** The drift gate's reading: the reference it chose, in words, and the assessment against it — or why there is none. */
export type DriftJudgement =
  | { reference: string; assessment: DriftAssessment; waiting?: undefined }
  | { reference: null; assessment: null; waiting: string };

/**
 * The drift gate's assessment of the updated side, against the first fair reference (HealthGates.maxDriftPsi
 * gives the order). A drifting old model rules out the control side and the shipped reference: the
 * new model would be judged on how far the field has moved, and the model that fixes a drift would
 * be rolled back for it. Its own first window after install is what it did on this field at first,
 * the cohort-first-window reference DriftMonitor uses when a model ships none.
 */
export function driftOf(gates: HealthGates, updated: SideStats, control: SideStats): DriftJudgement {
  const thresholds = {
    ...DEFAULT_DRIFT_THRESHOLDS,
    classMixPsi: gates.maxDriftPsi ?? DEFAULT_DRIFT_THRESHOLDS.classMixPsi,
    minInferences: gates.minDriftInferences ?? DEFAULT_DRIFT_THRESHOLDS.minInferences,
  };
  const judge = (reference: string, ref: WindowSignals, current: WindowSignals | null | undefined): DriftJudgement => ({
    reference,
    assessment: assessDrift(ref, current ?? emptyLike(ref), thresholds),
  });
  const drifting = control.driftingCohorts ?? [];
  if (drifting.length === 0 && updated.summary) {
    if (control.summary) return judge('the control side on the old model', control.summary, updated.summary);
    if (updated.summaryReference)
      return judge(updated.summaryReference.source, updated.summaryReference.signals, updated.summary);
  }
  const first = updated.summaryFirstWindow;
  if (first)
    return judge(
      `the updated side's own first window after install (${first.signals.inferences} inferences, ${first.devices} devices)`,
      first.signals,
      updated.summaryAfterFirstWindow,
    );
  const collecting = `the updated side's own first window after install is not complete (${updated.summary?.inferences ?? 0} of ${thresholds.minInferences} inferences)`;
  return {
    reference: null,
    assessment: null,
    waiting: drifting.length
      ? `the old model is drifting (${drifting.join('; ')}), so neither the control side nor a shipped reference is a fair reference; ${collecting}`
      : updated.summary
        ? `no reference yet (no manifest.monitoring, no summaries from the control side; ${collecting})`
        : control.summary || updated.summaryReference
          ? 'no summaries of the new model from the updated side yet'
          : 'no reference yet (no manifest.monitoring, no summaries from the control side)',
  };
}

/** A window of no inferences shaped like `w` (the updated side has sent nothing after its first window yet). */
function emptyLike(w: WindowSignals): WindowSignals {
  return {
    inferences: 0,
    classCounts: w.classCounts.map(() => 0),
    scoreHistogram: w.scoreHistogram.map(() => 0),
    lowMargin: 0,
    inputStats: w.inputStats.map(() => ({ count: 0, sum: 0, sumSquares: 0 })),
  };
}

export type GateName = 'devices' | 'event-rate' | 'score-shift' | 'energy-ratio' | 'accuracy-drop' | 'drift';

/** One gate's verdict on a reading, as evaluateGates judged it (what a client shows; it need not know the rules). */
export interface GateVerdict {
  gate: GateName;
  /**
   * devices: the smaller side's devices with events; event-rate: relative change (0.5 = +50 %);
   * score-shift: q units; energy-ratio: updated ÷ control; accuracy-drop: percentage points;
   * drift: class-mix PSI against the reference (the verdict also counts the score and input signals).
   * null without data on both sides.
   */
  reading: number | null;
  /** The configured limit; null when the gate is off. */
  limit: number | null;
  verdict: 'pass' | 'fail' | 'not-judged' | 'off';
  /** drift: the reference the updated side was judged against, in words (absent while there is none). */
  reference?: string;
}

/** Per gate, the verdict `evaluateGates` reached on these readings (they are stored; the verdicts follow from them). */
export function gateVerdicts(gates: HealthGates, r: Pick<GateReadings, 'updated' | 'control'>): GateVerdict[] {
  const { updated: u, control: c } = r;
  const min = gates.minDevicesPerSide;
  const eventsJudged = u.devices >= min && c.devices >= min;
  const judge = (
    gate: GateName,
    limit: number | undefined,
    reading: number | null,
    judged: boolean,
    ok: (x: number, lim: number) => boolean,
  ): GateVerdict => ({
    gate,
    reading,
    limit: limit ?? null,
    verdict:
      limit === undefined ? 'off' : !judged || reading === null ? 'not-judged' : ok(reading, limit) ? 'pass' : 'fail',
  });
  const within = (x: number, lim: number) => Math.abs(x) <= lim;
  const minInferences = gates.minAccuracyInferences ?? DEFAULT_MIN_ACCURACY_INFERENCES;
  const accuracyJudged =
    u.accuracyDevices >= min &&
    c.accuracyDevices >= min &&
    u.accuracyInferences >= minInferences &&
    c.accuracyInferences >= minInferences;
  return [
    {
      gate: 'devices',
      reading: Math.min(u.devices, c.devices),
      limit: min,
      verdict: eventsJudged ? 'pass' : 'not-judged',
    },
    judge(
      'event-rate',
      gates.maxEventRateChange,
      u.eventsPerDeviceHour !== null && c.eventsPerDeviceHour
        ? u.eventsPerDeviceHour / c.eventsPerDeviceHour - 1
        : null,
      eventsJudged,
      within,
    ),
    judge(
      'score-shift',
      gates.maxScoreShiftQ,
      u.meanScoreQ !== null && c.meanScoreQ !== null ? u.meanScoreQ - c.meanScoreQ : null,
      eventsJudged,
      within,
    ),
    judge(
      'energy-ratio',
      gates.maxEnergyPerInferenceRatio,
      u.meanEnergyUj !== null && c.meanEnergyUj ? u.meanEnergyUj / c.meanEnergyUj : null,
      eventsJudged,
      (x, lim) => x <= lim,
    ),
    judge(
      'accuracy-drop',
      gates.maxAccuracyDropPct,
      u.accuracyPct != null && c.accuracyPct != null ? c.accuracyPct - u.accuracyPct : null,
      accuracyJudged,
      (x, lim) => x <= lim,
    ),
    driftVerdict(gates, u, c),
  ];
}

function driftVerdict(gates: HealthGates, u: SideStats, c: SideStats): GateVerdict {
  const limit = gates.maxDriftPsi ?? null;
  if (limit === null) return { gate: 'drift', reading: null, limit, verdict: 'off' };
  const { reference, assessment: a } = driftOf(gates, u, c);
  return {
    gate: 'drift',
    reading: a?.classMixPsi ?? null,
    limit,
    verdict: !a || a.verdict === 'insufficient-data' ? 'not-judged' : a.verdict === 'drift' ? 'fail' : 'pass',
    ...(reference ? { reference } : {}),
  };
}

function fmt(n: number): string {
  return Number(n.toFixed(2)).toString();
}

function signedPct(x: number): string {
  return `${x >= 0 ? '+' : ''}${Math.round(x * 100)} %`;
}
