import { BadRequestException, Injectable } from '@nestjs/common';
import { DevicesRepository } from '../devices/devices.repository';
import { AccuracyReportsRepository } from '../accuracy/accuracy-reports.repository';
import { accuracyDeltas, AccuracyDelta, AccuracyTotals, sumAccuracy } from '../accuracy/accuracy-window';
import { DriftVerdictsRepository, type VerdictRecord } from '../drift/drift-verdicts.repository';
import type { EventStats } from './energy-aggregate';
import type { SnapshotRow } from './energy-counters';
import { buildEnergyReport, deviceMatches } from './energy-report.builder';
import type {
  EnergyReport,
  EnergyReportFilters,
  ModelVersionRow,
  OtaTransfer,
  RolloutRow,
} from './energy-report.types';
import { EnergyReportQueryDto } from './dto/energy-report-query.dto';
import { EnergyReportRepository, SnapshotDbRow } from './energy-report.repository';

const FAR_PAST = -8.64e15;
const FAR_FUTURE = 8.64e15;

/** Gathers what the report needs (EnergyReportRepository, devices, accuracy) and hands it to the pure builder. */
@Injectable()
export class EnergyReportService {
  constructor(
    private readonly rows: EnergyReportRepository,
    private readonly deviceFacts: DevicesRepository,
    private readonly accuracy: AccuracyReportsRepository,
    private readonly drift: DriftVerdictsRepository,
  ) {}

  async report(q: EnergyReportQueryDto, now = new Date()): Promise<EnergyReport> {
    const fromMs = q.from ? Date.parse(q.from) : null;
    const toMs = q.to ? Date.parse(q.to) : null;
    if (fromMs !== null && toMs !== null && fromMs >= toMs) throw new BadRequestException('from must be before to');
    const filters: EnergyReportFilters = {
      from: fromMs === null ? null : new Date(fromMs).toISOString(),
      to: toMs === null ? null : new Date(toMs).toISOString(),
      stream: q.stream ?? null,
      mcuProfile: q.mcuProfile ?? null,
      radioProfile: q.radioProfile ?? null,
      modelVersion: q.modelVersion ?? null,
      deviceId: q.deviceId ?? null,
      battery: q.battery ?? null,
      bucket: 'hour',
    };
    const devices = (await this.deviceFacts.reportFacts()).filter((d) => deviceMatches(d, filters));
    const ids = devices.map((d) => d.id);
    const lo = fromMs ?? FAR_PAST;
    const hi = toMs ?? FAR_FUTURE;
    const snapshots = ids.length ? await this.snapshots(ids, lo, hi, fromMs !== null) : [];
    let first = Infinity,
      last = -Infinity;
    for (const s of snapshots) {
      if (s.baseline) continue;
      first = Math.min(first, s.virtualTimeMs);
      last = Math.max(last, s.virtualTimeMs);
    }
    const spanMs = last > first ? last - first : 0;
    filters.bucket = q.bucket && q.bucket !== 'auto' ? q.bucket : spanMs > 3 * 86_400_000 ? 'day' : 'hour';
    const [eventStats, modelVersions, ota, rollouts] = ids.length
      ? await Promise.all([
          this.eventStats(ids, lo, hi),
          this.modelVersions(ids, fromMs, toMs),
          this.ota(ids),
          this.rollouts(ids),
        ])
      : [new Map<string, EventStats>(), [], new Map<string, OtaTransfer>(), []];
    return buildEnergyReport({
      generatedAt: now,
      filters,
      devices,
      snapshots,
      eventStats,
      modelVersions,
      ota,
      rollouts,
    });
  }

  /**
   * Snapshots in [lo, hi) plus, when the range has a start, each (device, boot)'s last snapshot before
   * it: the reference the first in-range snapshot is diffed against (otherwise a range start would
   * count everything since boot).
   */
  private async snapshots(ids: string[], lo: number, hi: number, withBaseline: boolean): Promise<SnapshotRow[]> {
    const toRow =
      (baseline: boolean) =>
      (r: SnapshotDbRow): SnapshotRow => ({
        deviceId: r.device_id,
        bootId: r.boot_id,
        seq: Number(r.seq),
        virtualTimeMs: Number(r.t),
        counters: r.counters,
        baseline,
      });
    const inRange: SnapshotDbRow[] = await this.rows.snapshotsInRange(ids, lo, hi);
    const baseline: SnapshotDbRow[] = withBaseline ? await this.rows.snapshotBaselines(ids, lo) : [];
    return [...baseline.map(toRow(true)), ...inRange.map(toRow(false))];
  }

