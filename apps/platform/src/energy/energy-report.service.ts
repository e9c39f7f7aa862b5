import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DevicesRepository } from '../devices/devices.repository';
import { readAccuracySamples } from '../accuracy/accuracy-reports.query';
import { accuracyDeltas, AccuracyDelta, AccuracyTotals, sumAccuracy } from '../accuracy/accuracy-window';
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

const SNAPSHOT_COLUMNS = `device_id, boot_id::text AS boot_id, seq::float8 AS seq, virtual_time_ms::float8 AS t, counters`;
const FAR_PAST = -8.64e15;
const FAR_FUTURE = 8.64e15;

interface SnapshotDbRow {
  device_id: string;
  boot_id: string;
  seq: number;
  t: number;
  counters: Record<string, unknown>;
}

/** Reads what the report needs (devices, snapshots, event statistics) and hands it to the pure builder. */
@Injectable()
export class EnergyReportService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly deviceFacts: DevicesRepository,
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
    const inRange: SnapshotDbRow[] = await this.db.query(
      `SELECT ${SNAPSHOT_COLUMNS} FROM energy_snapshots WHERE device_id = ANY($1) AND virtual_time_ms >= $2 AND virtual_time_ms < $3`,
      [ids, lo, hi],
    );
    const baseline: SnapshotDbRow[] = withBaseline
      ? await this.db.query(
          `SELECT DISTINCT ON (device_id, boot_id) ${SNAPSHOT_COLUMNS} FROM energy_snapshots
           WHERE device_id = ANY($1) AND virtual_time_ms < $2 ORDER BY device_id, boot_id, seq DESC`,
          [ids, lo],
        )
      : [];
    return [...baseline.map(toRow(true)), ...inRange.map(toRow(false))];
  }

  private async eventStats(ids: string[], lo: number, hi: number): Promise<Map<string, EventStats>> {
    const rows: Array<{ device_id: string; n: string; uj: string }> = await this.db.query(
      `SELECT device_id, count(*) AS n, sum(energy_uj) AS uj FROM device_events
       WHERE device_id = ANY($1) AND device_time >= to_timestamp($2 / 1000.0) AND device_time < to_timestamp($3 / 1000.0) GROUP BY device_id`,
      [ids, Math.max(lo, -2e14), Math.min(hi, 2e14)],
    );
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
    }> = await this.db.query(
      `SELECT model_id, model_version, count(DISTINCT device_id) AS devices, count(*) AS n, avg(energy_uj) AS uj, avg(latency_us) AS lat,
              min(device_time) AS first, max(device_time) AS last
       FROM device_events
       WHERE device_id = ANY($1) AND device_time >= to_timestamp($2 / 1000.0) AND device_time < to_timestamp($3 / 1000.0)
       GROUP BY model_id, model_version ORDER BY model_id NULLS LAST, min(device_time)`,
      [ids, Math.max(lo, -2e14), Math.min(hi, 2e14)],
    );
    const r3 = (x: string) => Number(Number(x).toPrecision(6));
    // The range's end is exclusive and device times are whole milliseconds.
    const samples = await readAccuracySamples(this.db, {
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
    return out;
  }

  /** Chunks each device received over all its OTA jobs, and the bytes they carried. */
  private async ota(ids: string[]): Promise<Map<string, OtaTransfer>> {
    const rows: Array<{ device_id: string; jobs: string; chunks: number; bytes: number }> = await this.db.query(
      `SELECT j.device_id, count(*) AS jobs, sum(j.chunks_received)::float8 AS chunks,
              sum(CASE WHEN j.chunks_total > 0 THEN j.chunks_received::float8 * octet_length(COALESCE(a.ota_bytes, a.model_bytes)) / j.chunks_total ELSE 0 END)::float8 AS bytes
       FROM ota_jobs j JOIN model_artifacts a ON a.id = j.artifact_id
       WHERE j.device_id = ANY($1) GROUP BY j.device_id`,
      [ids],
    );
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
    }> = await this.db.query(
      `SELECT r.id, r.name, r.state, r.started_at, r.finished_at, a.name AS model, a.version,
                (SELECT jsonb_object_agg(s.state, s.n) FROM (SELECT state, count(*) AS n FROM ota_jobs WHERE rollout_id = r.id GROUP BY state) s) AS jobs,
                (SELECT count(*) FROM ota_jobs WHERE rollout_id = r.id) AS devices
         FROM rollouts r JOIN model_artifacts a ON a.id = r.artifact_id
         WHERE EXISTS (SELECT 1 FROM ota_jobs j WHERE j.rollout_id = r.id AND j.device_id = ANY($1))
         ORDER BY r.id`,
      [ids],
    );
    const out: RolloutRow[] = [];
    for (const r of rows) {
      const stats: Array<{ after: boolean; n: string; uj: string | null; lat: string | null }> = await this.db.query(
        `SELECT (e.model_id = $2 AND e.model_version = $3) AS after, count(*) AS n, avg(e.energy_uj) AS uj, avg(e.latency_us) AS lat
         FROM device_events e WHERE e.device_id IN (SELECT device_id FROM ota_jobs WHERE rollout_id = $1) AND e.model_id IS NOT NULL
         GROUP BY 1`,
        [r.id, r.model, r.version],
      );
      const side = (after: boolean) => {
        const s = stats.find((x) => x.after === after);
        const num = (x: string | null | undefined) =>
          x === null || x === undefined ? null : Number(Number(x).toPrecision(6));
        return { events: Number(s?.n ?? 0), meanEnergyPerInferenceUj: num(s?.uj), meanLatencyUs: num(s?.lat) };
      };
      const before = side(false);
      const after = side(true);
      // Accuracy split the same way: by the model each report's tag resolved to, all reports of the rollout's devices.
      const devices: Array<{ device_id: string }> = await this.db.query(
        `SELECT DISTINCT device_id FROM ota_jobs WHERE rollout_id = $1`,
        [r.id],
      );
      const samples = await readAccuracySamples(this.db, {
        deviceIds: devices.map((d) => d.device_id),
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
