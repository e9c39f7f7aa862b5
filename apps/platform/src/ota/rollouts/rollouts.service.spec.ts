import type { EntityManager } from 'typeorm';
import { BadRequestException } from '@nestjs/common';
import { IllegalTransitionError } from '../../common/state-machine';
import type { DevicesRepository } from '../../devices/devices.repository';
import type { OpenJobsCanceller } from '../jobs/open-jobs-canceller';
import type { OtaJobsRepository } from '../jobs/ota-jobs.repository';
import type { ModelArtifactsRepository } from '../registry/model-artifacts.repository';
import type { RollbackRollout } from './rollback-rollout';
import { RolloutsService } from './rollouts.service';
import { InMemoryRollouts } from './testing/in-memory-rollouts';

describe('RolloutsService operator commands against repository ports', () => {
  let store: InMemoryRollouts;
  let canceled: Array<{ rolloutId: number; reason: string }>;
  let service: RolloutsService;

  beforeEach(() => {
    store = new InMemoryRollouts();
    canceled = [];
    const jobs = { countsByGroup: async () => [], skipped: async () => [] };
    const artifacts = {
      nameAndVersion: async () => ({ name: 'soil', version: '2.0.0' }),
      findForRollout: async (name: string, version: string) => ({
        id: 7,
        name,
        version,
        sha256: 'ab'.repeat(32),
        manifest: {},
        deviceManifest: Buffer.from([0]),
      }),
      // Not a flatbuffer with a TFL3 identifier: what a corrupted registry row would hold.
      modelBytesBySha256: async () => Buffer.from('not a tflite model at all'),
    };
    const canceller = {
      cancelOpen: async (rolloutId: number, reason: string) => void canceled.push({ rolloutId, reason }),
    };
    service = new RolloutsService(
      {} as EntityManager, // only create() opens a transaction
      store.port(),
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

  it('refuses a rollout whose .tflite cannot be read (the ops it needs are unknown) with a 400, creating nothing', async () => {
    const err = await service
      .create({
        model: { name: 'soil', version: '2.0.0' },
        target: { stream: 'soil' },
        groups: [{ percent: 100 }],
      } as never)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestException);
    expect((err as Error).message).toMatch(
      /^model soil 2\.0\.0: its \.tflite cannot be read \(.+\), so the ops it needs are unknown$/,
    );
    expect(store.rollouts.size).toBe(0);
  });
});
