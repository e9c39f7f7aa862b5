import { defineStateMachine } from '../common/state-machine';

export const DEVICE_LIFECYCLES = ['PROVISIONED', 'ACTIVE', 'SUSPENDED', 'DECOMMISSIONED'] as const;
export type DeviceLifecycle = (typeof DEVICE_LIFECYCLES)[number];

/**
 * A device's lifecycle. PROVISIONED (registered, never connected) → ACTIVE at its first connect;
 * a re-registration through a claim (new or reused credentials) puts an ACTIVE device back to
 * PROVISIONED until it connects again; an operator suspends an ACTIVE device and resumes it, and
 * decommissions any device for good. Suspended and decommissioned devices cannot connect; a
 * decommissioned one keeps its history and its hardware id cannot register again.
 */
export const deviceLifecycleMachine = defineStateMachine<DeviceLifecycle>({
  PROVISIONED: ['ACTIVE', 'DECOMMISSIONED'],
  ACTIVE: ['SUSPENDED', 'PROVISIONED', 'DECOMMISSIONED'],
  SUSPENDED: ['ACTIVE', 'DECOMMISSIONED'],
  DECOMMISSIONED: [],
});

/** The lifecycles whose credentials a broker accepts (and the Mosquitto export contains). */
export const CONNECTABLE_LIFECYCLES: readonly DeviceLifecycle[] = ['PROVISIONED', 'ACTIVE'];

/**
 * What an operator may do to a device, and the moves each makes (a subset of the table: the
 * platform, not the operator, activates a device that connects for the first time).
 */
export const DEVICE_OPERATOR_ACTIONS = {
  suspend: { from: ['ACTIVE'], to: 'SUSPENDED' },
  resume: { from: ['SUSPENDED'], to: 'ACTIVE' },
  decommission: { from: ['PROVISIONED', 'ACTIVE', 'SUSPENDED'], to: 'DECOMMISSIONED' },
} as const satisfies Record<string, { from: readonly DeviceLifecycle[]; to: DeviceLifecycle }>;
export type DeviceOperatorAction = keyof typeof DEVICE_OPERATOR_ACTIONS;

/** The operator actions the table allows from `lifecycle` (the API returns them, so clients need not know the table). */
export function allowedDeviceActions(lifecycle: DeviceLifecycle): DeviceOperatorAction[] {
  return (Object.keys(DEVICE_OPERATOR_ACTIONS) as DeviceOperatorAction[]).filter((a) => {
    const { from, to } = DEVICE_OPERATOR_ACTIONS[a];
    return (
      (from as readonly DeviceLifecycle[]).includes(lifecycle) && deviceLifecycleMachine.canTransition(lifecycle, to)
    );
  });
}