  private async eventStats(ids: string[], lo: number, hi: number): Promise<Map<string, EventStats>> {
    const rows: Array<{ device_id: string; n: string; uj: string }> = await this.rows.eventCounts(ids, lo, hi);
    return new Map(rows.map((r) => [r.device_id, { events: Number(r.n), energyUjSum: Number(r.uj) }]));
  }

  private async modelVersions(ids: string[], fromMs: number | null, toMs: number | null): Promise<ModelVersionRow[]> {
    const lo = fromMs ?? FAR_PAST;
    const hi = toMs ?? FAR_FUTURE;
    const rows: Array<{
      model_id: string | null;
      model_version: string | null;
      devices: string;
      n: string;
      uj: string;
      lat: string;
      first: Date;
      last: Date;
    }> = await this.rows.modelVersionRows(ids, lo, hi);
    const r3 = (x: string) => Number(Number(x).toPrecision(6));
    // The range's end is exclusive and device times are whole milliseconds.
    const samples = await this.accuracy.samples({
      deviceIds: ids,
      clock: 'device',
      sinceMs: fromMs,
      nowMs: toMs === null ? null : toMs - 1,
    });
    const byModel = new Map<string, AccuracyDelta[]>();
    for (const d of accuracyDeltas(samples, lo, hi - 1)) {
      const key = modelKey(d.modelId, d.modelVersion);
      byModel.set(key, [...(byModel.get(key) ?? []), d]);
    }
    const accuracyOf = (modelId: string | null, modelVersion: string | null) => {
      const t = sumAccuracy(byModel.get(modelKey(modelId, modelVersion)) ?? []);
      return { accuracyPct: roundPct(t), accuracyInferences: t.inferences };
    };
    const out: ModelVersionRow[] = rows.map((r) => ({
      modelId: r.model_id,
      modelVersion: r.model_version,
      devices: Number(r.devices),
      events: Number(r.n),
      meanEnergyPerInferenceUj: r3(r.uj),
      meanLatencyUs: r3(r.lat),
      firstEventAt: new Date(r.first).toISOString(),
      lastEventAt: new Date(r.last).toISOString(),
      ...accuracyOf(r.model_id, r.model_version),
    }));
    // Models with accuracy reports but no event in the range (an on-change event policy may stay quiet).
    const withEvents = new Set(rows.map((r) => modelKey(r.model_id, r.model_version)));
    for (const [key, deltas] of byModel) {
      if (withEvents.has(key)) continue;
      const { modelId, modelVersion } = deltas[0]!;
      out.push({
        modelId,
        modelVersion,
        devices: new Set(deltas.map((d) => d.deviceId)).size,
        events: 0,
        meanEnergyPerInferenceUj: null,
        meanLatencyUs: null,
        firstEventAt: null,
        lastEventAt: null,
        ...accuracyOf(modelId, modelVersion),
      });
    }
    await this.addDrift(out, fromMs, toMs);
    return out;
  }

  /** Each version's drift verdicts (all its cohorts) with window ends in the range. */
  private async addDrift(rows: ModelVersionRow[], fromMs: number | null, toMs: number | null): Promise<void> {
    for (const row of rows) {
      if (row.modelId === null || row.modelVersion === null) continue;
      const verdicts = await this.drift.history({
        modelId: row.modelId,
        modelVersion: row.modelVersion,
        sinceMs: fromMs === null ? undefined : fromMs - 1,
        untilMs: toMs ?? undefined,
      });
      if (verdicts.length === 0) continue;
      const lastEnd = verdicts[verdicts.length - 1]!.windowEndMs;
      const latest = verdicts.filter((v) => v.windowEndMs === lastEnd);
      const worst = (['drift', 'stable', 'insufficient-data'] as const).find((k) =>
        latest.some((v) => v.verdict === k),
      )!;
      const psis = latest.map((v) => v.classMixPsi).filter((x): x is number => x !== null);
      row.drift = {
        judgedWindows: verdicts.filter((v: VerdictRecord) => v.verdict !== 'insufficient-data').length,
        driftWindows: verdicts.filter((v) => v.verdict === 'drift').length,
        latestVerdict: worst,
        latestWindowEnd: new Date(lastEnd).toISOString(),
        latestClassMixPsi: psis.length ? Math.max(...psis) : null,
      };
    }
  }

