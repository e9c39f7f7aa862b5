import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { decodeOtaChunkRequestV1, deviceDownlinkTopic, encodeOtaChunkV1, otaChunkCount } from '@tinyfleet/wire';
import { BrokerPort } from '../../broker/broker.port';
import { UplinkRouter } from '../../broker/uplink-router.service';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { MetricsService } from '../../metrics/metrics.service';
import { IN_FLIGHT_STATES } from '../jobs/ota-job.state-machine';
import { OtaJobsRepository } from '../jobs/ota-jobs.repository';
import { refuseForeignJob } from './foreign-job';
import { OtaDispatcher } from './ota-dispatcher.port';
import { OtaTransfers } from './ota-transfers';

/**
 * Chunk serving: a device asks for a run of chunks of its job (up/ota-request) and gets them in
 * index order; it resumes from its first missing chunk, so nothing restarts from zero. Job
 * ownership and state come from OtaJobsRepository's memory of jobs, not a query per request.
 */
@Injectable()
export class OtaChunkServer implements OnModuleInit {
  private readonly log = new Logger(OtaChunkServer.name);

  constructor(
    private readonly jobs: OtaJobsRepository,
    private readonly transfers: OtaTransfers,
    private readonly dispatcher: OtaDispatcher,
    private readonly broker: BrokerPort,
    private readonly router: UplinkRouter,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.router.registerHandler('ota-request', (deviceId, payload) => this.serve(deviceId, payload));
  }

  private async serve(deviceId: string, payload: Uint8Array): Promise<void> {
    const req = decodeOtaChunkRequestV1(payload);
    const job = (await this.jobs.known([req.jobId])).get(req.jobId);
    if (!job || job.deviceId !== deviceId) return refuseForeignJob(this.metrics, this.log, deviceId, req.jobId);
    if (!IN_FLIGHT_STATES.includes(job.state)) {
      // A device still asking for a finished or canceled job is told so, once per request.
      if (job.state === 'CANCELED' || job.state === 'TIMED_OUT')
        await this.dispatcher.cancel(job, job.state === 'TIMED_OUT' ? 'timed-out' : 'aborted');
      return;
    }
    const t = await this.transfers.get(job);
    const chunkBytes = this.config.ota.chunkBytes;
    const last = Math.min(otaChunkCount(t.blob.length, chunkBytes), req.firstChunk + req.chunkCount);
    const topic = deviceDownlinkTopic(deviceId, 'ota-chunk');
    const sends: Array<Promise<void>> = [];
    // Handed to the broker in index order, all at once: it keeps the order on the device's
    // session (one publisher, one subscriber, QoS 1), and the request is acknowledged when all are out.
    for (let index = req.firstChunk; index < last; index++) {
      const { data, crc32 } = OtaTransfers.chunk(t, index, chunkBytes);
      sends.push(this.broker.publish(topic, encodeOtaChunkV1({ jobId: job.id, index, crc32, data }), 1));
    }
    await Promise.all(sends);
  }
}
