import { Injectable } from '@nestjs/common';
import { OtaDispatcher } from '../delivery/ota-dispatcher.port';
import { OtaJobsRepository } from './ota-jobs.repository';

/**
 * Ends every job of a rollout that has not finished: queued ones silently (nothing was sent),
 * in-flight ones with an ota-cancel so the device stops downloading. Each through the job's
 * guarded transition: a job that moved meanwhile (the device finished) is left as it is.
 */
@Injectable()
export class OpenJobsCanceller {
  constructor(
    private readonly jobs: OtaJobsRepository,
    private readonly dispatcher: OtaDispatcher,
  ) {}

  async cancelOpen(rolloutId: number, reason: 'aborted' | 'superseded', now: Date): Promise<void> {
    for (const job of await this.jobs.open(rolloutId)) {
      const moved = await this.jobs.transition(
        job,
        'CANCELED',
        `rollout ${reason}`,
        'server',
        { deadlineAt: null },
        now,
      );
      if (moved && job.state !== 'QUEUED') await this.dispatcher.cancel(moved, reason);
    }
  }
}
