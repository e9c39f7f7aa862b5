import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  crc32,
  decodeOtaChunkRequestV1,
  decodeOtaStatusV1,
  deviceDownlinkTopic,
  encodeOtaCancelV1,
  encodeOtaChunkV1,
  encodeOtaOfferV1,
  otaChunkCount,
  OtaForm,
  OtaStatusV1,
} from '@tinyfleet/wire';
import { encodeModelDelta } from '@tinyfleet/artifact';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { BrokerPort } from '../../broker/broker.port';
import { GroupCommitQueue } from '../../common/group-commit-queue';
import { PlatformEvents } from '../../common/platform-events';
import { UplinkRouter } from '../../broker/uplink-router.service';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { MetricsService } from '../../metrics/metrics.service';
import { ModelArtifact } from '../registry/model-artifact.entity';
import { Rollout } from '../rollouts/rollout.entity';
import { OtaCancelReason, OtaDispatcher } from './ota-dispatcher.port';
import { OtaJob } from './ota-job.entity';
import { IN_FLIGHT_STATES, otaJobMachine } from './ota-job.state-machine';
import { JobBatchChange, KnownJob, OtaJobsRepository } from './ota-jobs.repository';

/** How long a status report may wait for others to share its write, when reports come in fast. */
const STATUS_LINGER_MS = 10;

/** One artifact prepared for the air: manifest + model payload in the smallest available form. */
interface Transfer {
  form: OtaForm;
  /** sha256 of the model a delta applies to. */
  baseSha256: Uint8Array | null;
  blob: Uint8Array;
  sha256: Uint8Array;
  manifestBytes: number;
  artifact: Pick<ModelArtifact, 'name' | 'version' | 'sha256' | 'signature' | 'keyId'> & { modelBytes: number };
  /** CRC-32 of each chunk (of the configured size), computed the first time a device asks for it. */
  chunkCrcs: Array<number | undefined>;
}

/**
 * Delivery over MQTT: offers, chunks on request (a device resumes from its first missing chunk, so
 * nothing restarts from zero), cancellations, and the device's status reports, each applied as an
 * OtaJob transition. The transfer form is the smallest of the .tflite, its Huffman-coded container
 * and a delta against the device's current model; the device reconstructs the exact .tflite and
 * checks hash and signature itself.
 */
@Injectable()
export class OtaDeliveryService extends OtaDispatcher implements OnModuleInit {
  private readonly log = new Logger(OtaDeliveryService.name);
  /** Prepared transfers by artifact and base model (a delta depends on what the device runs). */
  private readonly transfers = new Map<string, Promise<Transfer>>();
  private readonly rolloutCache = new Map<number, { jobTimeoutS: number; rollbackOf: number | null }>();
  private readonly statusQueue = new GroupCommitQueue<{ deviceId: string; status: OtaStatusV1 }>(
    (reports) => this.applyStatuses(reports),
    500,
  );
  /** Reports held back to share a write (see onStatus), released together when the timer fires. */
  private lingering: Promise<void> | null = null;
  private lastStatusAt = Number.NEGATIVE_INFINITY;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly jobs: OtaJobsRepository,
    private readonly broker: BrokerPort,
    private readonly router: UplinkRouter,
    private readonly metrics: MetricsService,
    private readonly events: PlatformEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onModuleInit(): void {
    this.router.registerHandler('ota-request', (deviceId, payload) => this.onChunkRequest(deviceId, payload));
    this.router.registerHandler('ota-status', (deviceId, payload) => this.onStatus(deviceId, payload));
    this.events.on('downlink-ready', (deviceId) => void this.reoffer(deviceId));
  }

  /**
   * A device that can hear us again gets its waiting job's offer at once (the agent resumes a job it
   * already knows), instead of at the job's deadline: no attempt is spent and the deadline stays.
   */
  private async reoffer(deviceId: string): Promise<void> {
    try {
      const job = await this.jobs.awaitingDevice(deviceId);
      if (job) await this.offer(job);
    } catch (err) {
      this.log.warn(`could not offer ${deviceId} its waiting OTA job again: ${String(err)}`);
    }
  }

