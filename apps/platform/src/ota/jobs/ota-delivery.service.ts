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
import { DataSource, EntityManager, In } from 'typeorm';
import { BrokerPort } from '../../broker/broker.port';
import { GroupCommitQueue } from '../../common/group-commit-queue';
import { UplinkRouter } from '../../broker/uplink-router.service';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { MetricsService } from '../../metrics/metrics.service';
import { ModelArtifact } from '../registry/model-artifact.entity';
import { Rollout } from '../rollouts/rollout.entity';
import { OtaCancelReason, OtaDispatcher } from './ota-dispatcher.port';
import { OtaJob } from './ota-job.entity';
import { IN_FLIGHT_STATES, otaJobMachine } from './ota-job.state-machine';
import { JobBatchChange, OtaJobsRepository } from './ota-jobs.repository';

/** One artifact prepared for the air: manifest + model payload in the smallest available form. */
interface Transfer {
  form: OtaForm;
  /** sha256 of the model a delta applies to. */
  baseSha256: Uint8Array | null;
  blob: Uint8Array;
  sha256: Uint8Array;
  manifestBytes: number;
  artifact: Pick<ModelArtifact, 'name' | 'version' | 'sha256' | 'signature' | 'keyId'> & { modelBytes: number };
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
  private readonly statusQueue = new GroupCommitQueue<{ deviceId: string; status: OtaStatusV1 }>((reports) => this.applyStatuses(reports), 500);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly jobs: OtaJobsRepository,
    private readonly broker: BrokerPort,
    private readonly router: UplinkRouter,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onModuleInit(): void {
    this.router.registerHandler('ota-request', (deviceId, payload) => this.onChunkRequest(deviceId, payload));
    this.router.registerHandler('ota-status', (deviceId, payload) => this.onStatus(deviceId, payload));
  }

  async offer(job: OtaJob): Promise<{ form: OtaForm; chunkCount: number }> {
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
    await this.broker.publish(deviceDownlinkTopic(job.deviceId, 'ota-cancel'), encodeOtaCancelV1({ jobId: job.id, reason }), 1);
  }

  private async onChunkRequest(deviceId: string, payload: Uint8Array): Promise<void> {
    const req = decodeOtaChunkRequestV1(payload);
    const job = await this.ownedJob(deviceId, req.jobId);
    if (!job) return;
    if (!IN_FLIGHT_STATES.includes(job.state)) {
      // A device still asking for a finished or canceled job is told so, once per request.
      if (job.state === 'CANCELED' || job.state === 'TIMED_OUT') await this.cancel(job, job.state === 'TIMED_OUT' ? 'timed-out' : 'aborted');
      return;
    }
    const t = await this.transfer(job);
    const chunkBytes = this.config.ota.chunkBytes;
    const last = Math.min(otaChunkCount(t.blob.length, chunkBytes), req.firstChunk + req.chunkCount);
    for (let index = req.firstChunk; index < last; index++) {
      const data = t.blob.subarray(index * chunkBytes, Math.min(t.blob.length, (index + 1) * chunkBytes));
      await this.broker.publish(deviceDownlinkTopic(deviceId, 'ota-chunk'), encodeOtaChunkV1({ jobId: job.id, index, crc32: crc32(data), data }), 1);
    }
  }

  private onStatus(deviceId: string, payload: Uint8Array): Promise<void> {
    return this.statusQueue.submit({ deviceId, status: decodeOtaStatusV1(payload) });
  }

