import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { EntityManager } from 'typeorm';

export interface SnapshotDbRow {
  device_id: string;
  boot_id: string;
  seq: number;
  t: number;
  counters: Record<string, unknown>;
}

/** Unix ms as far as to_timestamp takes them (the report's open ends are ±8.64e15). */
const clampMs = (ms: number) => Math.min(Math.max(ms, -2e14), 2e14);

const SNAPSHOT_COLUMNS = `device_id, boot_id::text AS boot_id, seq::float8 AS seq, virtual_time_ms::float8 AS t, counters`;

/**
 * The energy report's reads (snapshots, events, OTA transfers, rollouts), each one statement over
 * the devices the report covers; the service composes them and the pure builder does the arithmetic.
 */
@Injectable()
export class EnergyReportRepository {
  constructor(@InjectEntityManager() private readonly m: EntityManager) {}

  /** Snapshots of these devices with a device time in [lo, hi). */
  snapshotsInRange(ids: string[], lo: number, hi: number): Promise<SnapshotDbRow[]> {
    return this.m.query(
      `SELECT ${SNAPSHOT_COLUMNS} FROM energy_snapshots WHERE device_id = ANY($1) AND virtual_time_ms >= $2 AND virtual_time_ms < $3`,
      [ids, lo, hi],
    );
  }

  /** Each (device, boot)'s last snapshot before lo: the reference the first in-range one is diffed against. */
  snapshotBaselines(ids: string[], lo: number): Promise<SnapshotDbRow[]> {
    return this.m.query(
      `SELECT DISTINCT ON (device_id, boot_id) ${SNAPSHOT_COLUMNS} FROM energy_snapshots
           WHERE device_id = ANY($1) AND virtual_time_ms < $2 ORDER BY device_id, boot_id, seq DESC`,
      [ids, lo],
    );
  }

  /** Events per device with a device time in [lo, hi) (unix ms, clamped to what timestamptz holds), and their energy. */
  eventCounts(ids: string[], lo: number, hi: number): Promise<Array<{ device_id: string; n: string; uj: string }>> {
    return this.m.query(
      `SELECT device_id, count(*) AS n, sum(energy_uj) AS uj FROM device_events
       WHERE device_id = ANY($1) AND device_time >= to_timestamp($2 / 1000.0) AND device_time < to_timestamp($3 / 1000.0) GROUP BY device_id`,
      [ids, clampMs(lo), clampMs(hi)],
    );
  }

  /** Events per model version in [lo, hi): devices, count, mean energy and latency, first and last. */
  modelVersionRows(
    ids: string[],
    lo: number,
    hi: number,
  ): Promise<
    Array<{
      model_id: string | null;
      model_version: string | null;
      devices: string;
      n: string;
      uj: string;
      lat: string;
      first: Date;
      last: Date;
    }>
  > {
    return this.m.query(
      `SELECT model_id, model_version, count(DISTINCT device_id) AS devices, count(*) AS n, avg(energy_uj) AS uj, avg(latency_us) AS lat,
              min(device_time) AS first, max(device_time) AS last
       FROM device_events
       WHERE device_id = ANY($1) AND device_time >= to_timestamp($2 / 1000.0) AND device_time < to_timestamp($3 / 1000.0)
       GROUP BY model_id, model_version ORDER BY model_id NULLS LAST, min(device_time)`,
      [ids, clampMs(lo), clampMs(hi)],
    );
  }

  /** Per device, jobs, chunks received and the bytes they carried. */
  otaRows(ids: string[]): Promise<Array<{ device_id: string; jobs: string; chunks: number; bytes: number }>> {
    return this.m.query(
      `SELECT j.device_id, count(*) AS jobs, sum(j.chunks_received)::float8 AS chunks,
              sum(CASE WHEN j.chunks_total > 0 THEN j.chunks_received::float8 * octet_length(COALESCE(a.ota_bytes, a.model_bytes)) / j.chunks_total ELSE 0 END)::float8 AS bytes
       FROM ota_jobs j JOIN model_artifacts a ON a.id = j.artifact_id
       WHERE j.device_id = ANY($1) GROUP BY j.device_id`,
      [ids],
    );
  }

  /** Rollouts touching these devices, with their model and jobs per state. */
  rolloutRows(ids: string[]): Promise<
    Array<{
      id: number;
      name: string;
      state: string;
      started_at: Date | null;
      finished_at: Date | null;
      model: string;
      version: string;
      jobs: Record<string, number>;
      devices: string;
    }>
  > {
    return this.m.query(
      `SELECT r.id, r.name, r.state, r.started_at, r.finished_at, a.name AS model, a.version,
                (SELECT jsonb_object_agg(s.state, s.n) FROM (SELECT state, count(*) AS n FROM ota_jobs WHERE rollout_id = r.id GROUP BY state) s) AS jobs,
                (SELECT count(*) FROM ota_jobs WHERE rollout_id = r.id) AS devices
         FROM rollouts r JOIN model_artifacts a ON a.id = r.artifact_id
         WHERE EXISTS (SELECT 1 FROM ota_jobs j WHERE j.rollout_id = r.id AND j.device_id = ANY($1))
         ORDER BY r.id`,
      [ids],
    );
  }

  /** Events of the devices a rollout addressed (not SKIPPED), split by whether they name its model: count, mean energy and latency. */
  rolloutEventSides(
    rolloutId: number,
    model: string,
    version: string,
  ): Promise<Array<{ after: boolean; n: string; uj: string | null; lat: string | null }>> {
    return this.m.query(
      `SELECT (e.model_id = $2 AND e.model_version = $3) AS after, count(*) AS n, avg(e.energy_uj) AS uj, avg(e.latency_us) AS lat
         FROM device_events e WHERE e.device_id IN (SELECT device_id FROM ota_jobs WHERE rollout_id = $1 AND state <> 'SKIPPED') AND e.model_id IS NOT NULL
         GROUP BY 1`,
      [rolloutId, model, version],
    );
  }

  /**
   * The devices a rollout addressed. Not its SKIPPED jobs: a rollout that admitted nobody compared the
   * events of every other stream's model with its own ("soil-dryout: energy per inference 2,861 → 28.4 µJ,
   * -99 %" for a rollout that updated no device).
   */
  async rolloutDeviceIds(rolloutId: number): Promise<string[]> {
    const rows: Array<{ device_id: string }> = await this.m.query(
      `SELECT DISTINCT device_id FROM ota_jobs WHERE rollout_id = $1 AND state <> 'SKIPPED'`,
      [rolloutId],
    );
    return rows.map((r) => r.device_id);
  }
}
