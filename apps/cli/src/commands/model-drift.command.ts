import type { Command } from 'commander';
import { apiRequest, platformOption } from '../http-client';

interface DriftPoint {
  windowEnd: string;
  verdict: 'drift' | 'stable' | 'insufficient-data';
  devices: number;
  inferences: number;
  classMixPsi: number | null;
  scoreJsBits: number | null;
  maxInputShiftSd: number | null;
  reasons: string[];
}
interface DriftOverview {
  method: { windowHours: number; stepMinutes: number; measures: string };
  cohorts: Array<{
    modelId: string;
    modelVersion: string;
    stream: string;
    mcu: string;
    radio: string;
    referenceSource: string;
    latest: DriftPoint;
    series: DriftPoint[];
  }>;
}

const COHORT_KEYS = ['stream', 'mcu', 'radio', 'version'] as const;

/** `--cohort stream=gas-ethylene,mcu=nrf52840` as GET /api/drift filters. */
export function cohortQuery(model: string | undefined, cohort: string | undefined): URLSearchParams {
  const q = new URLSearchParams();
  if (model) {
    const [name, version] = model.split('@');
    q.set('model', name!);
    if (version) q.set('version', version);
  }
  for (const part of (cohort ?? '').split(',').filter(Boolean)) {
    const [k, v] = part.split('=');
    if (!COHORT_KEYS.includes(k as (typeof COHORT_KEYS)[number]) || !v)
      throw new Error(
        `--cohort takes ${COHORT_KEYS.map((c) => `${c}=…`).join(', ')} (comma-separated), got ${JSON.stringify(part)}`,
      );
    q.set(k!, v);
  }
  return q;
}

/** `tinyfleet model drift [model[@version]] [--cohort …] [--json]`: the platform's label-free drift verdicts per cohort. */
export function registerModelDriftCommand(model: Command): void {
  model
    .command('drift [model]')
    .description("Label-free drift per cohort (model version × stream × MCU × radio), from the devices' up/summary")
    .option('--cohort <filters>', 'stream=…,mcu=…,radio=…,version=… (any of them)')
    .option('--json', 'print the API answer (with the series over time) as JSON')
    .addOption(platformOption())
    .action(async (name: string | undefined, opts: { cohort?: string; json?: boolean; platform: string }) => {
      const q = cohortQuery(name, opts.cohort);
      const r = await apiRequest<DriftOverview>(opts.platform, 'GET', `/api/drift?${q}`);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        return;
      }
      if (r.cohorts.length === 0) {
        process.stdout.write(
          'no drift verdicts yet (devices send up/summary with their status; the platform judges hourly)\n',
        );
        return;
      }
      const f = (x: number | null, d = 3) => (x === null ? '—' : x.toFixed(d));
      process.stdout.write(
        `windows of ${r.method.windowHours} h every ${r.method.stepMinutes} min; ${r.method.measures}\n`,
      );
      for (const c of r.cohorts) {
        const l = c.latest;
        const alarms = c.series.filter((p) => p.verdict === 'drift').length;
        process.stdout.write(
          `${c.modelId}@${c.modelVersion} ${c.stream}/${c.mcu}/${c.radio}: ${l.verdict.toUpperCase()} at ${l.windowEnd} ` +
            `(PSI ${f(l.classMixPsi)}, JS ${f(l.scoreJsBits)} bit, input shift ${f(l.maxInputShiftSd, 2)} SD; ` +
            `${l.inferences} inferences from ${l.devices} devices; ${alarms} of ${c.series.length} windows drift)\n` +
            `  reference: ${c.referenceSource}\n` +
            l.reasons.map((why) => `  - ${why}\n`).join(''),
        );
      }
    });
}