  async offer(job: Pick<KnownJob, 'id' | 'deviceId' | 'artifactId' | 'fromSha256'>): Promise<{
    form: OtaForm;
    chunkCount: number;
  }> {
    const t = await this.transfer(job);
    const chunkBytes = this.config.ota.chunkBytes;
    const chunkCount = otaChunkCount(t.blob.length, chunkBytes);
    const offer = encodeOtaOfferV1({
      jobId: job.id,
      modelId: t.artifact.name,
      modelVersion: t.artifact.version,
      form: t.form,
      transferBytes: t.blob.length,
      chunkBytes,
      chunkCount,
      transferSha256: t.sha256,
      manifestBytes: t.manifestBytes,
      modelSha256: Buffer.from(t.artifact.sha256, 'hex'),
      modelBytes: t.artifact.modelBytes,
      baseSha256: t.baseSha256,
      signature: Buffer.from(t.artifact.signature, 'base64'),
      keyId: t.artifact.keyId,
    });
    await this.broker.publish(deviceDownlinkTopic(job.deviceId, 'ota-offer'), offer, 1);
    return { form: t.form, chunkCount };
  }

  async cancel(job: OtaJob, reason: OtaCancelReason): Promise<void> {
    await this.sendCancel(job, reason);
  }

  private async sendCancel(job: Pick<KnownJob, 'id' | 'deviceId'>, reason: OtaCancelReason): Promise<void> {
    await this.broker.publish(
      deviceDownlinkTopic(job.deviceId, 'ota-cancel'),
      encodeOtaCancelV1({ jobId: job.id, reason }),
      1,
    );
  }

  private async onChunkRequest(deviceId: string, payload: Uint8Array): Promise<void> {
    const req = decodeOtaChunkRequestV1(payload);
    const job = await this.ownedJob(deviceId, req.jobId);
    if (!job) return;
    if (!IN_FLIGHT_STATES.includes(job.state)) {
      // A device still asking for a finished or canceled job is told so, once per request.
      if (job.state === 'CANCELED' || job.state === 'TIMED_OUT')
        await this.sendCancel(job, job.state === 'TIMED_OUT' ? 'timed-out' : 'aborted');
      return;
    }
    const t = await this.transfer(job);
    const chunkBytes = this.config.ota.chunkBytes;
    const last = Math.min(otaChunkCount(t.blob.length, chunkBytes), req.firstChunk + req.chunkCount);
    const topic = deviceDownlinkTopic(deviceId, 'ota-chunk');
    const sends: Array<Promise<void>> = [];
    // Handed to the broker in index order, all at once: it keeps the order on the device's
    // session (one publisher, one subscriber, QoS 1), and the request is acknowledged when all are out.
    for (let index = req.firstChunk; index < last; index++) {
      const data = t.blob.subarray(index * chunkBytes, Math.min(t.blob.length, (index + 1) * chunkBytes));
      const crc = (t.chunkCrcs[index] ??= crc32(data));
      sends.push(this.broker.publish(topic, encodeOtaChunkV1({ jobId: job.id, index, crc32: crc, data }), 1));
    }
    await Promise.all(sends);
  }

  /**
   * Reports go to the group-commit queue in arrival order. While they come in faster than one per
   * STATUS_LINGER_MS, each waits up to that long for others to share its write (one statement and
   * one commit for many devices instead of a few); a lone report goes straight through.
   */
  private onStatus(deviceId: string, payload: Uint8Array): Promise<void> {
    const status = decodeOtaStatusV1(payload);
    const now = performance.now();
    const busy = now - this.lastStatusAt < STATUS_LINGER_MS;
    this.lastStatusAt = now;
    if (!this.lingering && !busy) return this.statusQueue.submit({ deviceId, status });
    // Everything that waits on the same timer is submitted in one go, in the order it arrived.
    this.lingering ??= new Promise<void>((resolve) =>
      setTimeout(() => {
        this.lingering = null;
        resolve();
      }, STATUS_LINGER_MS),
    );
    return this.lingering.then(() => this.statusQueue.submit({ deviceId, status }));
  }

