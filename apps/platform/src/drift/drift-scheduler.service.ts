import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DriftMonitor } from './drift-monitor';

/** Drives `DriftMonitor.tick(now)` every DRIFT_TICK_MS (0: never — tests call tick themselves). */
@Injectable()
export class DriftScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(DriftScheduler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly monitor: DriftMonitor,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.drift.tickMs === 0) return;
    this.timer = setInterval(() => {
      if (this.running) return; // a slow tick delays the next instead of overlapping it
      this.running = this.monitor
        .tick(new Date())
        .catch((err: unknown) => this.log.error(String(err)))
        .finally(() => (this.running = undefined));
    }, this.config.drift.tickMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