  /**
   * Device reports, many devices at a time, in one transaction: lock the jobs, replay each report
   * against the transition table in arrival order (progress moves the deadline; an illegal or stale
   * report is ignored), then write every job's final row and every transition in two statements.
   */
  private async applyStatuses(reports: Array<{ deviceId: string; status: OtaStatusV1 }>): Promise<void> {
    const now = new Date();
    await this.db.transaction(async (m) => {
      const jobs = await m.getRepository(OtaJob).find({ where: { id: In([...new Set(reports.map((r) => r.status.jobId))]) }, lock: { mode: 'pessimistic_write' } });
      const changes = new Map<number, JobBatchChange>(jobs.map((j) => [j.id, { job: j, fromState: j.state, events: [] }]));
      const rollbacks: JobBatchChange[] = [];
      for (const { deviceId, status } of reports) {
        const change = changes.get(status.jobId);
        if (!change || change.job.deviceId !== deviceId) {
          this.metrics.reject('unknown-job');
          this.log.warn(`${deviceId} referred to OTA job ${status.jobId}, which is not one of its jobs`);
          continue;
        }
        const job = change.job;
        const pacing = await this.rolloutFacts(job.rolloutId, m);
        const deadline = new Date(now.getTime() + pacing.jobTimeoutS * 1000);
        if (status.state === job.state && status.reason === null) {
          // Progress within a state (more chunks): keep the deadline moving while the device works.
          Object.assign(job, { chunksReceived: status.chunksReceived, deadlineAt: deadline });
          continue;
        }
        if (!otaJobMachine.canTransition(job.state, status.state)) {
          this.log.warn(`job ${job.id}: ignored ${status.state} from ${deviceId} (job is ${job.state})`);
          continue;
        }
        change.events.push({ fromState: job.state, toState: status.state, reason: status.reason, source: 'device' });
        Object.assign(job, { state: status.state, reason: status.reason, chunksReceived: status.chunksReceived, deadlineAt: IN_FLIGHT_STATES.includes(status.state) ? deadline : null });
        if (status.state === 'SUCCEEDED' && pacing.rollbackOf !== null) {
          // The rolled-back rollout's job for this device ends as ROLLED_BACK once the device is back on its old model.
          const original = await m.getRepository(OtaJob).findOne({ where: { rolloutId: pacing.rollbackOf, deviceId, state: 'SUCCEEDED' }, lock: { mode: 'pessimistic_write' } });
          if (original) {
            rollbacks.push({ job: Object.assign(original, { state: 'ROLLED_BACK', reason: 'device back on its previous model' }), fromState: 'SUCCEEDED', events: [{ fromState: 'SUCCEEDED', toState: 'ROLLED_BACK', reason: 'device back on its previous model', source: 'server' }] });
          }
        }
      }
      await this.jobs.writeBatch([...changes.values(), ...rollbacks], now, m);
    });
  }

  /** A rollout's timeout and rollback link never change after creation: read once. */
  private async rolloutFacts(rolloutId: number, m: EntityManager): Promise<{ jobTimeoutS: number; rollbackOf: number | null }> {
    let facts = this.rolloutCache.get(rolloutId);
    if (!facts) {
      const r = await m.getRepository(Rollout).findOneOrFail({ where: { id: rolloutId }, select: { id: true, pacing: true, rollbackOf: true } });
      facts = { jobTimeoutS: r.pacing.jobTimeoutS, rollbackOf: r.rollbackOf };
      this.rolloutCache.set(rolloutId, facts);
    }
    return facts;
  }

  /** A device may only speak about its own jobs: anything else is refused (and counted) without a hint. */
  private async ownedJob(deviceId: string, jobId: number): Promise<OtaJob | null> {
    const job = await this.db.getRepository(OtaJob).findOneBy({ id: jobId });
    if (!job || job.deviceId !== deviceId) {
      this.metrics.reject('unknown-job');
      this.log.warn(`${deviceId} referred to OTA job ${jobId}, which is not one of its jobs`);
      return null;
    }
    return job;
  }

  private transfer(job: OtaJob): Promise<Transfer> {
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
    const base = fromSha256 ? await repo.findOne({ where: { sha256: fromSha256 }, select: { id: true, modelBytes: true } }) : null;
    const candidates: Array<{ form: OtaForm; payload: Uint8Array; baseSha256: Uint8Array | null }> = [{ form: 'full', payload: a.modelBytes, baseSha256: null }];
    if (a.otaBytes) candidates.push({ form: 'huffman', payload: a.otaBytes, baseSha256: null });
    if (base) candidates.push({ form: 'delta', payload: encodeModelDelta(base.modelBytes, a.modelBytes), baseSha256: Buffer.from(fromSha256!, 'hex') });
    const best = candidates.reduce((x, y) => (y.payload.length < x.payload.length ? y : x));
    const manifest = Buffer.from(a.manifestText, 'utf8');
    const blob = new Uint8Array(Buffer.concat([manifest, best.payload]));
    return {
      form: best.form,
      baseSha256: best.baseSha256,
      blob,
      sha256: createHash('sha256').update(blob).digest(),
      manifestBytes: manifest.length,
      artifact: { name: a.name, version: a.version, sha256: a.sha256, signature: a.signature, keyId: a.keyId, modelBytes: a.modelBytes.length },
    };
  }
}

