import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import type { ArtifactManifest } from '@tinyfleet/artifact';
import type { EvidenceSampleFormat, EvidenceSelector } from '@tinyfleet/wire';
import { EntityManager } from 'typeorm';
import type { EvidenceDeviceState } from './evidence-states';
import type { StoredWindow } from './evidence-uploads.repository';

export interface CohortFilter {
  modelTag: number;
  stream?: string;
  mcu?: string;
  tag?: string;
  deviceIds?: string[];
}

export interface NewRequest {
  modelTag: number;
  selector: EvidenceSelector;
  label: number;
  marginQ: number;
  maxWindows: number;
  maxBytes: number;
  dailyBudgetBytes: number | null;
  deadline: Date;
  retentionDays: number;
  cohort: CohortFilter;
}

export interface RequestRow extends NewRequest {
  id: number;
  createdAt: Date;
}

export interface RequestDeviceRow {
  deviceId: string;
  state: EvidenceDeviceState;
  reason: string | null;
  windowCount: number;
  plannedBytes: number;
  receivedBytes: number;
  windowsStored: number;
  updatedAt: Date;
}

export interface CohortDevice {
  id: string;
  /** Device clock minus platform clock at its last status, ms (0 when it never sent one). */
  clockOffsetMs: number;
}

export interface WindowRow extends Omit<StoredWindow, 'data'> {
  id: number;
  receivedAt: Date;
  expiresAt: Date;
  operatorLabel: string | null;
  labelledAt: Date | null;
}

export interface WindowQuery {
  requestId?: number;
  deviceId?: string;
  modelTag?: number;
  labelled?: boolean;
  limit: number;
}

const WINDOW_COLUMNS = `w.id::float8 AS id, w.request_id::float8 AS request_id, w.device_id, w.window_index,
  w.model_tag::float8 AS model_tag, (extract(epoch FROM w.device_time) * 1000)::float8 AS device_time_ms, w.label,
  w.score_q, w.margin_q, w.format, w.samples, w.values_per_sample, w.image_width, w.blob_bytes, w.received_at,
  w.expires_at, w.operator_label, w.labelled_at`;

interface RawWindow {
  id: number;
  request_id: number;
  device_id: string;
  window_index: number;
  model_tag: number;
  device_time_ms: number;
  label: number;
  score_q: number;
  margin_q: number;
  format: EvidenceSampleFormat;
  samples: number;
  values_per_sample: number;
  image_width: number;
  blob_bytes: number;
  received_at: Date;
  expires_at: Date;
  operator_label: string | null;
  labelled_at: Date | null;
  data?: Buffer;
}

function windowOf(r: RawWindow): WindowRow {
  return {
    id: r.id,
    requestId: r.request_id,
    deviceId: r.device_id,
    windowIndex: r.window_index,
    modelTag: r.model_tag,
    deviceTimeMs: r.device_time_ms,
    label: r.label,
    scoreQ: r.score_q,
    marginQ: r.margin_q,
    format: r.format,
    samples: r.samples,
    valuesPerSample: r.values_per_sample,
    imageWidth: r.image_width,
    blobBytes: r.blob_bytes,
    receivedAt: r.received_at,
    expiresAt: r.expires_at,
    operatorLabel: r.operator_label,
    labelledAt: r.labelled_at,
  };
}

/**
 * The evidence feature's tables (migration 1796000400000) as the operator API and retention see
 * them: requests and their cohorts, stored windows and their labels, refusal counts, the sweep.
 * What device uploads write is EvidenceUploadsRepository's.
 */
@Injectable()
export class EvidenceRepository {
  constructor(@InjectEntityManager() private readonly m: EntityManager) {}

