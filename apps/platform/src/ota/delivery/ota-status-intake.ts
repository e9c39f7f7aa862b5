import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { decodeOtaStatusV1, OtaStatusV1 } from '@tinyfleet/wire';
import { UplinkRouter } from '../../broker/uplink-router.service';
import { BoundedCache } from '../../common/bounded-cache';
import { GroupCommitQueue } from '../../common/group-commit-queue';
import { MetricsService } from '../../metrics/metrics.service';
import { IN_FLIGHT_STATES, otaJobMachine } from '../jobs/ota-job.state-machine';
import { JobBatchChange, KnownJob, OtaJobsRepository } from '../jobs/ota-jobs.repository';
import { BACK_ON_PREVIOUS_MODEL, RollbackRollout } from '../rollouts/rollback-rollout';
import { RolloutsRepository } from '../rollouts/rollouts.repository';
import { refuseForeignJob } from './foreign-job';

/** How long a status report may wait for others to share its write, when reports come in fast. */
const STATUS_LINGER_MS = 10;

/** Rollouts whose delivery facts are kept; they never change after creation, so a miss only costs a read. */
const MAX_ROLLOUT_FACTS = 1024;

/**
 * Status intake: the devices' reports on up/ota-status, batched (group commit) and each applied as
 * an OtaJob transition from the device's own words. When a rollback rollout's job succeeds, the
 * job it undoes ends ROLLED_BACK in the same write (RollbackRollout.undoneJob says which).
 */
