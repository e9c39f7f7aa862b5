import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { AccuracyReportV1, decodeAccuracyReportV1 } from '@tinyfleet/wire';
import { UplinkRouter } from '../broker/uplink-router.service';
import { GroupCommitQueue } from '../common/group-commit-queue';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AccuracyReportsRepository } from './accuracy-reports.repository';

interface ReportRow {
  deviceId: string;
  report: AccuracyReportV1;
}

/**
 * Stores up/accuracy reports, group-committed like energy snapshots; each delivery is acknowledged
 * only once its rows are committed. A payload that does not decode throws the wire's typed error,
 * which the router counts and drops like any other kind's.
 */
@Injectable()
export class AccuracyIngestService implements OnModuleInit {
  private readonly queue: GroupCommitQueue<ReportRow>;

  constructor(
    private readonly reports: AccuracyReportsRepository,
    private readonly router: UplinkRouter,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.queue = new GroupCommitQueue((rows) => this.reports.insertBatch(rows), config.ingest.maxBatchRows, 1);
  }

  onModuleInit(): void {
    this.router.registerHandler('accuracy', (deviceId, payload) =>
      this.submit(deviceId, decodeAccuracyReportV1(payload)),
    );
  }

  submit(deviceId: string, report: AccuracyReportV1): Promise<void> {
    return this.queue.submit({ deviceId, report });
  }
}
