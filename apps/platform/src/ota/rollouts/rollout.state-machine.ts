import { defineStateMachine } from '../../common/state-machine';

/**
 * Rollout: READY → RUNNING ⇄ PAUSED → FINISHED; an operator may abort (terminal) or roll back
 * (devices that took the update get the previous model again, through a rollback rollout).
 */
export const ROLLOUT_STATES = ['READY', 'RUNNING', 'PAUSED', 'FINISHED', 'ABORTED', 'ROLLED_BACK'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

export const rolloutMachine = defineStateMachine<RolloutState>({
  READY: ['RUNNING', 'ABORTED'],
  RUNNING: ['PAUSED', 'FINISHED', 'ABORTED', 'ROLLED_BACK'],
  PAUSED: ['RUNNING', 'ABORTED', 'ROLLED_BACK'],
  FINISHED: ['ROLLED_BACK'],
  ABORTED: [],
  ROLLED_BACK: [],
});

/** The operator commands on a rollout and the state each moves it to. */
export const ROLLOUT_OPERATOR_ACTIONS = {
  pause: 'PAUSED',
  resume: 'RUNNING',
  abort: 'ABORTED',
  rollback: 'ROLLED_BACK',
} as const satisfies Record<string, RolloutState>;
export type RolloutOperatorAction = keyof typeof ROLLOUT_OPERATOR_ACTIONS;

/** The commands the table allows from `state` (the API returns them, so clients need not know the table). */
export function allowedRolloutActions(state: RolloutState): RolloutOperatorAction[] {
  return (Object.keys(ROLLOUT_OPERATOR_ACTIONS) as RolloutOperatorAction[]).filter((a) =>
    rolloutMachine.canTransition(state, ROLLOUT_OPERATOR_ACTIONS[a]),
  );
}

/** RolloutGroup: a wave. FAILED when it ended below its success threshold or tripped its error threshold. */
export const ROLLOUT_GROUP_STATES = ['READY', 'RUNNING', 'FINISHED', 'FAILED', 'CANCELED'] as const;
export type RolloutGroupState = (typeof ROLLOUT_GROUP_STATES)[number];

export const rolloutGroupMachine = defineStateMachine<RolloutGroupState>({
  READY: ['RUNNING', 'CANCELED'],
  RUNNING: ['FINISHED', 'FAILED', 'CANCELED'],
  FINISHED: [],
  FAILED: ['RUNNING'], // resumed by the operator after a pause
  CANCELED: [],
});
