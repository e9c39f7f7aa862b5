import { Inject, Injectable } from '@nestjs/common';
import { PlatformInstance } from '../../common/platform-instance';
import { APP_CONFIG, AppConfig } from '../../config/app-config';

/**
 * Who drives a running rollout: the instance whose lease on it has not run out. The executor
 * renews its leases every tick, so OTA_LEASE_MS must be well above OTA_TICK_MS plus a slow tick;
 * it is also how long a rollout waits for a new driver after its instance died.
 */
@Injectable()
export class RolloutLease {
  readonly owner: string;
  readonly ms: number;

  constructor(instance: PlatformInstance, @Inject(APP_CONFIG) config: AppConfig) {
    this.owner = instance.id;
    this.ms = config.ota.leaseMs;
  }
}
