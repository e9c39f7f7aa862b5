import { Injectable, Logger } from '@nestjs/common';
import { DEFAULT_DRIFT_THRESHOLDS } from '@tinyfleet/drift';
import { modelTagOf } from '@tinyfleet/wire';
import { StaleTransitionError } from '../../common/state-machine';
import { OtaDispatcher } from '../delivery/ota-dispatcher.port';
import { OpenJobsCanceller } from '../jobs/open-jobs-canceller';
import { OtaJob } from '../jobs/ota-job.entity';
import { IN_FLIGHT_STATES, OtaJobState, otaJobMachine } from '../jobs/ota-job.state-machine';
import { OtaJobsRepository } from '../jobs/ota-jobs.repository';
import { ModelArtifactsRepository } from '../registry/model-artifacts.repository';
import { GateEvidence } from './gate-evidence';
import { evaluateGates, GateReadings, SideStats } from './health-gates';
import { notificationBudget } from './pacing';
import { RollbackRollout } from './rollback-rollout';
import { RolloutGroup } from './rollout-group.entity';
import { RolloutLease } from './rollout-lease';
import { Rollout } from './rollout.entity';
import { RolloutGroupState, RolloutState } from './rollout.state-machine';
import { RolloutsRepository } from './rollouts.repository';

/** Device failures worth another offer; the rest (bad signature, failed self-test…) will fail again. */
const RETRYABLE_FAILURES = new Set(['corrupt-chunk', 'hash-mismatch', 'power-loss', 'busy', 'timeout']);

export interface GroupCounts {
  total: number;
  succeeded: number;
  errors: number;
  inFlight: number;
  queued: number;
}

/**
 * The rollout engine, hawkBit's polling executor shape: `tick(now)` reads persisted state and moves
 * every running rollout one step — time out or retry overdue jobs, notify queued devices within the
 * pacing budget, judge the current group against its error threshold, success threshold and health
 * gates, and start the next group. Idempotent: a tick that finds nothing to do changes nothing, and
 * a tick after a platform restart simply continues. Every rollout, group and job move goes through
 * its repository's guarded transition: a rollout an operator moved meanwhile (paused, aborted)
 * ends this tick for that rollout, and the next tick reads it as it is. With several platform
 * instances, each tick drives only the rollouts this instance holds the lease of (RolloutLease):
 * two instances never both drive one rollout's jobs, and a dead instance's rollouts move on to
 * another once its leases run out.
 */
@Injectable()
export class RolloutExecutor {
  private readonly log = new Logger(RolloutExecutor.name);

  constructor(
    private readonly rollouts: RolloutsRepository,
    private readonly jobs: OtaJobsRepository,
    private readonly artifacts: ModelArtifactsRepository,
    private readonly evidence: GateEvidence,
    private readonly dispatcher: OtaDispatcher,
    private readonly canceller: OpenJobsCanceller,
    private readonly rollbacks: RollbackRollout,
    private readonly lease: RolloutLease,
  ) {}

