import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  decodeEvidenceChunkV1,
  decodeEvidenceStatusV1,
  EVIDENCE_MAX_CHUNK_BYTES,
  splitEvidenceWindow,
  WireError,
  type EvidenceChunkV1,
  type EvidenceStatusV1,
} from '@tinyfleet/wire';
import { Counter } from 'prom-client';
import { UplinkRouter } from '../broker/uplink-router.service';
import { MetricsService } from '../metrics/metrics.service';
import { evidenceSignatureValid } from './evidence-key';
import { EvidenceUploadsRepository } from './evidence-uploads.repository';
import { exceedsRequest, mayMove, takesChunks } from './evidence-states';

/** Why an evidence uplink was refused (label of `tinyfleet_evidence_refused_total`, rows of evidence_refusals). */
export const EVIDENCE_REFUSALS = [
  'unknown-request',
  'not-accepted',
  'over-request',
  'chunk-layout',
  'malformed-window',
  'window-mismatch',
  'no-key',
  'bad-signature',
] as const;
export type EvidenceRefusal = (typeof EVIDENCE_REFUSALS)[number];

const DAY_MS = 86_400_000;

/**
 * up/evidence and up/evidence-status. A chunk is stored as it comes (a repeat changes nothing); the
 * chunk that completes a window has its blob taken apart, matched against the request, and its
 * HMAC checked with the device's evidence key, all in the transaction that holds the (request,
 * device) row. A window that fails any check is refused by reason, counted, and leaves nothing
 * behind; the device's upload is still acknowledged, since sending the same bytes again cannot help.
 */
@Injectable()
export class EvidenceIngestService implements OnModuleInit {
  private readonly log = new Logger(EvidenceIngestService.name);
  private readonly refused: Counter<'reason'>;
  private readonly stored: Counter;
  private readonly storedBytes: Counter;

  constructor(
    private readonly repo: EvidenceUploadsRepository,
    private readonly router: UplinkRouter,
    metrics: MetricsService,
  ) {
    this.refused = new Counter({
      name: 'tinyfleet_evidence_refused_total',
      help: 'Evidence uplinks refused, by reason (nothing stored)',
      labelNames: ['reason'],
      registers: [metrics.registry],
    });
    this.stored = new Counter({
      name: 'tinyfleet_evidence_windows_total',
      help: 'Evidence windows verified and stored',
      registers: [metrics.registry],
    });
    this.storedBytes = new Counter({
      name: 'tinyfleet_evidence_bytes_total',
      help: 'Window-blob bytes of the evidence windows stored',
      registers: [metrics.registry],
    });
  }

  onModuleInit(): void {
    this.router.registerHandler('evidence', async (deviceId, payload) => {
      await this.onChunk(deviceId, decodeEvidenceChunkV1(payload));
    });
    this.router.registerHandler('evidence-status', (deviceId, payload) =>
      this.onStatus(deviceId, decodeEvidenceStatusV1(payload)),
    );
  }

  /** Resolves to what happened: 'partial', 'stored', 'duplicate' or the refusal. */
  async onChunk(deviceId: string, c: EvidenceChunkV1): Promise<'partial' | 'stored' | 'duplicate' | EvidenceRefusal> {
    const outcome = await this.repo.transaction(async (tx) => {
      const row = await tx.lockRequestDevice(c.requestId, deviceId);
      if (!row) return 'unknown-request';
      if (!takesChunks(row.state)) return 'not-accepted';
      // Checked before storing: chunks of a window the request never asked for are not kept either.
      if (exceedsRequest(row, row.receivedBytes, c.windowIndex)) return 'over-request';
      // Fixed-size chunks (all but the last of a window carry exactly EVIDENCE_MAX_CHUNK_BYTES), so a
      // window is complete when it has ceil(total / size) distinct offsets, and no two can overlap.
      const last = c.offset + c.data.length === c.totalBytes;
      if (c.offset % EVIDENCE_MAX_CHUNK_BYTES !== 0 || (!last && c.data.length !== EVIDENCE_MAX_CHUNK_BYTES))
        return 'chunk-layout';
      if (await tx.windowStored(c.requestId, deviceId, c.windowIndex)) return 'duplicate';
      const chunks = await tx.addChunk({ ...c, deviceId });
      if (chunks.some((k) => k.totalBytes !== c.totalBytes)) {
        await tx.dropChunks(c.requestId, deviceId, c.windowIndex);
        return 'chunk-layout';
      }
      if (chunks.length < Math.ceil(c.totalBytes / EVIDENCE_MAX_CHUNK_BYTES)) return 'partial';
      await tx.dropChunks(c.requestId, deviceId, c.windowIndex);
      const blob = Buffer.concat(chunks.map((k) => k.data));
      let parts;
      try {
        parts = splitEvidenceWindow(new Uint8Array(blob));
      } catch (err) {
        if (err instanceof WireError) return 'malformed-window';
        throw err;
      }
      const h = parts.header;
      if (h.requestId !== c.requestId || h.windowIndex !== c.windowIndex || h.modelTag !== row.modelTag)
        return 'window-mismatch';
      const key = await tx.deviceKey(deviceId);
      if (!key) return 'no-key';
      if (!evidenceSignatureValid(key, parts.signedBytes, parts.signature)) return 'bad-signature';
      if (exceedsRequest(row, row.receivedBytes, c.windowIndex, blob.length)) return 'over-request';
      await tx.insertWindow(
        {
          requestId: c.requestId,
          deviceId,
          windowIndex: c.windowIndex,
          modelTag: h.modelTag,
          deviceTimeMs: h.timestampMs,
          label: h.label,
          scoreQ: h.scoreQ,
          marginQ: h.marginQ,
          format: h.format,
          samples: h.samples,
          valuesPerSample: h.valuesPerSample,
          imageWidth: h.imageWidth,
          data: parts.data,
          blobBytes: blob.length,
        },
        new Date(Date.now() + row.retentionDays * DAY_MS),
      );
      this.stored.inc();
      this.storedBytes.inc(blob.length);
      return 'stored';
    });
    if (outcome !== 'partial' && outcome !== 'stored' && outcome !== 'duplicate') await this.refuse(deviceId, outcome);
    return outcome;
  }

  async onStatus(deviceId: string, s: EvidenceStatusV1): Promise<void> {
    const outcome = await this.repo.transaction(async (tx) => {
      const row = await tx.lockRequestDevice(s.requestId, deviceId);
      if (!row) return 'unknown-request' as const;
      if (!mayMove(row.state, s.state)) return 'ignored' as const;
      await tx.updateRequestDevice(s.requestId, deviceId, {
        state: s.state,
        reason: s.reason === 'none' ? null : s.reason,
        windowCount: s.windowCount,
        plannedBytes: s.plannedBytes,
      });
      return 'moved' as const;
    });
    if (outcome === 'unknown-request') await this.refuse(deviceId, outcome);
  }

  private async refuse(deviceId: string, reason: EvidenceRefusal): Promise<void> {
    this.refused.inc({ reason });
    this.log.warn(`evidence from ${deviceId} refused: ${reason}`);
    await this.repo.countRefusal(deviceId, reason);
  }
}
