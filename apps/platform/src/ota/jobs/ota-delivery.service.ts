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
} from '@tinyfleet/wire';
import { encodeModelDelta } from '@tinyfleet/artifact';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { BrokerPort } from '../../broker/broker.port';
import { UplinkRouter } from '../../broker/uplink-router.service';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { MetricsService } from '../../metrics/metrics.service';
import { ModelArtifact } from '../registry/model-artifact.entity';
import { Rollout } from '../rollouts/rollout.entity';
import { OtaCancelReason, OtaDispatcher } from './ota-dispatcher.port';
import { OtaJob } from './ota-job.entity';
import { IN_FLIGHT_STATES, otaJobMachine } from './ota-job.state-machine';
import { OtaJobsRepository } from './ota-jobs.repository';

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

  private async onStatus(deviceId: string, payload: Uint8Array): Promise<void> {
    const status = decodeOtaStatusV1(payload);
    const job = await this.ownedJob(deviceId, status.jobId);
    if (!job) return;
    const rollout = await this.db.getRepository(Rollout).findOne({ where: { id: job.rolloutId }, select: { id: true, pacing: true, rollbackOf: true } });
    const timeoutMs = (rollout?.pacing.jobTimeoutS ?? 600) * 1000;
    const now = new Date();
    if (status.state === job.state && status.reason === null) {
      // Progress within a state (more chunks): keep the deadline moving while the device is working.
      // (A report with a reason, e.g. a corrupt chunk re-fetched, is recorded as an event below.)
      await this.jobs.progress(job, status.chunksReceived, new Date(now.getTime() + timeoutMs), now);
      return;
    }
    if (!otaJobMachine.canTransition(job.state, status.state)) {
      this.log.warn(`job ${job.id}: ignored ${status.state} from ${deviceId} (job is ${job.state})`);
      return;
    }
    const terminal = !IN_FLIGHT_STATES.includes(status.state);
    await this.db.transaction(async (m) => {
      const moved = await this.jobs.transition(job, status.state, status.reason, 'device', { chunksReceived: status.chunksReceived, deadlineAt: terminal ? null : new Date(now.getTime() + timeoutMs) }, now, m);
      // The rolled-back rollout's job for this device ends as ROLLED_BACK once the device is back on its old model.
      if (moved?.state !== 'SUCCEEDED' || !rollout?.rollbackOf) return;
      const original = await m.getRepository(OtaJob).findOneBy({ rolloutId: rollout.rollbackOf, deviceId, state: 'SUCCEEDED' });
      if (original) await this.jobs.transition(original, 'ROLLED_BACK', 'device back on its previous model', 'server', {}, now, m);
    });
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