@Injectable()
export class OtaStatusIntake implements OnModuleInit {
  private readonly log = new Logger(OtaStatusIntake.name);
  private readonly rolloutCache = new BoundedCache<number, Promise<{ jobTimeoutS: number; rollbackOf: number | null }>>(
    MAX_ROLLOUT_FACTS,
  );
  private readonly statusQueue = new GroupCommitQueue<{ deviceId: string; status: OtaStatusV1 }>(
    (reports) => this.applyStatuses(reports),
    500,
  );
  /** Reports held back to share a write (see intake), released together when the timer fires. */
  private lingering: Promise<void> | null = null;
  private lastStatusAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly jobs: OtaJobsRepository,
    private readonly rollouts: RolloutsRepository,
    private readonly rollbacks: RollbackRollout,
    private readonly router: UplinkRouter,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.router.registerHandler('ota-status', (deviceId, payload) => this.intake(deviceId, payload));
  }

  /**
   * Reports go to the group-commit queue in arrival order. While they come in faster than one per
   * STATUS_LINGER_MS, each waits up to that long for others to share its write (one statement and
   * one commit for many devices instead of a few); a lone report goes straight through.
   */
  private intake(deviceId: string, payload: Uint8Array): Promise<void> {
    const status = decodeOtaStatusV1(payload);
    const now = performance.now();
    const busy = now - this.lastStatusAt < STATUS_LINGER_MS;
    this.lastStatusAt = now;
    if (!this.lingering && !busy) return this.statusQueue.submit({ deviceId, status });
    // Everything that waits on the same timer is submitted in one go, in the order it arrived.
    this.lingering ??= new Promise<void>((resolve) =>
      setTimeout(() => {
        this.lingering = null;
        resolve();
      }, STATUS_LINGER_MS),
    );
    return this.lingering.then(() => this.statusQueue.submit({ deviceId, status }));
  }

  /**
   * Device reports, many devices at a time: replay each report against the transition table in
   * arrival order, on the jobs as last written (from memory; the database only for jobs memory does
   * not hold), where progress moves the deadline and an illegal or stale report is ignored; then
   * write the jobs that changed and every transition in one statement. A job that moved meanwhile
   * (the executor timed it out, an operator canceled it) is not written: it is read again and its
   * reports replayed on what it is now — what locking the rows would have given, without the locks.
   */
  private async applyStatuses(reports: Array<{ deviceId: string; status: OtaStatusV1 }>): Promise<void> {
    const now = new Date();
    let pending = reports;
    for (let round = 1; pending.length > 0; round++) {
      const moved = await this.applyStatusesOnce(pending, now);
      if (moved.size === 0) return;
      // Moving under our feet twice in a row takes a busy operator; a few rounds settle it. Past
      // that the batch fails, so nothing is acknowledged and the devices send their reports again.
      if (round === 5)
        throw new Error(`OTA jobs ${[...moved].join(', ')} kept changing while their status reports were applied`);
      pending = pending.filter((r) => moved.has(r.status.jobId));
    }
  }

  /** One pass of `applyStatuses`; returns the jobs whose reports must be replayed because the job moved meanwhile. */
  private async applyStatusesOnce(
    reports: Array<{ deviceId: string; status: OtaStatusV1 }>,
    now: Date,
  ): Promise<Set<number>> {
    const known = await this.jobs.known([...new Set(reports.map((r) => r.status.jobId))]);
    const changes = new Map<number, JobBatchChange>();
    const change = (job: KnownJob): JobBatchChange => {
      let c = changes.get(job.id);
      if (!c)
        changes.set(job.id, (c = { job: { ...job }, fromState: job.state, fromAttempts: job.attempts, events: [] }));
      return c;
    };
    for (const { deviceId, status } of reports) {
      const current = changes.get(status.jobId)?.job ?? known.get(status.jobId);
      if (!current || current.deviceId !== deviceId) {
        refuseForeignJob(this.metrics, this.log, deviceId, status.jobId);
        continue;
      }
      const pacing = await this.rolloutFacts(current.rolloutId);
      const deadline = new Date(now.getTime() + pacing.jobTimeoutS * 1000);
      if (status.state === current.state && status.reason === null) {
        // Progress within a state (more chunks): keep the deadline moving while the device works.
        Object.assign(change(current).job, { chunksReceived: status.chunksReceived, deadlineAt: deadline });
        continue;
      }
      if (!otaJobMachine.canTransition(current.state, status.state)) {
        this.log.warn(`job ${current.id}: ignored ${status.state} from ${deviceId} (job is ${current.state})`);
        continue;
      }
      const c = change(current);
      c.events.push({ fromState: c.job.state, toState: status.state, reason: status.reason, source: 'device' });
      Object.assign(c.job, {
        state: status.state,
        reason: status.reason,
        chunksReceived: status.chunksReceived,
        deadlineAt: IN_FLIGHT_STATES.includes(status.state) ? deadline : null,
      });
      if (status.state === 'SUCCEEDED' && pacing.rollbackOf !== null) {
        // The rolled-back rollout's job for this device ends as ROLLED_BACK once the device is back on its old model.
        const original = await this.rollbacks.undoneJob(pacing.rollbackOf, deviceId);
        const fresh = original !== null && !changes.has(original.id);
        const o = original ? change(original) : null; // the batch's own copy if it already changed it
        if (o && o.job.state === 'SUCCEEDED') {
          o.events.push({
            fromState: 'SUCCEEDED',
            toState: 'ROLLED_BACK',
            reason: BACK_ON_PREVIOUS_MODEL,
            source: 'server',
          });
          Object.assign(o.job, { state: 'ROLLED_BACK', reason: BACK_ON_PREVIOUS_MODEL });
          // Together with the device's SUCCEEDED or not at all (if that job moved, its reports are replayed, and this with them).
          if (fresh) o.after = current.id;
        }
      }
    }
    const written = await this.jobs.writeBatch([...changes.values()], now);
    // Only reports are replayed: a rollback's original job that moved is no longer SUCCEEDED, and is left as it is.
    return new Set(reports.map((r) => r.status.jobId).filter((id) => changes.has(id) && !written.has(id)));
  }

  /** A rollout's timeout and rollback link (they never change after creation). */
  private rolloutFacts(rolloutId: number): Promise<{ jobTimeoutS: number; rollbackOf: number | null }> {
    return this.rolloutCache.getOrCreate(rolloutId, () => this.rollouts.deliveryFacts(rolloutId));
  }
}
