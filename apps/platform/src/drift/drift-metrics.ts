import { Injectable, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import { DriftVerdictsRepository, type VerdictRecord } from './drift-verdicts.repository';

const LABELS = ['model', 'version', 'stream', 'mcu', 'radio'] as const;
type Label = (typeof LABELS)[number];

/**
 * `/metrics` gauges of each cohort's latest drift verdict, read from the database at scrape time,
 * so every platform instance reports the same values.
 */
@Injectable()
export class DriftMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly verdicts: DriftVerdictsRepository,
  ) {}

  onModuleInit(): void {
    // One read for all gauges of a scrape: the first gauge collected reads the verdicts, the others reuse them.
    let pending: Promise<VerdictRecord[]> | null = null;
    const collect = async (g: Gauge<Label>, read: (v: VerdictRecord) => number | null) => {
      pending ??= this.verdicts.latest().finally(() => setImmediate(() => (pending = null)));
      const latest = await pending;
      g.reset();
      for (const v of latest) {
        const x = read(v);
        if (x !== null)
          g.set({ model: v.modelId, version: v.modelVersion, stream: v.stream, mcu: v.mcu, radio: v.radio }, x);
      }
    };
    const registers = [this.metrics.registry];
    const gauge = (name: string, help: string, read: (v: VerdictRecord) => number | null) =>
      new Gauge<Label>({
        name,
        help,
        labelNames: LABELS,
        registers,
        collect() {
          return collect(this, read);
        },
      });
    gauge('tinyfleet_drift_psi', 'Latest window: PSI of the class mix against the reference', (v) => v.classMixPsi);
    gauge(
      'tinyfleet_drift_score_js_bits',
      'Latest window: JS divergence of the winning-score histogram, bits',
      (v) => v.scoreJsBits,
    );
    gauge(
      'tinyfleet_drift_input_shift_sd',
      'Latest window: largest input-channel mean shift, reference SDs',
      (v) => v.maxInputShiftSd,
    );
    gauge('tinyfleet_drift_low_margin_rate', 'Latest window: share of close-call decisions', (v) => v.lowMarginRate);
    gauge('tinyfleet_drift_inferences', 'Latest window: inferences the verdict is based on', (v) => v.inferences);
    gauge('tinyfleet_drift_alarm', 'Latest verdict: 1 drift, 0 stable (absent: not enough data)', (v) =>
      v.verdict === 'drift' ? 1 : v.verdict === 'stable' ? 0 : null,
    );
  }
}
