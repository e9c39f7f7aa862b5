import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { EntityManager } from 'typeorm';
import { OpenJobsCanceller } from '../jobs/open-jobs-canceller';
import type { OtaJob } from '../jobs/ota-job.entity';
import { KnownJob, OtaJobsRepository } from '../jobs/ota-jobs.repository';
import { ModelArtifactsRepository } from '../registry/model-artifacts.repository';
import { rolloutMachine } from './rollout.state-machine';
import { RolloutsRepository } from './rollouts.repository';

/** Why a rolled-back rollout's job ends as ROLLED_BACK. */
export const BACK_ON_PREVIOUS_MODEL = 'device back on its previous model';

/**
 * Rollback, the one place it lives. `execute` puts every device that took a rollout's model back
 * on the model it ran before, through a new rollout per previous model (its own jobs and
 * history): devices still hold that model in their other slot, so they switch back without a
 * download; the previous model must be in the registry to be offered. The rolled-back rollout ends
 * ROLLED_BACK. `undoneJob` is the rule delivery applies when a rollback's job succeeds: the
 * original rollout's job for that device ends ROLLED_BACK with it. Operators reach `execute`
 * through the rollouts API, the executor when a health gate fails with autoRollback.
 */
@Injectable()
export class RollbackRollout {
  private readonly log = new Logger(RollbackRollout.name);

  constructor(
    @InjectEntityManager() private readonly m: EntityManager,
    private readonly rollouts: RolloutsRepository,
    private readonly jobs: OtaJobsRepository,
    private readonly artifacts: ModelArtifactsRepository,
    private readonly canceller: OpenJobsCanceller,
  ) {}

  /** Rolls back rollout `id` (only `deviceIds`, when given); returns the rollback rollouts created. */
  async execute(id: number, opts: { deviceIds?: string[]; reason?: string } = {}, now = new Date()): Promise<number[]> {
    const rollout = await this.rollouts.findById(id);
    if (!rollout) throw new NotFoundException(`rollout ${id} not found`);
    // Checked before anything is canceled or created; the final move checks it again, guarded.
    rolloutMachine.assertTransition(`rollout ${id}`, rollout.state, 'ROLLED_BACK');
    await this.canceller.cancelOpen(id, 'superseded', now);
    const done = await this.jobs.succeeded(id, opts.deviceIds);
    const byPrevious = new Map<string, OtaJob[]>();
    for (const job of done)
      if (job.fromSha256) byPrevious.set(job.fromSha256, [...(byPrevious.get(job.fromSha256) ?? []), job]);
    const created: number[] = [];
    let unknown = done.length - [...byPrevious.values()].flat().length;
    for (const [sha256, jobs] of byPrevious) {
      const previous = await this.artifacts.latestBySha256(sha256);
      if (!previous) {
        unknown += jobs.length;
        continue;
      }
      const back = await this.m.transaction(async (tx) => {
        const rollouts = this.rollouts.within(tx);
        const r = await rollouts.insert({
          name: `rollback of #${id} to ${previous.name} ${previous.version}`,
          artifactId: previous.id,
          target: { deviceIds: jobs.map((j) => j.deviceId) },
          pacing: {
            groups: [{ percent: 100, successThresholdPct: 100, errorThresholdPct: 100 }],
            jobTimeoutS: rollout.pacing.jobTimeoutS,
            maxAttempts: rollout.pacing.maxAttempts,
          },
          gates: { minDevicesPerSide: 1, autoRollback: false },
          errorAction: 'pause',
          stateReason: null,
          rollbackOf: id,
        });
        const [group] = await rollouts.insertGroups(r.id, [
          { idx: 0, successThresholdPct: 100, errorThresholdPct: 100 },
        ]);
        await this.jobs.insertNew(
          tx,
          r.id,
          previous.id,
          jobs.map((j) => ({ groupId: group!.id, deviceId: j.deviceId, fromSha256: null })),
        );
        await rollouts.transition(r, 'RUNNING', opts.reason ?? 'rollback requested by the operator', now);
        return r.id;
      });
      created.push(back);
    }
    await this.rollouts.transition(
      rollout,
      'ROLLED_BACK',
      `${opts.reason ?? 'rolled back by the operator'}: rollouts ${created.map((c) => `#${c}`).join(', ') || '(none)'}${unknown ? `; ${unknown} devices' previous model is unknown` : ''}`,
      now,
    );
    this.log.log(`rollout ${id} rolled back through ${created.length} rollout(s)`);
    return created;
  }

  /**
   * When a job of rollback rollout (of `rollbackOf`) succeeds on `deviceId`: the original rollout's
   * job it undoes, which then ends ROLLED_BACK (BACK_ON_PREVIOUS_MODEL) — null when there is none.
   */
  undoneJob(rollbackOf: number, deviceId: string): Promise<KnownJob | null> {
    return this.jobs.succeededJob(rollbackOf, deviceId);
  }
}
