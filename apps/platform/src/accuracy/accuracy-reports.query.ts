import type { DataSource, EntityManager } from 'typeorm';
import type { AccuracySample } from './accuracy-window';

/** Which clock places a report in time: the platform's (rollout windows) or the device's (energy report ranges). */
export type AccuracyClock = 'received' | 'device';

export interface AccuracySampleQuery {
  deviceIds: readonly string[];
  /** Only these model tags; all when absent. */
  modelTags?: readonly number[];
  clock: AccuracyClock;
  /** Window start, unix ms; null = since each boot. */
  sinceMs: number | null;
  /** Window end (inclusive), unix ms; null = up to the latest report. */
  nowMs: number | null;
}

const COLUMN: Record<AccuracyClock, string> = { received: 'received_at', device: 'device_time' };

interface Row {
  device_id: string;
  boot_id: string;
  model_tag: number;
  seq: number;
  at_ms: number;
  inferences: number;
  correct: number;
  model_id: string | null;
  model_version: string | null;
}

/**
 * Per (device, boot, model tag), the latest report before the window start and the latest at or
 * before its end: the only rows the window arithmetic (accuracy-window.ts) reads, so a long history
 * never travels to the platform.
 */
export async function readAccuracySamples(
  db: DataSource | EntityManager,
  q: AccuracySampleQuery,
): Promise<AccuracySample[]> {
  if (q.deviceIds.length === 0 || q.modelTags?.length === 0) return [];
  const at = COLUMN[q.clock];
  const params: unknown[] = [q.deviceIds];
  const where = ['device_id = ANY($1)'];
  if (q.modelTags) {
    params.push(q.modelTags);
    where.push(`model_tag = ANY($${params.length}::bigint[])`);
  }
  if (q.nowMs !== null) {
    params.push(new Date(q.nowMs));
    where.push(`${at} <= $${params.length}`);
  }
  // With a window start each series yields two rows: its latest before the start, and its latest from the start on.
  const series = ['device_id', 'boot_id', 'model_tag'];
  if (q.sinceMs !== null) {
    params.push(new Date(q.sinceMs));
    series.push(`(${at} < $${params.length})`);
  }
  const rows: Row[] = await db.query(
    `SELECT DISTINCT ON (${series.join(', ')})
            device_id, boot_id::text AS boot_id, model_tag::float8 AS model_tag, seq::float8 AS seq,
            (extract(epoch FROM ${at}) * 1000)::float8 AS at_ms, inferences::float8 AS inferences, correct::float8 AS correct,
            model_id, model_version
     FROM accuracy_reports WHERE ${where.join(' AND ')}
     ORDER BY ${series.join(', ')}, seq DESC`,
    params,
  );
  return rows.map((r) => ({
    deviceId: r.device_id,
    bootId: r.boot_id,
    modelTag: r.model_tag,
    seq: r.seq,
    atMs: r.at_ms,
    inferences: r.inferences,
    correct: r.correct,
    modelId: r.model_id,
    modelVersion: r.model_version,
  }));
}
