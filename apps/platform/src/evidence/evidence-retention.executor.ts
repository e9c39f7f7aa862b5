import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { EvidenceRepository } from './evidence.repository';

/**
 * Retention over persisted state: `tick(now)` deletes the windows past their expiry and chunks of
 * uploads abandoned for a day. Idempotent, so any number of instances may run it; scheduled every
 * EVIDENCE_TICK_MS (0: never, tests call tick with their own clock).
 */
@Injectable()
export class EvidenceRetentionExecutor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(EvidenceRetentionExecutor.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly repo: EvidenceRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  tick(now: Date): Promise<{ windows: number; chunks: number }> {
    return this.repo.sweep(now);
  }

  onApplicationBootstrap(): void {
    if (this.config.evidence.tickMs === 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick(new Date())
        .catch((err: unknown) => this.log.error(String(err)))
        .finally(() => (this.running = undefined));
    }, this.config.evidence.tickMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
