import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { sumSignals, type WindowSignals } from '@tinyfleet/drift';
import type { InferenceSummaryV1 } from '@tinyfleet/wire';
import { EntityManager } from 'typeorm';
import { slotModelJoin } from '../devices/device-slots.sql';

/** Who is compared with whom: a model version on one kind of device and input. */
export interface Cohort {
  modelId: string;
  modelVersion: string;
  stream: string;
  mcu: string;
  radio: string;
}

export interface CohortSpan extends Cohort {
  firstMs: number;
  lastMs: number;
}

/** A window's signals summed over a set of summaries, and how many devices sent them. */
export interface SummedWindow {
  signals: WindowSignals | null;
  devices: number;
}

/**
 * One row per model of each summary, named from the device's last status and placed in the
 * device's cohort (stream, MCU, radio) as it stands at ingest. A re-delivered summary conflicts on
 * (device, boot, seq, tag) and stores nothing; summaries of unknown devices are dropped by the join.
 */
const INSERT_SUMMARIES_SQL = `
INSERT INTO inference_summaries (device_id, boot_id, seq, model_tag, device_time, window_ms, margin_q, model_id, model_version,
  sensor_stream, mcu_profile, radio_profile, inferences, low_margin, class_counts, score_histogram, input_count, input_sum, input_sum_squares)
SELECT v.device_id, v.boot_id, v.seq, v.model_tag, to_timestamp(v.ts_ms / 1000.0), v.window_ms, v.margin_q, m.model_id, m.model_version,
  d.sensor_stream, d.mcu_profile, d.radio_profile, v.inferences, v.low_margin,
  ARRAY(SELECT jsonb_array_elements_text(v.class_counts)::bigint),
  ARRAY(SELECT jsonb_array_elements_text(v.score_histogram)::bigint),
  ARRAY(SELECT (e->>0)::float8 FROM jsonb_array_elements(v.input_stats) e),
  ARRAY(SELECT (e->>1)::float8 FROM jsonb_array_elements(v.input_stats) e),
  ARRAY(SELECT (e->>2)::float8 FROM jsonb_array_elements(v.input_stats) e)
FROM jsonb_to_recordset($1::jsonb) AS v(device_id text, boot_id bigint, seq bigint, model_tag bigint, ts_ms bigint,
  window_ms bigint, margin_q smallint, inferences bigint, low_margin bigint, class_counts jsonb, score_histogram jsonb, input_stats jsonb)
JOIN devices d ON d.id = v.device_id
${slotModelJoin('v.model_tag')}
ON CONFLICT (device_id, boot_id, seq, model_tag) DO NOTHING`;

interface SignalRow {
  device_id: string;
  inferences: string;
  low_margin: string;
  class_counts: string[];
  score_histogram: string[];
  input_count: number[];
  input_sum: number[];
  input_sum_squares: number[];
}

const SIGNAL_COLUMNS =
  'device_id, inferences, low_margin, class_counts, score_histogram, input_count, input_sum, input_sum_squares';

/** inference_summaries: the devices' up/summary windows, and the cohort windows read from them. */
@Injectable()
export class InferenceSummariesRepository {
  constructor(@InjectEntityManager() private readonly m: EntityManager) {}

  async insertBatch(rows: Array<{ deviceId: string; summary: InferenceSummaryV1 }>): Promise<void> {
    const values = rows.flatMap(({ deviceId, summary: s }) =>
      s.models.map((m) => ({
        device_id: deviceId,
        boot_id: s.bootId,
        seq: s.seq,
        model_tag: m.modelTag,
        ts_ms: s.timestampMs,
        window_ms: s.windowMs,
        margin_q: s.marginQ,
        inferences: m.inferences,
        low_margin: m.lowMargin,
        class_counts: m.classCounts,
        score_histogram: m.scoreHistogram,
        input_stats: m.inputStats.map((c) => [c.count, c.sum, c.sumSquares]),
      })),
    );
    if (values.length > 0) await this.m.query(INSERT_SUMMARIES_SQL, [JSON.stringify(values)]);
  }