  /** ACTIVE devices that run (or hold in their other slot) the model, narrowed by the filter. */
  async cohort(f: CohortFilter): Promise<CohortDevice[]> {
    const rows: { id: string; offset_ms: number | null }[] = await this.m.query(
      `SELECT id, (status_device_ms - extract(epoch FROM last_status_at) * 1000)::float8 AS offset_ms
       FROM devices
       WHERE lifecycle = 'ACTIVE' AND (active_model_tag = $1 OR inactive_model_tag = $1)
         AND ($2::text IS NULL OR sensor_stream = $2) AND ($3::text IS NULL OR mcu_profile = $3)
         AND ($4::text IS NULL OR $4 = ANY(tags)) AND ($5::text[] IS NULL OR id = ANY($5))
       ORDER BY id`,
      [f.modelTag, f.stream ?? null, f.mcu ?? null, f.tag ?? null, f.deviceIds ?? null],
    );
    return rows.map((r) => ({ id: r.id, clockOffsetMs: Math.round(r.offset_ms ?? 0) }));
  }

  async insertRequest(r: NewRequest, deviceIds: string[]): Promise<number> {
    const [row]: { id: number }[] = await this.m.query(
      `INSERT INTO evidence_requests (model_tag, selector, label, margin_q, max_windows, max_bytes, daily_budget_bytes,
         deadline, retention_days, cohort)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb) RETURNING id::float8 AS id`,
      [
        r.modelTag,
        r.selector,
        r.label,
        r.marginQ,
        r.maxWindows,
        r.maxBytes,
        r.dailyBudgetBytes,
        r.deadline,
        r.retentionDays,
        JSON.stringify(r.cohort),
      ],
    );
    await this.m.query(
      `INSERT INTO evidence_request_devices (request_id, device_id, state) SELECT $1, unnest($2::text[]), 'requested'`,
      [row!.id, deviceIds],
    );
    return row!.id;
  }