  /** Chunks each device received over all its OTA jobs, and the bytes they carried. */
  private async ota(ids: string[]): Promise<Map<string, OtaTransfer>> {
    const rows: Array<{ device_id: string; jobs: string; chunks: number; bytes: number }> =
      await this.rows.otaRows(ids);
    return new Map(
      rows.map((r) => [r.device_id, { jobs: Number(r.jobs), chunks: Number(r.chunks), bytes: Number(r.bytes) }]),
    );
  }

  /** Rollouts touching these devices, with energy per inference of their devices before/after (by model identity). */
  private async rollouts(ids: string[]): Promise<RolloutRow[]> {
    const rows: Array<{
      id: number;
      name: string;
      state: string;
      started_at: Date | null;
      finished_at: Date | null;
      model: string;
      version: string;
      jobs: Record<string, number>;
      devices: string;
    }> = await this.rows.rolloutRows(ids);
    const out: RolloutRow[] = [];
    for (const r of rows) {
      const stats: Array<{ after: boolean; n: string; uj: string | null; lat: string | null }> =
        await this.rows.rolloutEventSides(r.id, r.model, r.version);
      const side = (after: boolean) => {
        const s = stats.find((x) => x.after === after);
        const num = (x: string | null | undefined) =>
          x === null || x === undefined ? null : Number(Number(x).toPrecision(6));
        return { events: Number(s?.n ?? 0), meanEnergyPerInferenceUj: num(s?.uj), meanLatencyUs: num(s?.lat) };
      };
      const before = side(false);
      const after = side(true);
      // Accuracy split the same way: by the model each report's tag resolved to, all reports of the rollout's devices.
      const deviceIds = await this.rows.rolloutDeviceIds(r.id);
      const samples = await this.accuracy.samples({
        deviceIds,
        clock: 'device',
        sinceMs: null,
        nowMs: null,
      });
      const deltas = accuracyDeltas(samples, -Infinity, Infinity);
      const onModel = (d: AccuracyDelta) => d.modelId === r.model && d.modelVersion === r.version;
      const accuracyBefore = sumAccuracy(deltas.filter((d) => d.modelId !== null && !onModel(d)));
      const accuracyAfter = sumAccuracy(deltas.filter(onModel));
      out.push({
        rolloutId: r.id,
        name: r.name,
        model: `${r.model}@${r.version}`,
        state: r.state,
        startedAt: r.started_at ? new Date(r.started_at).toISOString() : null,
        finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
        devices: Number(r.devices),
        jobsByState: r.jobs ?? {},
        before,
        after,
        energyPerInferenceChangePct:
          before.meanEnergyPerInferenceUj && after.meanEnergyPerInferenceUj !== null
            ? Number(
                (
                  ((after.meanEnergyPerInferenceUj - before.meanEnergyPerInferenceUj) /
                    before.meanEnergyPerInferenceUj) *
                  100
                ).toPrecision(4),
              )
            : null,
        accuracyBeforePct: roundPct(accuracyBefore),
        accuracyAfterPct: roundPct(accuracyAfter),
        accuracyBeforeInferences: accuracyBefore.inferences,
        accuracyAfterInferences: accuracyAfter.inferences,
      });
    }
    return out;
  }
}

function modelKey(modelId: string | null, modelVersion: string | null): string {
  return JSON.stringify([modelId, modelVersion]);
}

function roundPct(t: AccuracyTotals): number | null {
  return t.accuracyPct === null ? null : Number(t.accuracyPct.toFixed(2));
}