  /** Every cohort with named summaries, and the device-time span they cover. */
  async cohorts(): Promise<CohortSpan[]> {
    const rows: Array<Record<string, string | number>> = await this.m.query(
      `SELECT model_id, model_version, sensor_stream, mcu_profile, radio_profile,
              (extract(epoch FROM min(device_time)) * 1000)::float8 AS first_ms,
              (extract(epoch FROM max(device_time)) * 1000)::float8 AS last_ms
       FROM inference_summaries WHERE model_id IS NOT NULL AND model_version IS NOT NULL
       GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
    );
    return rows.map((r) => ({
      modelId: String(r.model_id),
      modelVersion: String(r.model_version),
      stream: String(r.sensor_stream),
      mcu: String(r.mcu_profile),
      radio: String(r.radio_profile),
      firstMs: Number(r.first_ms),
      lastMs: Number(r.last_ms),
    }));
  }

  /**
   * The cohort's summaries whose device time is in (fromMs, toMs], summed. Summed here rather than
   * in SQL: a window is devices × status intervals rows (a few thousand), and the arrays' lengths
   * are the model's.
   */
  async cohortWindow(c: Cohort, fromMs: number, toMs: number): Promise<SummedWindow> {
    const rows: SignalRow[] = await this.m.query(
      `SELECT ${SIGNAL_COLUMNS} FROM inference_summaries
       WHERE model_id = $1 AND model_version = $2 AND sensor_stream = $3 AND mcu_profile = $4 AND radio_profile = $5
         AND device_time > $6 AND device_time <= $7`,
      [c.modelId, c.modelVersion, c.stream, c.mcu, c.radio, new Date(fromMs), new Date(toMs)],
    );
    return summed(rows);
  }

  /**
   * What these devices' summaries of these model tags add up to over (since, now] on the platform
   * clock (rollout gates: group start times are platform times). `tags` per device: the model each
   * device is judged on.
   */
  async devicesWindow(tagByDevice: ReadonlyMap<string, number>, since: Date, now: Date): Promise<SummedWindow> {
    return summed(await this.deviceRows(tagByDevice, since, now));
  }

  /**
   * devicesWindow in two parts, in order of arrival: the first summaries until they hold
   * `firstInferences` (null while fewer arrived) and every summary after them.
   */
  async devicesWindowSplit(
    tagByDevice: ReadonlyMap<string, number>,
    since: Date,
    now: Date,
    firstInferences: number,
  ): Promise<{ first: SummedWindow | null; after: SummedWindow }> {
    const rows = await this.deviceRows(tagByDevice, since, now);
    let inferences = 0;
    let k = 0;
    while (k < rows.length && inferences < firstInferences) inferences += Number(rows[k++]!.inferences);
    if (inferences < firstInferences) return { first: null, after: summed([]) };
    return { first: summed(rows.slice(0, k)), after: summed(rows.slice(k)) };
  }

  private deviceRows(tagByDevice: ReadonlyMap<string, number>, since: Date, now: Date): Promise<SignalRow[]> {
    if (tagByDevice.size === 0) return Promise.resolve([]);
    return this.m.query(
      `SELECT ${SIGNAL_COLUMNS} FROM inference_summaries s
       JOIN unnest($1::text[], $2::bigint[]) AS t(device_id, model_tag) USING (device_id, model_tag)
       WHERE s.received_at > $3 AND s.received_at <= $4
       ORDER BY s.received_at, s.device_id, s.boot_id, s.seq`,
      [[...tagByDevice.keys()], [...tagByDevice.values()], since, now],
    );
  }

  /** manifest.monitoring of a registered model version, if it shipped one. */
  async manifestReference(modelId: string, modelVersion: string): Promise<ManifestReference | null> {
    const rows: Array<{ monitoring: ManifestReference | null }> = await this.m.query(
      `SELECT manifest->'monitoring' AS monitoring FROM model_artifacts WHERE name = $1 AND version = $2`,
      [modelId, modelVersion],
    );
    return rows[0]?.monitoring ?? null;
  }

  async manifestReferenceBySha256(sha256: string): Promise<ManifestReference | null> {
    const rows: Array<{ monitoring: ManifestReference | null }> = await this.m.query(
      `SELECT manifest->'monitoring' AS monitoring FROM model_artifacts WHERE sha256 = $1`,
      [sha256],
    );
    return rows[0]?.monitoring ?? null;
  }
}

export interface ManifestReference {
  marginQ: number;
  reference: WindowSignals;
  source: string;
}

function summed(rows: SignalRow[]): SummedWindow {
  const windows: WindowSignals[] = rows.map((r) => ({
    inferences: Number(r.inferences),
    classCounts: r.class_counts.map(Number),
    scoreHistogram: r.score_histogram.map(Number),
    lowMargin: Number(r.low_margin),
    inputStats: r.input_count.map((count, k) => ({
      count,
      sum: r.input_sum[k]!,
      sumSquares: r.input_sum_squares[k]!,
    })),
  }));
  return { signals: sumSignals(windows), devices: new Set(rows.map((r) => r.device_id)).size };
}