  async findRequest(id: number): Promise<RequestRow | null> {
    const rows: Record<string, unknown>[] = await this.m.query(
      `SELECT id::float8 AS id, model_tag::float8 AS model_tag, selector, label, margin_q, max_windows,
              max_bytes::float8 AS max_bytes, daily_budget_bytes::float8 AS daily_budget_bytes, deadline,
              retention_days, cohort, created_at
       FROM evidence_requests WHERE id = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id as number,
      modelTag: r.model_tag as number,
      selector: r.selector as EvidenceSelector,
      label: r.label as number,
      marginQ: r.margin_q as number,
      maxWindows: r.max_windows as number,
      maxBytes: r.max_bytes as number,
      dailyBudgetBytes: r.daily_budget_bytes as number | null,
      deadline: r.deadline as Date,
      retentionDays: r.retention_days as number,
      cohort: r.cohort as CohortFilter,
      createdAt: r.created_at as Date,
    };
  }

  async listRequests(limit: number): Promise<RequestRow[]> {
    const ids: { id: number }[] = await this.m.query(
      `SELECT id::float8 AS id FROM evidence_requests ORDER BY created_at DESC, id DESC LIMIT $1`,
      [limit],
    );
    const out: RequestRow[] = [];
    for (const { id } of ids) out.push((await this.findRequest(id))!);
    return out;
  }

  async requestDevices(requestId: number): Promise<RequestDeviceRow[]> {
    const rows: Record<string, unknown>[] = await this.m.query(
      `SELECT d.device_id, d.state, d.reason, d.window_count, d.planned_bytes::float8 AS planned_bytes,
              d.received_bytes::float8 AS received_bytes, d.updated_at,
              (SELECT count(*)::int FROM evidence_windows w WHERE w.request_id = d.request_id AND w.device_id = d.device_id) AS stored
       FROM evidence_request_devices d WHERE d.request_id = $1 ORDER BY d.device_id`,
      [requestId],
    );
    return rows.map((r) => ({
      deviceId: r.device_id as string,
      state: r.state as EvidenceDeviceState,
      reason: r.reason as string | null,
      windowCount: r.window_count as number,
      plannedBytes: r.planned_bytes as number,
      receivedBytes: r.received_bytes as number,
      windowsStored: r.stored as number,
      updatedAt: r.updated_at as Date,
    }));
  }

  async refusals(): Promise<{ deviceId: string; reason: string; count: number }[]> {
    const rows: { device_id: string; reason: string; count: number }[] = await this.m.query(
      `SELECT device_id, reason, count::float8 AS count FROM evidence_refusals ORDER BY device_id, reason`,
    );
    return rows.map((r) => ({ deviceId: r.device_id, reason: r.reason, count: r.count }));
  }

  async listWindows(q: WindowQuery): Promise<WindowRow[]> {
    const rows: RawWindow[] = await this.m.query(
      `SELECT ${WINDOW_COLUMNS} FROM evidence_windows w
       WHERE ($1::bigint IS NULL OR w.request_id = $1) AND ($2::text IS NULL OR w.device_id = $2)
         AND ($3::bigint IS NULL OR w.model_tag = $3)
         AND ($4::boolean IS NULL OR (w.operator_label IS NOT NULL) = $4)
       ORDER BY w.received_at DESC, w.id DESC LIMIT $5`,
      [q.requestId ?? null, q.deviceId ?? null, q.modelTag ?? null, q.labelled ?? null, q.limit],
    );
    return rows.map(windowOf);
  }

  async findWindow(id: number): Promise<(WindowRow & { data: Buffer }) | null> {
    const rows: RawWindow[] = await this.m.query(
      `SELECT ${WINDOW_COLUMNS}, w.data FROM evidence_windows w WHERE w.id = $1`,
      [id],
    );
    const r = rows[0];
    return r ? { ...windowOf(r), data: r.data! } : null;
  }

  /** Labelled windows with their data, oldest first (the export). */
  async labelledWindows(q: Omit<WindowQuery, 'labelled'>): Promise<(WindowRow & { data: Buffer })[]> {
    const rows: RawWindow[] = await this.m.query(
      `SELECT ${WINDOW_COLUMNS}, w.data FROM evidence_windows w
       WHERE w.operator_label IS NOT NULL AND ($1::bigint IS NULL OR w.request_id = $1)
         AND ($2::text IS NULL OR w.device_id = $2) AND ($3::bigint IS NULL OR w.model_tag = $3)
       ORDER BY w.id LIMIT $4`,
      [q.requestId ?? null, q.deviceId ?? null, q.modelTag ?? null, q.limit],
    );
    return rows.map((r) => ({ ...windowOf(r), data: r.data! }));
  }

  /** False when there is no such window. */
  async setLabel(id: number, label: string | null): Promise<boolean> {
    const [rows]: [unknown[], number] = await this.m.query(
      `UPDATE evidence_windows SET operator_label = $2, labelled_at = CASE WHEN $2::text IS NULL THEN NULL ELSE now() END
       WHERE id = $1 RETURNING id`,
      [id, label],
    );
    return rows.length > 0;
  }

  /** Deletes windows past retention and chunks of uploads abandoned for a day; returns how many windows went. */
  async sweep(now: Date): Promise<{ windows: number; chunks: number }> {
    const [w]: [unknown[], number] = await this.m.query(
      `DELETE FROM evidence_windows WHERE expires_at <= $1 RETURNING id`,
      [now],
    );
    const [c]: [unknown[], number] = await this.m.query(
      `DELETE FROM evidence_chunks WHERE received_at <= $1::timestamptz - interval '1 day' RETURNING request_id`,
      [now],
    );
    return { windows: w.length, chunks: c.length };
  }

  /** The newest registered artifact whose sha256 starts with the model tag (its manifest names labels and channels). */
  async manifestForTag(modelTag: number): Promise<ArtifactManifest | null> {
    const rows: { manifest: ArtifactManifest }[] = await this.m.query(
      `SELECT manifest FROM model_artifacts WHERE left(sha256, 8) = $1 ORDER BY id DESC LIMIT 1`,
      [modelTag.toString(16).padStart(8, '0')],
    );
    return rows[0]?.manifest ?? null;
  }

  /** Resolves `name@version` to its model tag; null when not registered. */
  async tagForModel(name: string, version: string): Promise<number | null> {
    const rows: { sha256: string }[] = await this.m.query(
      `SELECT sha256 FROM model_artifacts WHERE name = $1 AND version = $2 ORDER BY id DESC LIMIT 1`,
      [name, version],
    );
    return rows[0] ? parseInt(rows[0].sha256.slice(0, 8), 16) : null;
  }
}
