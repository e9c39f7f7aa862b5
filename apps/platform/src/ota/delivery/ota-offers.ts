import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { deviceDownlinkTopic, encodeOtaCancelV1, encodeOtaOfferV1, otaChunkCount, OtaForm } from '@tinyfleet/wire';
import { BrokerPort } from '../../broker/broker.port';
import { PlatformEvents } from '../../common/platform-events';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import type { OtaJob } from '../jobs/ota-job.entity';
import { OtaJobsRepository } from '../jobs/ota-jobs.repository';
import { OfferedJob, OtaCancelReason, OtaDispatcher } from './ota-dispatcher.port';
import { OtaTransfers } from './ota-transfers';

/**
 * Offers and cancellations on a device's downlink (QoS 1). A device that can hear the platform again
 * gets its waiting job's offer at once (the agent resumes a job it already knows) instead of at the
 * job's deadline: no attempt is spent and the deadline stays.
 */
@Injectable()
export class OtaOffers extends OtaDispatcher implements OnModuleInit {
  private readonly log = new Logger(OtaOffers.name);

  constructor(
    private readonly transfers: OtaTransfers,
    private readonly jobs: OtaJobsRepository,
    private readonly broker: BrokerPort,
    private readonly events: PlatformEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onModuleInit(): void {
    this.events.on('downlink-ready', (deviceId) => void this.reoffer(deviceId));
  }

  async offer(job: OfferedJob): Promise<{ form: OtaForm; chunkCount: number }> {
    const t = await this.transfers.get(job);
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

  async cancel(job: Pick<OtaJob, 'id' | 'deviceId'>, reason: OtaCancelReason): Promise<void> {
    await this.broker.publish(
      deviceDownlinkTopic(job.deviceId, 'ota-cancel'),
      encodeOtaCancelV1({ jobId: job.id, reason }),
      1,
    );
  }

  private async reoffer(deviceId: string): Promise<void> {
    try {
      const job = await this.jobs.awaitingDevice(deviceId);
      if (job) await this.offer(job);
    } catch (err) {
      this.log.warn(`could not offer ${deviceId} its waiting OTA job again: ${String(err)}`);
    }
  }
}
