import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { EntityManager } from 'typeorm';
import type { Cohort } from './inference-summaries.repository';

export interface VerdictRecord extends Cohort {
  windowStartMs: number;
  windowEndMs: number;
  evaluatedAt: Date;
  verdict: 'drift' | 'stable' | 'insufficient-data';
  referenceSource: string;
  devices: number;
  inferences: number;
  classMixPsi: number | null;
  scoreJsBits: number | null;
  maxInputShiftSd: number | null;
  lowMarginRate: number | null;
  reasons: string[];
}

export interface VerdictQuery {
  modelId?: string;
  modelVersion?: string;
  stream?: string;
  mcu?: string;
  radio?: string;
  /** Window ends after this (unix ms). */
  sinceMs?: number;
  /** Window ends before this (unix ms, exclusive). */
  untilMs?: number;
}

const COHORT_COLUMNS = ['model_id', 'model_version', 'sensor_stream', 'mcu_profile', 'radio_profile'] as const;

/** drift_verdicts: one row per cohort and window end; writing a window twice keeps the first. */
@Injectable()
export class DriftVerdictsRepository {
  constructor(@InjectEntityManager() private readonly m: EntityManager) {}

  async insert(rows: readonly VerdictRecord[]): Promise<void> {
    if (rows.length === 0) return;
    await this.m.query(
      `INSERT INTO drift_verdicts (model_id, model_version, sensor_stream, mcu_profile, radio_profile, window_start, window_end,
         evaluated_at, verdict, reference_source, devices, inferences, class_mix_psi, score_js_bits, max_input_shift_sd,
         low_margin_rate, reasons)
       SELECT v.model_id, v.model_version, v.sensor_stream, v.mcu_profile, v.radio_profile,
         to_timestamp(v.window_start_ms / 1000.0), to_timestamp(v.window_end_ms / 1000.0), v.evaluated_at, v.verdict,
         v.reference_source, v.devices, v.inferences, v.class_mix_psi, v.score_js_bits, v.max_input_shift_sd,
         v.low_margin_rate, ARRAY(SELECT jsonb_array_elements_text(v.reasons))
       FROM jsonb_to_recordset($1::jsonb) AS v(model_id text, model_version text, sensor_stream text, mcu_profile text,
         radio_profile text, window_start_ms bigint, window_end_ms bigint, evaluated_at timestamptz, verdict text,
         reference_source text, devices integer, inferences bigint, class_mix_psi float8, score_js_bits float8,
         max_input_shift_sd float8, low_margin_rate float8, reasons jsonb)
       ON CONFLICT (model_id, model_version, sensor_stream, mcu_profile, radio_profile, window_end) DO NOTHING`,
      [
        JSON.stringify(
          rows.map((r) => ({
            model_id: r.modelId,
            model_version: r.modelVersion,
            sensor_stream: r.stream,
            mcu_profile: r.mcu,
            radio_profile: r.radio,
            window_start_ms: r.windowStartMs,
            window_end_ms: r.windowEndMs,
            evaluated_at: r.evaluatedAt.toISOString(),
            verdict: r.verdict,
            reference_source: r.referenceSource,
            devices: r.devices,
            inferences: r.inferences,
            class_mix_psi: finiteOrNull(r.classMixPsi),
            score_js_bits: finiteOrNull(r.scoreJsBits),
            max_input_shift_sd: finiteOrNull(r.maxInputShiftSd),
            low_margin_rate: finiteOrNull(r.lowMarginRate),
            reasons: r.reasons,
          })),
        ),
      ],
    );
  }

  /** The last window end judged for the cohort, unix ms; null before the first verdict. */
  async lastWindowEnd(c: Cohort): Promise<number | null> {
    const rows: Array<{ end_ms: number | null }> = await this.m.query(
      `SELECT (extract(epoch FROM max(window_end)) * 1000)::float8 AS end_ms FROM drift_verdicts
       WHERE model_id = $1 AND model_version = $2 AND sensor_stream = $3 AND mcu_profile = $4 AND radio_profile = $5`,
      [c.modelId, c.modelVersion, c.stream, c.mcu, c.radio],
    );
    return rows[0]?.end_ms ?? null;
  }

  /** Each cohort's latest verdict. */
  latest(q: VerdictQuery = {}): Promise<VerdictRecord[]> {
    return this.history(q, 10_000, true);
  }

