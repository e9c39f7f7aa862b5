import { Inject, Injectable } from '@nestjs/common';
import { DEFAULT_DRIFT_THRESHOLDS, type DriftThresholds } from '@tinyfleet/drift';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DriftVerdictsRepository, type VerdictQuery, type VerdictRecord } from './drift-verdicts.repository';

export interface DriftPoint {
  windowStart: string;
  windowEnd: string;
  verdict: VerdictRecord['verdict'];
  devices: number;
  inferences: number;
  classMixPsi: number | null;
  scoreJsBits: number | null;
  maxInputShiftSd: number | null;
  lowMarginRate: number | null;
  reasons: string[];
}

export interface CohortDrift {
  modelId: string;
  modelVersion: string;
  stream: string;
  mcu: string;
  radio: string;
  referenceSource: string;
  latest: DriftPoint;
  /** Windows in time order (the chart). */
  series: DriftPoint[];
}

export interface DriftOverview {
  /** The measures, thresholds and window the verdicts use (they follow from these, so a client need not know the rules). */
  method: {
    thresholds: DriftThresholds;
    windowHours: number;
    stepMinutes: number;
    measures: string;
  };
  cohorts: CohortDrift[];
}

/** The verdict history grouped per cohort, for the API, the CLI and the dashboard. */
@Injectable()
export class DriftService {
  constructor(
    private readonly verdicts: DriftVerdictsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async overview(q: VerdictQuery): Promise<DriftOverview> {
    const rows = await this.verdicts.history(q);
    const byCohort = new Map<string, VerdictRecord[]>();
    for (const r of rows) {
      const key = [r.modelId, r.modelVersion, r.stream, r.mcu, r.radio].join('\u0000');
      (byCohort.get(key) ?? byCohort.set(key, []).get(key)!).push(r);
    }
    return {
      method: {
        thresholds: DEFAULT_DRIFT_THRESHOLDS,
        windowHours: this.config.drift.windowMs / 3_600_000,
        stepMinutes: this.config.drift.stepMs / 60_000,
        measures:
          'class mix: population stability index; winning-score histogram: Jensen–Shannon divergence (bits); inputs: Welch two-sample test on each channel mean (@tinyfleet/drift)',
      },
      cohorts: [...byCohort.values()].map((series) => {
        const last = series[series.length - 1]!;
        return {
          modelId: last.modelId,
          modelVersion: last.modelVersion,
          stream: last.stream,
          mcu: last.mcu,
          radio: last.radio,
          referenceSource: last.referenceSource,
          latest: point(last),
          series: series.map(point),
        };
      }),
    };
  }
}

function point(r: VerdictRecord): DriftPoint {
  return {
    windowStart: new Date(r.windowStartMs).toISOString(),
    windowEnd: new Date(r.windowEndMs).toISOString(),
    verdict: r.verdict,
    devices: r.devices,
    inferences: r.inferences,
    classMixPsi: r.classMixPsi,
    scoreJsBits: r.scoreJsBits,
    maxInputShiftSd: r.maxInputShiftSd,
    lowMarginRate: r.lowMarginRate,
    reasons: r.reasons,
  };
}
