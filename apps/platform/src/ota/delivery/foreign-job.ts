import type { Logger } from '@nestjs/common';
import type { MetricsService } from '../../metrics/metrics.service';

/** A device may only speak about its own jobs: anything else is refused (and counted) without a hint. */
export function refuseForeignJob(metrics: MetricsService, log: Logger, deviceId: string, jobId: number): void {
  metrics.reject('unknown-job');
  log.warn(`${deviceId} referred to OTA job ${jobId}, which is not one of its jobs`);
}