  /**
   * Device reports, many devices at a time: replay each report against the transition table in
   * arrival order, on the jobs as last written (from memory; the database only for jobs memory does
   * not hold), where progress moves the deadline and an illegal or stale report is ignored; then
   * write the jobs that changed and every transition in one statement. A job that moved meanwhile
   * (the executor timed it out, an operator canceled it) is not written: it is read again and its
   * reports replayed on what it is now — what locking the rows would have given, without the locks.
   */
  private async applyStatuses(reports: Array<{ deviceId: string; status: OtaStatusV1 }>): Promise<void> {
    const now = new Date();
    let pending = reports;
    for (let round = 1; pending.length > 0; round++) {
      const moved = await this.applyStatusesOnce(pending, now);
      if (moved.size === 0) return;
      // Moving under our feet twice in a row takes a busy operator; a few rounds settle it. Past
      // that the batch fails, so nothing is acknowledged and the devices send their reports again.
      if (round === 5)
        throw new Error(`OTA jobs ${[...moved].join(', ')} kept changing while their status reports were applied`);
      pending = pending.filter((r) => moved.has(r.status.jobId));
    }
  }

  /** One pass of `applyStatuses`; returns the jobs whose reports must be replayed because the job moved meanwhile. */
  private async applyStatusesOnce(
    reports: Array<{ deviceId: string; status: OtaStatusV1 }>,
    now: Date,
  ): Promise<Set<number>> {
    const known = await this.jobs.known([...new Set(reports.map((r) => r.status.jobId))]);
    const changes = new Map<number, JobBatchChange>();
    const change = (job: KnownJob): JobBatchChange => {
      let c = changes.get(job.id);
      if (!c)
        changes.set(job.id, (c = { job: { ...job }, fromState: job.state, fromAttempts: job.attempts, events: [] }));
      return c;
    };
    for (const { deviceId, status } of reports) {
      const current = changes.get(status.jobId)?.job ?? known.get(status.jobId);
      if (!current || current.deviceId !== deviceId) {
        this.metrics.reject('unknown-job');
        this.log.warn(`${deviceId} referred to OTA job ${status.jobId}, which is not one of its jobs`);
        continue;
      }
      const pacing = await this.rolloutFacts(current.rolloutId);
      const deadline = new Date(now.getTime() + pacing.jobTimeoutS * 1000);
      if (status.state === current.state && status.reason === null) {
        // Progress within a state (more chunks): keep the deadline moving while the device works.
        Object.assign(change(current).job, { chunksReceived: status.chunksReceived, deadlineAt: deadline });
        continue;
      }
      if (!otaJobMachine.canTransition(current.state, status.state)) {
        this.log.warn(`job ${current.id}: ignored ${status.state} from ${deviceId} (job is ${current.state})`);
        continue;
      }
      const c = change(current);
      c.events.push({ fromState: c.job.state, toState: status.state, reason: status.reason, source: 'device' });
      Object.assign(c.job, {
        state: status.state,
        reason: status.reason,
        chunksReceived: status.chunksReceived,
        deadlineAt: IN_FLIGHT_STATES.includes(status.state) ? deadline : null,
      });
      if (status.state === 'SUCCEEDED' && pacing.rollbackOf !== null) {
        // The rolled-back rollout's job for this device ends as ROLLED_BACK once the device is back on its old model.
        const original = await this.jobs.succeededJob(pacing.rollbackOf, deviceId);
        const fresh = original !== null && !changes.has(original.id);
        const o = original ? change(original) : null; // the batch's own copy if it already changed it
        if (o && o.job.state === 'SUCCEEDED') {
          o.events.push({
            fromState: 'SUCCEEDED',
            toState: 'ROLLED_BACK',
            reason: 'device back on its previous model',
            source: 'server',
          });
          Object.assign(o.job, { state: 'ROLLED_BACK', reason: 'device back on its previous model' });
          // Together with the device's SUCCEEDED or not at all (if that job moved, its reports are replayed, and this with them).
          if (fresh) o.after = current.id;
        }
      }
    }
    const written = await this.jobs.writeBatch([...changes.values()], now);
    // Only reports are replayed: a rollback's original job that moved is no longer SUCCEEDED, and is left as it is.
    return new Set(reports.map((r) => r.status.jobId).filter((id) => changes.has(id) && !written.has(id)));
  }

