import { allowedDeviceActions, deviceLifecycleMachine } from '../devices/device-lifecycle';
import { allowedRolloutActions } from '../ota/rollouts/rollout.state-machine';
import { defineStateMachine, IllegalTransitionError, StaleTransitionError } from './state-machine';

describe('guarded transitions', () => {
  const machine = defineStateMachine<'A' | 'B' | 'C'>({ A: ['B'], B: ['C'], C: [] });

  it('writes only what the table allows, and says when the table refused', async () => {
    const writes: string[] = [];
    await machine.transition('thing 1', 'A', 'B', async () => (writes.push('A→B'), 1));
    await expect(machine.transition('thing 1', 'A', 'C', async () => (writes.push('A→C'), 1))).rejects.toThrow(
      new IllegalTransitionError('thing 1: A → C is not allowed (from A: B)'),
    );
    await expect(machine.transition('thing 1', 'C', 'A', async () => 1)).rejects.toThrow(
      'thing 1: C → A is not allowed (from C: nothing, it is final)',
    );
    expect(writes).toEqual(['A→B']);
  });

  it('says when the row had moved on (no row changed) rather than pretending it applied', async () => {
    const err = await machine.transition('thing 2', 'B', 'C', async () => 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StaleTransitionError);
    expect((err as Error).message).toBe('thing 2: B → C was not applied: it is no longer B');
    await expect(machine.transition('thing 3', 'B', 'C', async () => 2)).rejects.toThrow('changed 2 rows, expected 1');
  });

  it('derives what an operator may do from the tables', () => {
    expect(allowedRolloutActions('READY')).toEqual(['resume', 'abort']);
    expect(allowedRolloutActions('RUNNING')).toEqual(['pause', 'abort', 'rollback']);
    expect(allowedRolloutActions('PAUSED')).toEqual(['resume', 'abort', 'rollback']);
    expect(allowedRolloutActions('FINISHED')).toEqual(['rollback']);
    expect(allowedRolloutActions('ABORTED')).toEqual([]);
    expect(allowedDeviceActions('PROVISIONED')).toEqual(['decommission']);
    expect(allowedDeviceActions('ACTIVE')).toEqual(['suspend', 'decommission']);
    expect(allowedDeviceActions('SUSPENDED')).toEqual(['resume', 'decommission']);
    expect(allowedDeviceActions('DECOMMISSIONED')).toEqual([]);
    expect(deviceLifecycleMachine.terminal).toEqual(['DECOMMISSIONED']);
  });
});
