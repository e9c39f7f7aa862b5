import {
  decodeEvidenceRequestV1,
  encodeEvidenceChunkV1,
  encodeEvidenceStatusV1,
  crc32,
  EVIDENCE_KEY_LABEL,
  EVIDENCE_MAX_CHUNK_BYTES,
  evidenceWindowBlob,
  evidenceWindowSignedBytes,
  type EvidenceReason,
  type EvidenceRequestV1,
  type EvidenceSampleFormat,
  type EvidenceStatusV1,
  WireError,
} from '@tinyfleet/wire';
import { createHmac } from 'node:crypto';

/** Windows a node keeps for evidence: "what the model just saw", not an archive (docs/protocol.md §12.1). */
export const EVIDENCE_RING_WINDOWS = 8;
/** Budget of a sensor node until the operator sets one: 64 KiB of window blobs per UTC day [ASSUME]. */
export const DEFAULT_EVIDENCE_BUDGET_BYTES = 64 * 1024;
const DAY_MS = 86_400_000;
/** Requests whose id the node remembers, so a re-delivered request is not answered twice. */
const ANSWERED_MEMORY = 16;

/** One kept window: the raw values the model read, and what it concluded. Owned by the node. */
export interface KeptWindow {
  modelTag: number;
  timestampMs: number;
  label: number;
  scoreQ: number;
  marginQ: number;
  format: EvidenceSampleFormat;
  samples: number;
  valuesPerSample: number;
  imageWidth: number;
  data: Uint8Array;
}

/** Ring of the last `capacity` windows, newest overwriting oldest; memory is bounded by capacity × window. */
export class EvidenceRing {
  private readonly slots: (KeptWindow | undefined)[];
  private next = 0;

  constructor(readonly capacity = EVIDENCE_RING_WINDOWS) {
    this.slots = new Array<KeptWindow | undefined>(capacity);
  }

  push(window: KeptWindow): void {
    this.slots[this.next] = window;
    this.next = (this.next + 1) % this.capacity;
  }

  newestFirst(): KeptWindow[] {
    const out: KeptWindow[] = [];
    for (let k = 1; k <= this.capacity; k++) {
      const w = this.slots[(this.next - k + this.capacity) % this.capacity];
      if (w) out.push(w);
    }
    return out;
  }

  clear(): void {
    this.slots.fill(undefined);
  }
}

export interface EvidencePort {
  /** Publish one evidence uplink (charged to the ledger by the node). */
  publish(kind: 'evidence' | 'evidence-status', payload: Uint8Array): void;
  /** The device secret the platform issued, or null before registration. */
  deviceSecret(): string | null;
}

export interface EvidenceCounters {
  requests: number;
  accepted: number;
  declined: Partial<Record<EvidenceReason, number>>;
  windowsSent: number;
  blobBytesSent: number;
  chunksSent: number;
}

interface Upload {
  requestId: number;
  deadlineMs: number;
  blobs: Uint8Array[];
  window: number;
  offset: number;
}

/**
 * Answers down/evidence-request (docs/protocol.md §12): keeps a small ring of recent windows while
 * evidence is on, picks the newest that match, signs each window blob with the evidence key and
 * uploads it in chunks, a few per pump so other traffic interleaves, within the request's byte limit,
 * the day's budget and the deadline. A budget of 0 keeps no windows at all.
 */
export class EvidenceAgent {
  readonly ring = new EvidenceRing();
  readonly counters: EvidenceCounters = {
    requests: 0,
    accepted: 0,
    declined: {},
    windowsSent: 0,
    blobBytesSent: 0,
    chunksSent: 0,
  };
  private budgetDay = -1;
  private usedTodayBytes = 0;
  private upload: Upload | null = null;
  private readonly answered: number[] = [];
  private keyFor: { secret: string; key: Buffer } | null = null;

  constructor(
    private readonly port: EvidencePort,
    private dailyBudgetBytes: number,
  ) {}

  get budgetBytesPerDay(): number {
    return this.dailyBudgetBytes;
  }

  /** Whether the node keeps windows (the budget is above 0). */
  get enabled(): boolean {
    return this.dailyBudgetBytes > 0;
  }

  get uploading(): boolean {
    return this.upload !== null;
  }

  /** Keep one window (the caller only builds it when `enabled`). */
  keep(window: KeptWindow): void {
    this.ring.push(window);
  }

