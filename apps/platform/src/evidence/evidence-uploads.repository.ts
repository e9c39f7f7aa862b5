import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import type { EvidenceSampleFormat } from '@tinyfleet/wire';
import { EntityManager } from 'typeorm';
import type { EvidenceDeviceState } from './evidence-states';

/** What chunk ingest needs of the (request, device) row it holds locked. */
export interface LockedRequestDevice {
  state: EvidenceDeviceState;
  windowCount: number;
  /** Window-blob bytes stored so far for this device and request. */
  receivedBytes: number;
  retentionDays: number;
  modelTag: number;
  maxWindows: number;
  maxBytes: number;
}

export interface StoredWindow {
  requestId: number;
  deviceId: string;
  windowIndex: number;
  modelTag: number;
  deviceTimeMs: number;
  label: number;
  scoreQ: number;
  marginQ: number;
  format: EvidenceSampleFormat;
  samples: number;
  valuesPerSample: number;
  imageWidth: number;
  data: Uint8Array;
  blobBytes: number;
}

/**
 * What evidence ingest writes: the device's chunks, reassembled into windows, its status moves, and
 * the refusals it counts. Reassembly runs in a transaction that first takes `lockRequestDevice`, the
 * (request, device) row's lock, so any number of platform instances can take the chunks of one
 * upload: the last chunk's transaction sees every other chunk. What the operator API reads of the
 * same tables is EvidenceRepository's.
 */
@Injectable()
export class EvidenceUploadsRepository {
  constructor(@InjectEntityManager() private readonly m: EntityManager) {}

  within(tx: EntityManager): EvidenceUploadsRepository {
    return new EvidenceUploadsRepository(tx);
  }

  transaction<T>(work: (repo: EvidenceUploadsRepository) => Promise<T>): Promise<T> {
    return this.m.transaction((tx) => work(this.within(tx)));
  }

  /** Written by DevicesRepository.setEvidenceKey when provisioning issues the secret. */
  async deviceKey(deviceId: string): Promise<Buffer | null> {
    const rows: { key: Buffer }[] = await this.m.query(`SELECT key FROM device_evidence_keys WHERE device_id = $1`, [
      deviceId,
    ]);
    return rows[0]?.key ?? null;
  }

  /** The (request, device) row, locked until the transaction ends; null when the device was not asked. */
  async lockRequestDevice(requestId: number, deviceId: string): Promise<LockedRequestDevice | null> {
    const rows: {
      state: EvidenceDeviceState;
      window_count: number;
      received_bytes: number;
      retention_days: number;
      model_tag: number;
      max_windows: number;
      max_bytes: number;
    }[] = await this.m.query(
      `SELECT d.state, d.window_count, d.received_bytes::float8 AS received_bytes, r.retention_days,
              r.model_tag::float8 AS model_tag, r.max_windows, r.max_bytes::float8 AS max_bytes
       FROM evidence_request_devices d JOIN evidence_requests r ON r.id = d.request_id
       WHERE d.request_id = $1 AND d.device_id = $2 FOR UPDATE OF d`,
      [requestId, deviceId],
    );
    const r = rows[0];
    return r
      ? {
          state: r.state,
          windowCount: r.window_count,
          receivedBytes: r.received_bytes,
          retentionDays: r.retention_days,
          modelTag: r.model_tag,
          maxWindows: r.max_windows,
          maxBytes: r.max_bytes,
        }
      : null;
  }

  async updateRequestDevice(
    requestId: number,
    deviceId: string,
    to: { state: EvidenceDeviceState; reason: string | null; windowCount: number; plannedBytes: number },
  ): Promise<void> {
    await this.m.query(
      `UPDATE evidence_request_devices SET state = $3, reason = $4, window_count = $5, planned_bytes = $6, updated_at = now()
       WHERE request_id = $1 AND device_id = $2`,
      [requestId, deviceId, to.state, to.reason, to.windowCount, to.plannedBytes],
    );
  }

  async windowStored(requestId: number, deviceId: string, windowIndex: number): Promise<boolean> {
    const rows: unknown[] = await this.m.query(
      `SELECT 1 FROM evidence_windows WHERE request_id = $1 AND device_id = $2 AND window_index = $3`,
      [requestId, deviceId, windowIndex],
    );
    return rows.length > 0;
  }

  /** Stores a chunk (a repeated one changes nothing); returns the window's chunks so far, in offset order. */
  async addChunk(c: {
    requestId: number;
    deviceId: string;
    windowIndex: number;
    offset: number;
    totalBytes: number;
    data: Uint8Array;
  }): Promise<{ offset: number; totalBytes: number; data: Buffer }[]> {
    await this.m.query(
      `INSERT INTO evidence_chunks (request_id, device_id, window_index, chunk_offset, total_bytes, data)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [c.requestId, c.deviceId, c.windowIndex, c.offset, c.totalBytes, Buffer.from(c.data)],
    );
    const rows: { chunk_offset: number; total_bytes: number; data: Buffer }[] = await this.m.query(
      `SELECT chunk_offset, total_bytes, data FROM evidence_chunks
       WHERE request_id = $1 AND device_id = $2 AND window_index = $3 ORDER BY chunk_offset`,
      [c.requestId, c.deviceId, c.windowIndex],
    );
    return rows.map((r) => ({ offset: r.chunk_offset, totalBytes: r.total_bytes, data: r.data }));
  }

  async dropChunks(requestId: number, deviceId: string, windowIndex: number): Promise<void> {
    await this.m.query(`DELETE FROM evidence_chunks WHERE request_id = $1 AND device_id = $2 AND window_index = $3`, [
      requestId,
      deviceId,
      windowIndex,
    ]);
  }

  async insertWindow(w: StoredWindow, expiresAt: Date): Promise<void> {
    await this.m.query(
      `INSERT INTO evidence_windows (request_id, device_id, window_index, model_tag, device_time, label, score_q,
         margin_q, format, samples, values_per_sample, image_width, data, blob_bytes, expires_at)
       VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0), $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT ON CONSTRAINT evidence_windows_request_device_index_key DO NOTHING`,
      [
        w.requestId,
        w.deviceId,
        w.windowIndex,
        w.modelTag,
        w.deviceTimeMs,
        w.label,
        w.scoreQ,
        w.marginQ,
        w.format,
        w.samples,
        w.valuesPerSample,
        w.imageWidth,
        Buffer.from(w.data),
        w.blobBytes,
        expiresAt,
      ],
    );
    await this.m.query(
      `UPDATE evidence_request_devices SET received_bytes = received_bytes + $3, updated_at = now()
       WHERE request_id = $1 AND device_id = $2`,
      [w.requestId, w.deviceId, w.blobBytes],
    );
  }

  async countRefusal(deviceId: string, reason: string): Promise<void> {
    await this.m.query(
      `INSERT INTO evidence_refusals (device_id, reason, count) VALUES ($1, $2, 1)
       ON CONFLICT (device_id, reason) DO UPDATE SET count = evidence_refusals.count + 1, last_at = now()`,
      [deviceId, reason],
    );
  }
}
