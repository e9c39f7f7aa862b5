import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { EntityManager, In } from 'typeorm';
import type { GateReadings } from './health-gates';
import type { RolloutLease } from './rollout-lease';
import { RolloutGroup } from './rollout-group.entity';
import { Rollout } from './rollout.entity';
import { rolloutGroupMachine, RolloutGroupState, rolloutMachine, RolloutState } from './rollout.state-machine';

export type NewRollout = Pick<
  Rollout,
  'name' | 'artifactId' | 'target' | 'pacing' | 'gates' | 'errorAction' | 'stateReason' | 'rollbackOf'
>;

export type NewGroup = Pick<RolloutGroup, 'idx' | 'successThresholdPct' | 'errorThresholdPct'>;

/** The states a rollout ends in: it gets its finishedAt when it reaches one. */
const ENDS: readonly RolloutState[] = ['FINISHED', 'ABORTED', 'ROLLED_BACK'];

/**
 * rollouts and rollout_groups. Every state change goes through `transition` / `transitionGroup`:
 * checked against the tables in rollout.state-machine.ts and applied only where the row is still
 * in the state the caller saw (an operator's pause racing the executor's tick loses or wins
 * cleanly, never half). Works on its own connection or, through `within`, in a caller's transaction.
 */
@Injectable()
export class RolloutsRepository {
  constructor(@InjectEntityManager() private readonly m: EntityManager) {}

  within(tx: EntityManager): RolloutsRepository {
    return new RolloutsRepository(tx);
  }

  /** A new rollout, READY: it starts through `transition` like every other move. */
  async insert(r: NewRollout): Promise<Rollout> {
    const repo = this.m.getRepository(Rollout);
    return repo.save(repo.create({ ...r, state: 'READY' }));
  }

  /** Its groups, READY, in order. */
  insertGroups(rolloutId: number, groups: NewGroup[]): Promise<RolloutGroup[]> {
    return this.m.getRepository(RolloutGroup).save(
      groups.map((g) => ({
        ...g,
        rolloutId,
        state: 'READY' as const,
        startedAt: null,
        finishedAt: null,
        gateReadings: null,
      })),
    );
  }

  findById(id: number): Promise<Rollout | null> {
    return this.m.getRepository(Rollout).findOneBy({ id });
  }

  /** The newest rollouts' ids, newest first. */
  async latestIds(limit: number): Promise<number[]> {
    const rows = await this.m.getRepository(Rollout).find({ select: { id: true }, order: { id: 'DESC' }, take: limit });
    return rows.map((r) => r.id);
  }

  /**
   * The running rollouts `lease.owner` may drive now: those it holds and those whose lease is free
   * or ran out, each (re)leased to it until database time + `lease.ms`. Rows another instance is
   * leasing this very moment are skipped, not waited for (FOR UPDATE SKIP LOCKED).
   */
  async running(lease: Pick<RolloutLease, 'owner' | 'ms'>): Promise<Rollout[]> {
    const rows: Array<{ id: number }> = await this.m.query(
      // A SELECT around the UPDATE: TypeORM returns an UPDATE's rows wrapped with its row count.
      `WITH leased AS (
         UPDATE rollouts SET lease_owner = $1, lease_until = now() + $2 * interval '1 millisecond'
         WHERE id IN (
           SELECT id FROM rollouts
           WHERE state = 'RUNNING' AND (lease_owner = $1 OR lease_until IS NULL OR lease_until <= now())
           ORDER BY id FOR UPDATE SKIP LOCKED)
         RETURNING id)
       SELECT id FROM leased`,
      [lease.owner, lease.ms],
    );
    if (rows.length === 0) return [];
    return this.m.getRepository(Rollout).find({ where: { id: In(rows.map((r) => r.id)) }, order: { id: 'ASC' } });
  }

  /** Hands `owner`'s leases back (a clean shutdown): other instances need not wait for them to run out. */
  async releaseLeases(owner: string): Promise<void> {
    await this.m.query(`UPDATE rollouts SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1`, [owner]);
  }

  groups(rolloutId: number): Promise<RolloutGroup[]> {
    return this.m.getRepository(RolloutGroup).find({ where: { rolloutId }, order: { idx: 'ASC' } });
  }

  /** What delivery needs of a job's rollout; both never change after creation. */
  async deliveryFacts(id: number): Promise<{ jobTimeoutS: number; rollbackOf: number | null }> {
    const r = await this.m
      .getRepository(Rollout)
      .findOneOrFail({ where: { id }, select: { id: true, pacing: true, rollbackOf: true } });
    return { jobTimeoutS: r.pacing.jobTimeoutS, rollbackOf: r.rollbackOf };
  }

  /**
   * `rollout.state → to` with its reason; stamps startedAt on the first RUNNING and finishedAt on an
   * end. Updates `rollout` in place once written.
   */
  async transition(rollout: Rollout, to: RolloutState, reason: string, now: Date): Promise<void> {
    const stamps = {
      ...(to === 'RUNNING' && !rollout.startedAt ? { startedAt: now } : {}),
      ...(ENDS.includes(to) ? { finishedAt: now } : {}),
    };
    await rolloutMachine.transition(`rollout ${rollout.id}`, rollout.state, to, async () => {
      const res = await this.m
        .getRepository(Rollout)
        .update({ id: rollout.id, state: rollout.state }, { state: to, stateReason: reason, ...stamps });
      return res.affected ?? 0;
    });
    Object.assign(rollout, { state: to, stateReason: reason }, stamps);
  }

  /** `group.state → to`; stamps startedAt on the first RUNNING and finishedAt on FINISHED, FAILED or CANCELED. */
  async transitionGroup(group: RolloutGroup, to: RolloutGroupState, now: Date): Promise<void> {
    const stamps = to === 'RUNNING' ? { startedAt: group.startedAt ?? now } : to === 'READY' ? {} : { finishedAt: now };
    await rolloutGroupMachine.transition(`rollout group ${group.id}`, group.state, to, async () => {
      const res = await this.m
        .getRepository(RolloutGroup)
        .update({ id: group.id, state: group.state }, { state: to, ...stamps });
      return res.affected ?? 0;
    });
    Object.assign(group, { state: to }, stamps);
  }

  /** An operator's new thresholds for a group (to accept what it reached, or tolerate more failures). */
  async setThresholds(groupId: number, t: { successThresholdPct?: number; errorThresholdPct?: number }): Promise<void> {
    const set = Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined));
    if (Object.keys(set).length > 0) await this.m.getRepository(RolloutGroup).update({ id: groupId }, set);
  }

  async setGateReadings(groupId: number, readings: GateReadings): Promise<void> {
    await this.m.getRepository(RolloutGroup).update({ id: groupId }, { gateReadings: readings });
  }
}
