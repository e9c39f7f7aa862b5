import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AccuracyReportV1, decodeAccuracyReportV1 } from '@tinyfleet/wire';
import { DataSource } from 'typeorm';
import { UplinkRouter } from '../broker/uplink-router.service';
import { GroupCommitQueue } from '../common/group-commit-queue';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { slotModelJoin } from '../devices/device-slots.sql';

interface ReportRow {
  deviceId: string;
  report: AccuracyReportV1;
}

/**
 * One row per model of each report. A re-delivered report conflicts on (device, boot, seq, tag) and
 * stores nothing; reports of unknown devices are dropped by the join; the model tag is resolved
 * against the device's last status, as for events.
 */
const INSERT_ACCURACY_SQL = `
INSERT INTO accuracy_reports (device_id, boot_id, seq, model_tag, device_time, model_id, model_version, inferences, correct)
SELECT v.device_id, v.boot_id, v.seq, v.model_tag, to_timestamp(v.ts_ms / 1000.0), m.model_id, m.model_version, v.inferences, v.correct
FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[])
  AS v(device_id, boot_id, seq, model_tag, ts_ms, inferences, correct)
JOIN devices d ON d.id = v.device_id
${slotModelJoin('v.model_tag')}
ON CONFLICT (device_id, boot_id, seq, model_tag) DO NOTHING`;

/**
 * Stores up/accuracy reports, group-committed like energy snapshots; each delivery is acknowledged
 * only once its rows are committed. A payload that does not decode throws the wire's typed error,
 * which the router counts and drops like any other kind's.
 */
@Injectable()
export class AccuracyIngestService implements OnModuleInit {
  private readonly queue: GroupCommitQueue<ReportRow>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly router: UplinkRouter,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.queue = new GroupCommitQueue((rows) => this.write(rows), config.ingest.maxBatchRows, 1);
  }

  onModuleInit(): void {
    this.router.registerHandler('accuracy', (deviceId, payload) =>
      this.submit(deviceId, decodeAccuracyReportV1(payload)),
    );
  }

  submit(deviceId: string, report: AccuracyReportV1): Promise<void> {
    return this.queue.submit({ deviceId, report });
  }

  private async write(rows: ReportRow[]): Promise<void> {
    const cols: unknown[][] = [[], [], [], [], [], [], []];
    for (const { deviceId, report: r } of rows) {
      for (const m of r.models) {
        cols[0]!.push(deviceId);
        cols[1]!.push(r.bootId);
        cols[2]!.push(r.seq);
        cols[3]!.push(m.modelTag);
        cols[4]!.push(r.timestampMs);
        cols[5]!.push(m.inferences);
        cols[6]!.push(m.correct);
      }
    }
    if (cols[0]!.length > 0) await this.db.query(INSERT_ACCURACY_SQL, cols);
  }
}