  /** A rollout's timeout and rollback link never change after creation: read once. */
  private async rolloutFacts(rolloutId: number): Promise<{ jobTimeoutS: number; rollbackOf: number | null }> {
    let facts = this.rolloutCache.get(rolloutId);
    if (!facts) {
      const r = await this.db
        .getRepository(Rollout)
        .findOneOrFail({ where: { id: rolloutId }, select: { id: true, pacing: true, rollbackOf: true } });
      facts = { jobTimeoutS: r.pacing.jobTimeoutS, rollbackOf: r.rollbackOf };
      this.rolloutCache.set(rolloutId, facts);
    }
    return facts;
  }

  /**
   * A device may only speak about its own jobs: anything else is refused (and counted) without a
   * hint. Ownership never changes; the state is as last written (memory first, see OtaJobsRepository).
   */
  private async ownedJob(deviceId: string, jobId: number): Promise<KnownJob | null> {
    const job = (await this.jobs.known([jobId])).get(jobId);
    if (!job || job.deviceId !== deviceId) {
      this.metrics.reject('unknown-job');
      this.log.warn(`${deviceId} referred to OTA job ${jobId}, which is not one of its jobs`);
      return null;
    }
    return job;
  }

  private transfer(job: Pick<KnownJob, 'artifactId' | 'fromSha256'>): Promise<Transfer> {
    const key = `${job.artifactId}:${job.fromSha256 ?? ''}`;
    let t = this.transfers.get(key);
    if (!t) {
      t = this.buildTransfer(job.artifactId, job.fromSha256);
      this.transfers.set(key, t);
      t.catch(() => this.transfers.delete(key));
    }
    return t;
  }

  /**
   * The smallest of: the .tflite, its Huffman-coded container, and a delta against the model the
   * device runs (when the registry has that model's bytes).
   */
  private async buildTransfer(artifactId: number, fromSha256: string | null): Promise<Transfer> {
    const repo = this.db.getRepository(ModelArtifact);
    const a = await repo.findOneByOrFail({ id: artifactId });
    const base = fromSha256
      ? await repo.findOne({ where: { sha256: fromSha256 }, select: { id: true, modelBytes: true } })
      : null;
    const candidates: Array<{ form: OtaForm; payload: Uint8Array; baseSha256: Uint8Array | null }> = [
      { form: 'full', payload: a.modelBytes, baseSha256: null },
    ];
    if (a.otaBytes) candidates.push({ form: 'huffman', payload: a.otaBytes, baseSha256: null });
    if (base)
      candidates.push({
        form: 'delta',
        payload: encodeModelDelta(base.modelBytes, a.modelBytes),
        baseSha256: Buffer.from(fromSha256!, 'hex'),
      });
    const best = candidates.reduce((x, y) => (y.payload.length < x.payload.length ? y : x));
    if (!a.deviceManifest)
      throw new Error(
        `${a.name}@${a.version} predates device manifests (TFDM/1): rebuild or re-package and push it again`,
      );
    const manifest = a.deviceManifest;
    const blob = new Uint8Array(Buffer.concat([manifest, best.payload]));
    return {
      form: best.form,
      baseSha256: best.baseSha256,
      blob,
      sha256: createHash('sha256').update(blob).digest(),
      manifestBytes: manifest.length,
      artifact: {
        name: a.name,
        version: a.version,
        sha256: a.sha256,
        signature: a.signature,
        keyId: a.keyId,
        modelBytes: a.modelBytes.length,
      },
      chunkCrcs: [],
    };
  }
}