  async tick(now: Date = new Date()): Promise<void> {
    for (const rollout of await this.rollouts.running(this.lease)) {
      try {
        await this.tickRollout(rollout, now);
      } catch (err) {
        if (err instanceof StaleTransitionError) this.log.log(`rollout ${rollout.id}: ${err.message}`);
        else
          this.log.error(`rollout ${rollout.id}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    }
  }

  private async tickRollout(rollout: Rollout, now: Date): Promise<void> {
    const groups = await this.rollouts.groups(rollout.id);
    const group = groups.find((g) => g.state === 'READY' || g.state === 'RUNNING' || g.state === 'FAILED');
    if (!group) return this.setRolloutState(rollout, 'FINISHED', `all ${groups.length} groups finished`, now);
    if (group.state !== 'RUNNING') await this.setGroupState(group, 'RUNNING', now);

    const jobs = await this.jobs.ofGroup(group.id);
    await this.expireAndRetry(rollout, jobs, now);
    await this.dispatchQueued(rollout, jobs, now);

    const counts = countJobs(jobs, rollout.pacing.maxAttempts);
    if (counts.total === 0) return this.setGroupState(group, 'FINISHED', now);
    const errorPct = (100 * counts.errors) / counts.total;
    if (counts.errors > 0 && errorPct >= group.errorThresholdPct) {
      await this.setGroupState(group, 'FAILED', now);
      const reason = `group ${group.idx + 1}: ${counts.errors} of ${counts.total} devices failed (${Math.round(errorPct)} % ≥ error threshold ${group.errorThresholdPct} %)`;
      return this.stopForErrors(rollout, reason, now);
    }
    const successPct = (100 * counts.succeeded) / counts.total;
    if (successPct >= group.successThresholdPct) {
      const gates = await this.judgeGates(rollout, group, groups, now);
      if (gates === 'wait') return;
      if (gates !== 'pass') return this.breach(rollout, group, jobs, gates, now);
      await this.setGroupState(group, 'FINISHED', now);
      const next = groups.find((g) => g.idx === group.idx + 1);
      if (!next) await this.setRolloutState(rollout, 'FINISHED', `all ${groups.length} groups finished`, now);
      return;
    }
    if (counts.inFlight === 0 && counts.queued === 0) {
      await this.setGroupState(group, 'FAILED', now);
      await this.setRolloutState(
        rollout,
        'PAUSED',
        `group ${group.idx + 1} ended with ${counts.succeeded} of ${counts.total} succeeded (${Math.round(successPct)} % < success threshold ${group.successThresholdPct} %)`,
        now,
      );
    }
  }

  /** Overdue in-flight jobs get another offer while attempts remain, then time out; retryable failures are offered again. */
  private async expireAndRetry(rollout: Rollout, jobs: OtaJob[], now: Date): Promise<void> {
    const { maxAttempts, jobTimeoutS } = rollout.pacing;
    for (const [i, job] of jobs.entries()) {
      const overdue =
        IN_FLIGHT_STATES.includes(job.state) && job.deadlineAt !== null && job.deadlineAt.getTime() <= now.getTime();
      const retryableFailure =
        job.state === 'FAILED' && RETRYABLE_FAILURES.has(job.reason ?? '') && job.attempts < maxAttempts;
      if (!overdue && !retryableFailure) continue;
      // An APPLYING device is switching slots with the whole model in hand: another offer would only
      // restart the transfer (the table has no APPLYING → NOTIFIED), so an overdue switch times out.
      if (job.attempts < maxAttempts && otaJobMachine.canTransition(job.state, 'NOTIFIED')) {
        const why = overdue
          ? `no answer within ${jobTimeoutS} s: offer ${job.attempts + 1} of ${maxAttempts}`
          : `retry after ${job.reason}: offer ${job.attempts + 1} of ${maxAttempts}`;
        const moved = await this.jobs.transition(
          job,
          'NOTIFIED',
          why,
          'server',
          { attempts: job.attempts + 1, deadlineAt: deadline(now, jobTimeoutS) },
          now,
        );
        if (moved) {
          jobs[i] = moved;
          await this.dispatcher.offer(moved);
        }
      } else {
        const moved = await this.jobs.transition(
          job,
          'TIMED_OUT',
          job.state === 'APPLYING'
            ? `no answer within ${jobTimeoutS} s while applying`
            : `no answer within ${jobTimeoutS} s after ${maxAttempts} offers`,
          'server',
          { deadlineAt: null },
          now,
        );
        if (moved) {
          jobs[i] = moved;
          await this.dispatcher.cancel(moved, 'timed-out');
        }
      }
    }
  }

  private async dispatchQueued(rollout: Rollout, jobs: OtaJob[], now: Date): Promise<void> {
    const queued = jobs.filter((j) => j.state === 'QUEUED');
    if (queued.length === 0) return;
    let budget = Number.POSITIVE_INFINITY;
    if (rollout.pacing.rate) {
      const { total, lastMinute } = await this.jobs.notificationCounts(rollout.id, now);
      budget = notificationBudget(rollout.pacing.rate, total, lastMinute);
    }
    const batch = queued.slice(0, Number.isFinite(budget) ? budget : undefined);
    if (batch.length === 0) return;
    const notified = batch.map((job) => {
      const next = Object.assign(new OtaJob(), job, {
        state: 'NOTIFIED',
        reason: null,
        attempts: 1,
        deadlineAt: deadline(now, rollout.pacing.jobTimeoutS),
      });
      jobs[jobs.indexOf(job)] = next;
      return {
        job: next,
        fromState: job.state,
        fromAttempts: job.attempts,
        events: [{ fromState: job.state, toState: 'NOTIFIED' as const, reason: null, source: 'server' as const }],
      };
    });
    // One statement for the whole wave, then the offers (a slow or absent device delays nobody).
    const applied = await this.jobs.writeBatch(notified, now);
    const sent = notified.filter((n) => applied.has(n.job.id)).map((n) => n.job);
    const offered = await Promise.all(sent.map((job) => this.dispatcher.offer(job)));
    await this.jobs.recordOffers(sent.map((j, i) => ({ id: j.id, ...offered[i]! })));
  }

  /**
   * Health gates compare this group's updated devices with the rollout's devices still on their old
   * model, over the time since the group started; they wait for the soak time and enough devices.
   */
  private async judgeGates(
    rollout: Rollout,
    group: RolloutGroup,
    groups: RolloutGroup[],
    now: Date,
  ): Promise<'pass' | 'wait' | string[]> {
    const gates = rollout.gates;
    const checks =
      gates.maxEventRateChange ??
      gates.maxScoreShiftQ ??
      gates.maxEnergyPerInferenceRatio ??
      gates.maxAccuracyDropPct ??
      gates.maxDriftPsi;
    if (checks === undefined) return 'pass';
    const since = group.startedAt ?? now;
    if (now.getTime() - since.getTime() < (gates.soakS ?? 0) * 1000) return 'wait';
    const laterGroups = groups.filter((g) => g.idx > group.idx).map((g) => g.id);
    const sha256 = await this.artifacts.sha256Of(rollout.artifactId);
    const updatedSide = { groupIds: [group.id], jobStates: ['SUCCEEDED' as const] };
    const newModel = { tags: [modelTagOf(Buffer.from(sha256, 'hex'))] };
    const updated = await this.evidence.side(updatedSide, newModel, since, now);
    const control = laterGroups.length
      ? await this.evidence.side({ groupIds: laterGroups, jobStates: ['QUEUED', 'SKIPPED'] }, 'active-slot', since, now)
      : emptySide();
    if (gates.maxDriftPsi !== undefined) {
      updated.summaryReference = await this.evidence.driftReference(sha256);
      const minInferences = gates.minDriftInferences ?? DEFAULT_DRIFT_THRESHOLDS.minInferences;
      Object.assign(updated, await this.evidence.firstWindow(updatedSide, newModel, since, now, minInferences));
      control.driftingCohorts = await this.evidence.driftingOldModel(groups.map((g) => g.id));
    }
    const readings: GateReadings = evaluateGates(gates, updated, control, now);
    if (laterGroups.length === 0)
      readings.notJudged.push('last group: no devices left on the old model to compare with');
    await this.rollouts.setGateReadings(group.id, readings);
    if (readings.pass === false) return readings.breaches;
    // Not enough devices with events yet: wait, but not forever (a quiet stream may never get there).
    // The last group has no devices left on the old model to compare with: nothing to judge against.
    const maxWaitMs = (gates.maxWaitS ?? 3600) * 1000;
    if (readings.pass === null && laterGroups.length > 0 && now.getTime() - since.getTime() < maxWaitMs) return 'wait';
    return 'pass';
  }

  /** A health gate failed: pause, and with autoRollback put the group's updated devices back on their old model. */
  private async breach(
    rollout: Rollout,
    group: RolloutGroup,
    jobs: OtaJob[],
    breaches: string[],
    now: Date,
  ): Promise<void> {
    const reason = `group ${group.idx + 1} health gates: ${breaches.join('; ')}`;
    await this.setGroupState(group, 'FAILED', now);
    await this.setRolloutState(rollout, 'PAUSED', reason, now);
    if (!rollout.gates.autoRollback) return;
    const updated = jobs.filter((j) => j.state === 'SUCCEEDED').map((j) => j.deviceId);
    await this.rollbacks.execute(rollout.id, { deviceIds: updated, reason: `automatic rollback: ${reason}` }, now);
  }

  private async stopForErrors(rollout: Rollout, reason: string, now: Date): Promise<void> {
    if (rollout.errorAction === 'pause') return this.setRolloutState(rollout, 'PAUSED', reason, now);
    await this.setRolloutState(rollout, 'ABORTED', reason, now);
    await this.canceller.cancelOpen(rollout.id, 'aborted', now);
  }

  private async setRolloutState(rollout: Rollout, to: RolloutState, reason: string, now: Date): Promise<void> {
    await this.rollouts.transition(rollout, to, reason, now);
    this.log.log(`rollout ${rollout.id} ${to}: ${reason}`);
  }

  private setGroupState(group: RolloutGroup, to: RolloutGroupState, now: Date): Promise<void> {
    return this.rollouts.transitionGroup(group, to, now);
  }
}

export function countJobs(jobs: OtaJob[], maxAttempts: number): GroupCounts {
  const counted = jobs.filter((j) => j.state !== 'SKIPPED' && j.state !== 'CANCELED');
  const finalFailure = (j: OtaJob): boolean =>
    j.state === 'REJECTED' ||
    j.state === 'TIMED_OUT' ||
    (j.state === 'FAILED' && (!RETRYABLE_FAILURES.has(j.reason ?? '') || j.attempts >= maxAttempts));
  return {
    total: counted.length,
    succeeded: counted.filter((j) => j.state === 'SUCCEEDED' || j.state === 'ROLLED_BACK').length,
    errors: counted.filter(finalFailure).length,
    inFlight: counted.filter((j) => IN_FLIGHT_STATES.includes(j.state) || (j.state === 'FAILED' && !finalFailure(j)))
      .length,
    queued: counted.filter((j) => j.state === ('QUEUED' as OtaJobState)).length,
  };
}

function deadline(now: Date, timeoutS: number): Date {
  return new Date(now.getTime() + timeoutS * 1000);
}

function emptySide(): SideStats {
  return {
    devices: 0,
    events: 0,
    deviceHours: 0,
    eventsPerDeviceHour: null,
    meanScoreQ: null,
    meanEnergyUj: null,
    accuracyInferences: 0,
    accuracyCorrect: 0,
    accuracyPct: null,
    accuracyDevices: 0,
  };
}