  /** A down/evidence-request arrived; `activeTags` are the node's slot model tags. Malformed ones are ignored. */
  onRequest(payload: Uint8Array, nowMs: number, activeTags: readonly number[]): void {
    let r: EvidenceRequestV1;
    try {
      r = decodeEvidenceRequestV1(payload);
    } catch (err) {
      if (err instanceof WireError) return;
      throw err;
    }
    if (this.answered.includes(r.requestId)) return;
    this.answered.push(r.requestId);
    if (this.answered.length > ANSWERED_MEMORY) this.answered.shift();
    this.counters.requests++;
    if (r.dailyBudgetBytes !== null) {
      this.dailyBudgetBytes = r.dailyBudgetBytes;
      if (r.dailyBudgetBytes === 0) this.ring.clear(); // off means no frames kept either
    }
    const left = this.budgetLeft(nowMs);
    const decline = (reason: EvidenceReason) => {
      this.counters.declined[reason] = (this.counters.declined[reason] ?? 0) + 1;
      this.status({
        requestId: r.requestId,
        state: 'declined',
        reason,
        windowCount: 0,
        plannedBytes: 0,
        budgetLeftBytes: left,
      });
    };
    if (nowMs > r.deadlineMs) return decline('expired');
    if (this.dailyBudgetBytes === 0) return decline('disabled');
    if (this.upload) return decline('busy');
    const ofModel = this.ring.newestFirst().filter((w) => w.modelTag === r.modelTag);
    if (ofModel.length === 0 && !activeTags.includes(r.modelTag)) return decline('unknown-model');
    const matching = ofModel.filter((w) =>
      r.selector === 'any' ? true : r.selector === 'class' ? w.label === r.label : w.marginQ < r.marginQ,
    );
    if (matching.length === 0) return decline('no-match');
    const limit = Math.min(r.maxBytes, left);
    const blobs: Uint8Array[] = [];
    let planned = 0;
    for (const w of matching) {
      if (blobs.length === r.maxWindows) break;
      const blob = this.sign(r.requestId, blobs.length, w);
      if (blob === null) return decline('disabled'); // not registered: no key to sign with
      if (planned + blob.length > limit) break;
      blobs.push(blob);
      planned += blob.length;
    }
    if (blobs.length === 0) return decline('budget');
    this.usedTodayBytes += planned;
    this.counters.accepted++;
    this.status({
      requestId: r.requestId,
      state: 'accepted',
      reason: 'none',
      windowCount: blobs.length,
      plannedBytes: planned,
      budgetLeftBytes: left - planned,
    });
    this.upload = { requestId: r.requestId, deadlineMs: r.deadlineMs, blobs, window: 0, offset: 0 };
  }

  /** Publish the next chunk of the upload in progress; false when there is none. */
  sendNext(nowMs: number): boolean {
    const u = this.upload;
    if (!u) return false;
    if (nowMs > u.deadlineMs) {
      this.finish(u, 'expired', nowMs);
      return false;
    }
    const blob = u.blobs[u.window]!;
    const data = blob.subarray(u.offset, Math.min(blob.length, u.offset + EVIDENCE_MAX_CHUNK_BYTES));
    this.port.publish(
      'evidence',
      encodeEvidenceChunkV1({
        requestId: u.requestId,
        windowIndex: u.window,
        windowCount: u.blobs.length,
        totalBytes: blob.length,
        offset: u.offset,
        crc32: crc32(data),
        data,
      }),
    );
    this.counters.chunksSent++;
    u.offset += data.length;
    if (u.offset === blob.length) {
      this.counters.windowsSent++;
      this.counters.blobBytesSent += blob.length;
      u.window++;
      u.offset = 0;
      if (u.window === u.blobs.length) this.finish(u, 'none', nowMs);
    }
    return true;
  }

  private finish(u: Upload, reason: 'none' | 'expired', nowMs: number): void {
    this.upload = null;
    this.status({
      requestId: u.requestId,
      state: 'done',
      reason,
      windowCount: u.blobs.length,
      plannedBytes: u.blobs.reduce((n, b) => n + b.length, 0),
      budgetLeftBytes: this.budgetLeft(nowMs),
    });
  }

  private budgetLeft(nowMs: number): number {
    const day = Math.floor(nowMs / DAY_MS);
    if (day !== this.budgetDay) {
      this.budgetDay = day;
      this.usedTodayBytes = 0;
    }
    return Math.max(0, this.dailyBudgetBytes - this.usedTodayBytes);
  }

  private sign(requestId: number, windowIndex: number, w: KeptWindow): Uint8Array | null {
    const secret = this.port.deviceSecret();
    if (secret === null) return null;
    if (this.keyFor?.secret !== secret)
      this.keyFor = {
        secret,
        key: createHmac('sha256', Buffer.from(secret, 'utf8')).update(EVIDENCE_KEY_LABEL).digest(),
      };
    const signed = evidenceWindowSignedBytes(
      {
        requestId,
        windowIndex,
        modelTag: w.modelTag,
        timestampMs: w.timestampMs,
        label: w.label,
        scoreQ: w.scoreQ,
        marginQ: w.marginQ,
        format: w.format,
        samples: w.samples,
        valuesPerSample: w.valuesPerSample,
        imageWidth: w.imageWidth,
        dataBytes: w.data.length,
      },
      w.data,
    );
    return evidenceWindowBlob(signed, new Uint8Array(createHmac('sha256', this.keyFor.key).update(signed).digest()));
  }

  private status(s: EvidenceStatusV1): void {
    this.port.publish('evidence-status', encodeEvidenceStatusV1(s));
  }
}
