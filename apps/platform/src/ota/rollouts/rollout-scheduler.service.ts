import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { RolloutExecutor } from './rollout-executor';
import { RolloutLease } from './rollout-lease';
import { RolloutsRepository } from './rollouts.repository';

/**
 * Drives `RolloutExecutor.tick(now)` every OTA_TICK_MS (0: never — tests call tick themselves with a fake clock).
 * Every instance ticks; the leases decide which rollouts each tick drives.
 */
@Injectable()
export class RolloutScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(RolloutScheduler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly executor: RolloutExecutor,
    private readonly rollouts: RolloutsRepository,
    private readonly lease: RolloutLease,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.ota.tickMs === 0) return;
    this.timer = setInterval(() => {
      // Never two ticks at once: a slow tick delays the next instead of overlapping it.
      if (this.running) return;
      this.running = this.executor
        .tick(new Date())
        .catch((err: unknown) => this.log.error(String(err)))
        .finally(() => (this.running = undefined));
    }, this.config.ota.tickMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    // Another instance can take this one's rollouts at its next tick instead of after OTA_LEASE_MS.
    await this.rollouts.releaseLeases(this.lease.owner).catch((err: unknown) => this.log.warn(String(err)));
  }
}
