import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import type { AccuracyReportV1 } from '@tinyfleet/wire';
import { EntityManager } from 'typeorm';
import { slotModelJoin } from '../devices/device-slots.sql';
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

/**
 * One row per model of each report. A re-delivered report conflicts on (device, boot, seq, tag) and
 * stores nothing; reports of unknown devices are dropped by the join; the model tag is resolved
 * against the device's model slots, as for events.
 */
const INSERT_ACCURACY_SQL = `
INSERT INTO accuracy_reports (device_id, boot_id, seq, model_tag, device_time, model_id, model_version, inferences, correct)
SELECT v.device_id, v.boot_id, v.seq, v.model_tag, to_timestamp(v.ts_ms / 1000.0), m.model_id, m.model_version, v.inferences, v.correct
FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[])
  AS v(device_id, boot_id, seq, model_tag, ts_ms, inferences, correct)
JOIN devices d ON d.id = v.device_id
${slotModelJoin('v.model_tag')}
ON CONFLICT (device_id, boot_id, seq, model_tag) DO NOTHING`;

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

/** accuracy_reports: devices' cumulative ground-truth counters per model, and the windows read from them. */
@Injectable()
export class AccuracyReportsRepository {
  constructor(@InjectEntityManager() private readonly m: EntityManager) {}

  async insertBatch(rows: Array<{ deviceId: string; report: AccuracyReportV1 }>): Promise<void> {
    const cols: unknown[][] = [[], [], [], [], [], [], []];
    for (const { deviceId, report: r } of rows) {
      for (const m of r.models) {
        cols[0]!.push(deviceId);
        cols[1]!.push(r.bootId);
        cols[2]!.push(r.seq);
        cols[3]!.push(m.modelTag);
        cols[4]!.push(r.timestampMs);
        cols[5]!.push(m.inferences);
        cols[6]!.push(m.correct);
      }
    }
    if (cols[0]!.length > 0) await this.m.query(INSERT_ACCURACY_SQL, cols);
  }

  /**
   * Per (device, boot, model tag), the latest report before the window start and the latest at or
   * before its end: the only rows the window arithmetic (accuracy-window.ts) reads, so a long history
   * never travels to the platform.
   */
  async samples(q: AccuracySampleQuery): Promise<AccuracySample[]> {
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
    const rows: Row[] = await this.m.query(
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
}
