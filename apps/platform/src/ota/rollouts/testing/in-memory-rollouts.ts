import type { RolloutGroup } from '../rollout-group.entity';
import type { Rollout } from '../rollout.entity';
import { rolloutGroupMachine, RolloutGroupState, rolloutMachine, RolloutState } from '../rollout.state-machine';
import type { RolloutsRepository } from '../rollouts.repository';

/** rollouts and rollout_groups as maps, with the repository's guarded moves on the real tables. */
export class InMemoryRollouts {
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

  /** One process: it holds every lease. */
  async running() {
    return [...this.rollouts.values()].filter((r) => r.state === 'RUNNING').map((r) => ({ ...r }));
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
    group.state = to;
  }

  async setThresholds(groupId: number, t: { successThresholdPct?: number }) {
    if (t.successThresholdPct !== undefined) this.groups.get(groupId)!.successThresholdPct = t.successThresholdPct;
  }

  async setGateReadings() {}

  /** The port as the services see it. */
  port(): RolloutsRepository {
    return {
      findById: (id: number) => this.findById(id),
      running: () => this.running(),
      groups: (id: number) => this.groupsOf(id),
      transition: (r: Rollout, to: RolloutState, reason: string) => this.transition(r, to, reason),
      transitionGroup: (g: RolloutGroup, to: RolloutGroupState) => this.transitionGroup(g, to),
      setThresholds: (id: number, t: { successThresholdPct?: number }) => this.setThresholds(id, t),
      setGateReadings: () => this.setGateReadings(),
    } as unknown as RolloutsRepository;
  }
}
