import { Inject, Injectable } from '@nestjs/common';
import { assessDrift, DEFAULT_DRIFT_THRESHOLDS, type DriftAssessment, type WindowSignals } from '@tinyfleet/drift';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { referenceFromManifest, type DriftReference } from './drift-reference';
import { DriftVerdictsRepository, type VerdictRecord } from './drift-verdicts.repository';
import { InferenceSummariesRepository, type Cohort, type CohortSpan } from './inference-summaries.repository';

/** Windows judged per cohort and tick at most, so a long backlog (a fast virtual clock) is caught up in steps. */
export const MAX_WINDOWS_PER_TICK = 48;

/**
 * Judges every cohort's windows of device time: every `stepMs` a window of the last `windowMs`,
 * against the cohort's own first window (what it did right after the rollout) — or, with
 * DRIFT_REFERENCE=manifest, the model version's manifest validation-set statistics where it ships
 * them (a model wrong from its first hour is then caught too, at the price of alarms wherever the
 * field's class mix differs from the pooled training data). Idempotent over persisted
 * state: a tick judges the window ends after the cohort's last verdict up to its latest summary,
 * and a window written twice (two instances) keeps the first.
 */
@Injectable()
export class DriftMonitor {
  constructor(
    private readonly summaries: InferenceSummariesRepository,
    private readonly verdicts: DriftVerdictsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async tick(now: Date): Promise<VerdictRecord[]> {
    const written: VerdictRecord[] = [];
    for (const cohort of await this.summaries.cohorts()) written.push(...(await this.judgeCohort(cohort, now)));
    return written;
  }

  private async judgeCohort(c: CohortSpan, now: Date): Promise<VerdictRecord[]> {
    const { windowMs, stepMs, reference: mode } = this.config.drift;
    const manifest = mode !== 'first-window' ? await this.summaries.manifestReference(c.modelId, c.modelVersion) : null;
    // Without a manifest reference the cohort's first window (from just before its first summary) is
    // the reference, so judging starts at the first step after it.
    const startMs = c.firstMs - 1;
    const lastEnd = Math.floor(c.lastMs / stepMs) * stepMs;
    const own = manifest ? null : await this.firstWindow(c, startMs, windowMs, stepMs);
    if (!manifest && !own) return []; // the first window does not hold a verdict's minimum yet
    const firstEnd = manifest ? ceilTo(startMs + stepMs + 1, stepMs) : ceilTo(own!.endMs + 1, stepMs);
    const judged = await this.verdicts.lastWindowEnd(c);
    let end = judged === null ? firstEnd : judged + stepMs;
    if (end > lastEnd) return [];
    const reference = manifest ? referenceFromManifest(manifest) : own!.reference;
    const out: VerdictRecord[] = [];
    for (let n = 0; end <= lastEnd && n < MAX_WINDOWS_PER_TICK; end += stepMs, n++) {
      const from = Math.max(end - windowMs, startMs);
      const current = await this.summaries.cohortWindow(c, from, end);
      out.push(verdictRecord(c, from, end, now, reference, current.devices, current.signals));
    }
    await this.verdicts.insert(out);
    return out;
  }

  /**
   * The cohort's own first window: `windowMs` from its first summary, grown a step at a time until it
   * holds the inferences a verdict needs — a rollout's devices switch over hours apart, so the first
   * window may have one device in it and could not tell drift from one device's mix.
   */
  private async firstWindow(
    c: CohortSpan,
    startMs: number,
    windowMs: number,
    stepMs: number,
  ): Promise<{ reference: DriftReference; endMs: number } | null> {
    for (let endMs = startMs + windowMs; endMs <= c.lastMs; endMs += stepMs) {
      const w = await this.summaries.cohortWindow(c, startMs, endMs);
      if (w.signals && w.signals.inferences >= DEFAULT_DRIFT_THRESHOLDS.minInferences)
        return {
          endMs,
          reference: {
            signals: w.signals,
            source: `the cohort's first ${(endMs - startMs) / 3_600_000} h after it started (${new Date(c.firstMs).toISOString()}), ${w.devices} devices`,
          },
        };
    }
    return null;
  }
}

function verdictRecord(
  c: Cohort,
  fromMs: number,
  endMs: number,
  now: Date,
  reference: DriftReference | null,
  devices: number,
  current: WindowSignals | null,
): VerdictRecord {
  const a: DriftAssessment | null = reference && current ? assessDrift(reference.signals, current) : null;
  const shifts = a?.inputShifts.map((s) => Math.abs(s.shiftSd)) ?? [];
  return {
    ...c,
    windowStartMs: fromMs,
    windowEndMs: endMs,
    evaluatedAt: now,
    verdict: a?.verdict ?? 'insufficient-data',
    referenceSource: reference?.source ?? 'none yet',
    devices,
    inferences: current?.inferences ?? 0,
    classMixPsi: a?.classMixPsi ?? null,
    scoreJsBits: a?.scoreJsBits ?? null,
    maxInputShiftSd: shifts.length ? Math.max(...shifts) : null,
    lowMarginRate: a?.lowMarginRate?.current ?? null,
    reasons: a?.reasons ?? [],
  };
}

function ceilTo(ms: number, stepMs: number): number {
  return Math.ceil(ms / stepMs) * stepMs;
}
