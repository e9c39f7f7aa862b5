import type { EntityManager } from 'typeorm';
import { IllegalTransitionError } from '../../common/state-machine';
import type { DevicesRepository } from '../../devices/devices.repository';
import type { OpenJobsCanceller } from '../jobs/open-jobs-canceller';
import type { OtaJobsRepository } from '../jobs/ota-jobs.repository';
import type { ModelArtifactsRepository } from '../registry/model-artifacts.repository';
import type { RollbackRollout } from './rollback-rollout';
import type { RolloutGroup } from './rollout-group.entity';
import type { Rollout } from './rollout.entity';
import { rolloutGroupMachine, RolloutGroupState, rolloutMachine, RolloutState } from './rollout.state-machine';
import type { RolloutsRepository } from './rollouts.repository';
import { RolloutsService } from './rollouts.service';

/** rollouts and rollout_groups as maps, with the repository's guarded moves on the real tables. */
class InMemoryRollouts {
  readonly rollouts = new Map<number, Rollout>();
  readonly groups = new Map<number, RolloutGroup>();

  add(id: number, state: RolloutState, groups: RolloutGroupState[]): void {
    this.rollouts.set(id, {
      id,
      name: `r${id}`,
      artifactId: 1,
      state,
      stateReason: null,
      rollbackOf: null,
      target: {},
      pacing: { groups: [], jobTimeoutS: 60, maxAttempts: 1 },
      gates: { minDevicesPerSide: 3, autoRollback: false },
      errorAction: 'pause',
      startedAt: null,
      finishedAt: null,
      createdAt: new Date(0),
    } as unknown as Rollout);
    groups.forEach((g, idx) =>
      this.groups.set(id * 10 + idx, {
        id: id * 10 + idx,
        rolloutId: id,
        idx,
        state: g,
        successThresholdPct: 100,
        errorThresholdPct: 20,
        startedAt: null,
        finishedAt: null,
        gateReadings: null,
      } as RolloutGroup),
    );
  }

  async findById(id: number) {
    const r = this.rollouts.get(id);
    return r ? { ...r } : null;
  }

  async groupsOf(rolloutId: number) {
    return [...this.groups.values()].filter((g) => g.rolloutId === rolloutId).map((g) => ({ ...g }));
  }

  async transition(rollout: Rollout, to: RolloutState, reason: string) {
    await rolloutMachine.transition(`rollout ${rollout.id}`, rollout.state, to, async () => {
      const row = this.rollouts.get(rollout.id)!;
      if (row.state !== rollout.state) return 0;
      Object.assign(row, { state: to, stateReason: reason });
      return 1;
    });
    rollout.state = to;
  }

  async transitionGroup(group: RolloutGroup, to: RolloutGroupState) {
    await rolloutGroupMachine.transition(`rollout group ${group.id}`, group.state, to, async () => {
      const row = this.groups.get(group.id)!;
      if (row.state !== group.state) return 0;
      row.state = to;
      return 1;
    });
  }

  async setThresholds(groupId: number, t: { successThresholdPct?: number }) {
    if (t.successThresholdPct !== undefined) this.groups.get(groupId)!.successThresholdPct = t.successThresholdPct;
  }
}

describe('RolloutsService operator commands against repository ports', () => {
  let store: InMemoryRollouts;
  let canceled: Array<{ rolloutId: number; reason: string }>;
  let service: RolloutsService;

  beforeEach(() => {
    store = new InMemoryRollouts();
    canceled = [];
    const rollouts = {
      findById: (id: number) => store.findById(id),
      groups: (id: number) => store.groupsOf(id),
      transition: (r: Rollout, to: RolloutState, reason: string) => store.transition(r, to, reason),
      transitionGroup: (g: RolloutGroup, to: RolloutGroupState) => store.transitionGroup(g, to),
      setThresholds: (id: number, t: { successThresholdPct?: number }) => store.setThresholds(id, t),
    };
    const jobs = { countsByGroup: async () => [], skipped: async () => [] };
    const artifacts = { nameAndVersion: async () => ({ name: 'soil', version: '2.0.0' }) };
    const canceller = {
      cancelOpen: async (rolloutId: number, reason: string) => void canceled.push({ rolloutId, reason }),
    };
    service = new RolloutsService(
      {} as EntityManager, // only create() opens a transaction
      rollouts as unknown as RolloutsRepository,
      {} as DevicesRepository,
      jobs as unknown as OtaJobsRepository,
      artifacts as unknown as ModelArtifactsRepository,
      canceller as unknown as OpenJobsCanceller,
      {} as RollbackRollout,
    );
  });

  it('abort cancels the groups not started or under way, keeps a failed one FAILED, and cancels open jobs', async () => {
    store.add(1, 'PAUSED', ['FINISHED', 'FAILED', 'READY']);
    const s = await service.abort(1);
    expect(s.state).toBe('ABORTED');
    expect(s.allowedActions).toEqual([]);
    expect(s.groups.map((g) => g.state)).toEqual(['FINISHED', 'FAILED', 'CANCELED']);
    expect(canceled).toEqual([{ rolloutId: 1, reason: 'aborted' }]);
  });

  it('resume moves PAUSED back to RUNNING and may lower the current group’s success threshold', async () => {
    store.add(2, 'PAUSED', ['FAILED', 'READY']);
    const s = await service.resume(2, { successThresholdPct: 50 });
    expect(s).toMatchObject({ state: 'RUNNING', allowedActions: ['pause', 'abort', 'rollback'] });
    expect(s.groups[0]).toMatchObject({ state: 'FAILED', successThresholdPct: 50 });
  });

  it('refuses a command the table does not have, names the rule and changes nothing', async () => {
    store.add(3, 'FINISHED', ['FINISHED']);
    await expect(service.pause(3)).rejects.toThrow(
      new IllegalTransitionError('rollout 3: FINISHED → PAUSED is not allowed (from FINISHED: ROLLED_BACK)'),
    );
    await expect(service.abort(3)).rejects.toThrow(IllegalTransitionError);
    expect(store.rollouts.get(3)!.state).toBe('FINISHED');
    expect(canceled).toEqual([]);
  });
});