  /** Verdicts in window-end order, filtered by any part of the cohort (`latestOnly`: one per cohort). */
  async history(q: VerdictQuery, limit = 10_000, latestOnly = false): Promise<VerdictRecord[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    const filters = [q.modelId, q.modelVersion, q.stream, q.mcu, q.radio];
    filters.forEach((value, i) => {
      if (value === undefined) return;
      params.push(value);
      where.push(`${COHORT_COLUMNS[i]} = $${params.length}`);
    });
    if (q.sinceMs !== undefined) {
      params.push(new Date(q.sinceMs));
      where.push(`window_end > $${params.length}`);
    }
    if (q.untilMs !== undefined) {
      params.push(new Date(q.untilMs));
      where.push(`window_end < $${params.length}`);
    }
    params.push(limit);
    const cohort = COHORT_COLUMNS.join(', ');
    const rows: Array<Record<string, unknown>> = await this.m.query(
      `SELECT ${latestOnly ? `DISTINCT ON (${cohort})` : ''} model_id, model_version, sensor_stream, mcu_profile, radio_profile,
              (extract(epoch FROM window_start) * 1000)::float8 AS window_start_ms,
              (extract(epoch FROM window_end) * 1000)::float8 AS window_end_ms,
              evaluated_at, verdict, reference_source, devices, inferences::float8 AS inferences, class_mix_psi,
              score_js_bits, max_input_shift_sd, low_margin_rate, reasons
       FROM drift_verdicts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY ${latestOnly ? `${cohort}, window_end DESC` : `window_end DESC, ${cohort}`} LIMIT $${params.length}`,
      params,
    );
    return rows.reverse().map(toRecord);
  }

  /**
   * Per cohort of these model versions (by sha256) that holds one of these devices (by its stream,
   * MCU and radio now), the latest verdict that judged something (not `insufficient-data`: a cohort
   * whose devices all moved to another model stops with thin windows).
   */
  async latestJudged(sha256s: readonly string[], deviceIds: readonly string[]): Promise<VerdictRecord[]> {
    if (sha256s.length === 0 || deviceIds.length === 0) return [];
    const cohort = COHORT_COLUMNS.map((c) => `v.${c}`).join(', ');
    const rows: Array<Record<string, unknown>> = await this.m.query(
      `SELECT DISTINCT ON (${cohort}) ${cohort},
              (extract(epoch FROM v.window_start) * 1000)::float8 AS window_start_ms,
              (extract(epoch FROM v.window_end) * 1000)::float8 AS window_end_ms,
              v.evaluated_at, v.verdict, v.reference_source, v.devices, v.inferences::float8 AS inferences,
              v.class_mix_psi, v.score_js_bits, v.max_input_shift_sd, v.low_margin_rate, v.reasons
       FROM drift_verdicts v
       JOIN model_artifacts a ON a.name = v.model_id AND a.version = v.model_version
       WHERE a.sha256 = ANY($1::text[]) AND v.verdict <> 'insufficient-data'
         AND EXISTS (SELECT 1 FROM devices d WHERE d.id = ANY($2::text[]) AND d.sensor_stream = v.sensor_stream
                       AND d.mcu_profile = v.mcu_profile AND d.radio_profile = v.radio_profile)
       ORDER BY ${cohort}, v.window_end DESC`,
      [sha256s, deviceIds],
    );
    return rows.map(toRecord);
  }
}

function toRecord(r: Record<string, unknown>): VerdictRecord {
  return {
    modelId: String(r.model_id),
    modelVersion: String(r.model_version),
    stream: String(r.sensor_stream),
    mcu: String(r.mcu_profile),
    radio: String(r.radio_profile),
    windowStartMs: Number(r.window_start_ms),
    windowEndMs: Number(r.window_end_ms),
    evaluatedAt: new Date(r.evaluated_at as string),
    verdict: r.verdict as VerdictRecord['verdict'],
    referenceSource: String(r.reference_source),
    devices: Number(r.devices),
    inferences: Number(r.inferences),
    classMixPsi: r.class_mix_psi as number | null,
    scoreJsBits: r.score_js_bits as number | null,
    maxInputShiftSd: r.max_input_shift_sd as number | null,
    lowMarginRate: r.low_margin_rate as number | null,
    reasons: r.reasons as string[],
  };
}

/** A PSI of a class that vanished is large but finite; ±Infinity (a zero-variance shift) is stored as null. */
function finiteOrNull(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? x : null;
}
