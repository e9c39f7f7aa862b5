import type { OpenJobsCanceller } from '../jobs/open-jobs-canceller';
import { OtaJob } from '../jobs/ota-job.entity';
import { otaJobMachine, type OtaJobState } from '../jobs/ota-job.state-machine';
import type { JobBatchChange, OtaJobsRepository } from '../jobs/ota-jobs.repository';
import type { OtaDispatcher } from '../delivery/ota-dispatcher.port';
import type { ModelArtifactsRepository } from '../registry/model-artifacts.repository';
import type { GateEvidence } from './gate-evidence';
import type { RollbackRollout } from './rollback-rollout';
import { RolloutExecutor } from './rollout-executor';
import type { RolloutLease } from './rollout-lease';
import { InMemoryRollouts } from './testing/in-memory-rollouts';

const LEASE = { owner: 'inst-test', ms: 30_000 } as RolloutLease;

/** ota_jobs as a map: the executor's reads and its batch write, applied only where the row is as seen. */
class InMemoryJobs {
  readonly rows = new Map<number, OtaJob>();
  readonly offers: Array<{ id: number; form: string; chunkCount: number }> = [];

  add(id: number, groupId: number, state: OtaJob['state']): void {
    this.rows.set(
      id,
      Object.assign(new OtaJob(), {
        id,
        rolloutId: 1,
        groupId,
        deviceId: `dev-${id}`,
        artifactId: 1,
        fromSha256: null,
        state,
        reason: null,
        attempts: 0,
        chunksReceived: 0,
        deadlineAt: null,
      }),
    );
  }

  port(): OtaJobsRepository {
    return {
      ofGroup: async (groupId: number) =>
        [...this.rows.values()].filter((j) => j.groupId === groupId).map((j) => Object.assign(new OtaJob(), j)),
      writeBatch: async (changes: JobBatchChange[]) => {
        const written = new Set<number>();
        for (const c of changes) {
          const row = this.rows.get(c.job.id)!;
          if (row.state !== c.fromState || row.attempts !== c.fromAttempts) continue;
          Object.assign(row, c.job);
          written.add(c.job.id);
        }
        return written;
      },
      recordOffers: async (offers: Array<{ id: number; form: string; chunkCount: number }>) =>
        void this.offers.push(...offers),
      // As the repository's: the table first, then a write only where the row is still in its state.
      transition: async (job: OtaJob, to: OtaJobState, reason: string | null, _source: string, extras = {}) => {
        otaJobMachine.assertTransition(`job ${job.id}`, job.state, to);
        const row = this.rows.get(job.id)!;
        if (row.state !== job.state) return null;
        Object.assign(row, { state: to, reason, ...extras });
        return Object.assign(new OtaJob(), row);
      },
    } as unknown as OtaJobsRepository;
  }
}

describe('RolloutExecutor against repository ports', () => {
  let rollouts: InMemoryRollouts;
  let jobs: InMemoryJobs;
  let executor: RolloutExecutor;
  const offered: number[] = [];
  const now = new Date('2026-12-01T10:00:00Z');

  beforeEach(() => {
    rollouts = new InMemoryRollouts();
    jobs = new InMemoryJobs();
    offered.length = 0;
    const dispatcher = {
      offer: async (job: { id: number }) => (offered.push(job.id), { form: 'full' as const, chunkCount: 3 }),
      cancel: async () => undefined,
    };
    executor = new RolloutExecutor(
      rollouts.port(),
      jobs.port(),
      {} as ModelArtifactsRepository, // no gates configured: never asked
      {} as GateEvidence,
      dispatcher as unknown as OtaDispatcher,
      {} as OpenJobsCanceller,
      {} as RollbackRollout,
      LEASE,
    );
  });

  it('starts the first group and offers its queued jobs in one batch, recording what was offered', async () => {
    rollouts.add(1, 'RUNNING', ['READY', 'READY']);
    jobs.add(1, 10, 'QUEUED');
    jobs.add(2, 10, 'QUEUED');
    jobs.add(3, 11, 'QUEUED');
    await executor.tick(now);
    expect([...rollouts.groups.values()].map((g) => g.state)).toEqual(['RUNNING', 'READY']);
    expect(offered).toEqual([1, 2]);
    expect(jobs.rows.get(1)).toMatchObject({ state: 'NOTIFIED', attempts: 1 });
    expect(jobs.rows.get(3)!.state).toBe('QUEUED');
    expect(jobs.offers).toEqual([
      { id: 1, form: 'full', chunkCount: 3 },
      { id: 2, form: 'full', chunkCount: 3 },
    ]);
  });

  it('times out an overdue APPLYING job instead of offering it again (the table has no APPLYING → NOTIFIED)', async () => {
    rollouts.add(1, 'RUNNING', ['RUNNING']);
    rollouts.rollouts.get(1)!.pacing.maxAttempts = 3;
    jobs.add(1, 10, 'APPLYING');
    jobs.add(2, 10, 'DOWNLOADING');
    for (const id of [1, 2])
      Object.assign(jobs.rows.get(id)!, { attempts: 1, deadlineAt: new Date(now.getTime() - 1) });
    await expect(executor.tick(now)).resolves.toBeUndefined();
    expect(jobs.rows.get(1)).toMatchObject({ state: 'TIMED_OUT', reason: expect.stringMatching(/while applying/) });
    expect(jobs.rows.get(2)).toMatchObject({ state: 'NOTIFIED', attempts: 2 });
    expect(offered).toEqual([2]);
  });

  it('finishes the rollout when its last group has succeeded', async () => {
    rollouts.add(1, 'RUNNING', ['FINISHED', 'RUNNING']);
    jobs.add(1, 11, 'SUCCEEDED');
    await executor.tick(now);
    expect([...rollouts.groups.values()].map((g) => g.state)).toEqual(['FINISHED', 'FINISHED']);
    expect(rollouts.rollouts.get(1)).toMatchObject({ state: 'FINISHED', stateReason: 'all 2 groups finished' });
  });

  it('leaves a rollout the operator paused meanwhile as the operator left it', async () => {
    rollouts.add(1, 'RUNNING', ['RUNNING']);
    jobs.add(1, 10, 'SUCCEEDED');
    const port = rollouts.port();
    // The operator's pause lands between the executor's read of the running rollouts and its write.
    const running = port.running.bind(port);
    port.running = async (lease) => {
      const list = await running(lease);
      rollouts.rollouts.get(1)!.state = 'PAUSED';
      return list;
    };
    executor = new RolloutExecutor(
      port,
      jobs.port(),
      {} as ModelArtifactsRepository,
      {} as GateEvidence,
      {} as OtaDispatcher,
      {} as OpenJobsCanceller,
      {} as RollbackRollout,
      LEASE,
    );
    await expect(executor.tick(now)).resolves.toBeUndefined();
    expect(rollouts.rollouts.get(1)!.state).toBe('PAUSED');
  });
});
