import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { decodeInferenceSummaryV1, InferenceSummaryV1 } from '@tinyfleet/wire';
import { UplinkRouter } from '../broker/uplink-router.service';
import { GroupCommitQueue } from '../common/group-commit-queue';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { InferenceSummariesRepository } from './inference-summaries.repository';

interface SummaryRow {
  deviceId: string;
  summary: InferenceSummaryV1;
}

/**
 * Stores up/summary windows, group-committed like accuracy reports; a delivery is acknowledged only
 * once its rows are committed. A payload that does not decode throws the wire's typed error, which
 * the router counts and drops.
 */
@Injectable()
export class SummaryIngestService implements OnModuleInit {
  private readonly queue: GroupCommitQueue<SummaryRow>;

  constructor(
    private readonly summaries: InferenceSummariesRepository,
    private readonly router: UplinkRouter,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.queue = new GroupCommitQueue((rows) => this.summaries.insertBatch(rows), config.ingest.maxBatchRows, 1);
  }

  onModuleInit(): void {
    this.router.registerHandler('summary', (deviceId, payload) =>
      this.submit(deviceId, decodeInferenceSummaryV1(payload)),
    );
  }

  submit(deviceId: string, summary: InferenceSummaryV1): Promise<void> {
    return this.queue.submit({ deviceId, summary });
  }
}
