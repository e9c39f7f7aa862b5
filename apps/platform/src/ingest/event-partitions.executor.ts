import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { PartitionPlan, planPartitions } from './event-partitions.plan';
import { EventPartitionsRepository } from './event-partitions.repository';

/** Hourly: a day partition is made a week ahead, so an hour's delay (or a missed tick) changes nothing. */
const TICK_MS = 3_600_000;

/**
 * device_events partition maintenance and retention, singleton work across instances: `tick(now)`
 * runs under a PostgreSQL advisory lock (one instance does it, the others skip), creates the day
 * partitions up to PARTITION_DAYS_AHEAD and drops those older than EVENTS_RETENTION_DAYS.
 * Idempotent. Runs at boot, before devices connect, and then every hour.
 */
@Injectable()
export class EventPartitionsExecutor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(EventPartitionsExecutor.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly repo: EventPartitionsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** What this tick did, or null when another instance holds the lock. */
  tick(now: Date): Promise<PartitionPlan | null> {
    return this.repo.maintain((existing) => planPartitions(now, existing, this.config.ingest.eventsRetentionDays));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.run();
    this.timer = setInterval(() => {
      if (!this.running) void this.run();
    }, TICK_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private run(): Promise<unknown> {
    this.running = this.tick(new Date())
      .then((done) => {
        if (done && (done.create.length > 0 || done.drop.length > 0))
          this.log.log(
            `device_events partitions: created ${done.create.map((p) => p.name).join(', ') || 'none'}; dropped ${done.drop.join(', ') || 'none'}`,
          );
      })
      // A failed tick leaves the partitions made ahead in place; the next one retries.
      .catch((err: unknown) => this.log.error(`device_events partition maintenance failed: ${String(err)}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
