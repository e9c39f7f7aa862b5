import type { McuProfile } from '@tinyfleet/energy';
import { resolverForBuild } from '@tinyfleet/tinyml';
import type { DownlinkKind } from '@tinyfleet/wire';
import type { KeyObject } from 'node:crypto';
import { OtaAgent } from '../ota/ota-agent';
import { firmwareBuildFor } from './firmware-build';
import type { ModelSlots } from './model-slots';

export type OtaDownlinkKind = Exclude<DownlinkKind, 'config' | 'evidence-request'>;

export interface OtaTaskOptions {
  mcu: McuProfile;
  trustedKeys: Map<string, KeyObject>;
  clock: () => number;
  /** Publish an OTA uplink (the node charges it); resolved at once, not at the PUBACK. */
  publish(kind: 'ota-status' | 'ota-request', payload: Uint8Array): Promise<void>;
  /** The self-test inference ran on the inactive slot's model (the node charges its energy). */
  selfTestRan(): void;
}

/**
 * The firmware's OTA task: the agent, fed its downlinks one at a time in arrival order like a
 * device's single MQTT task. An unexpected failure inside the agent (a bug, not a refused update)
 * is kept for the fleet summary, and the next downlink is handled all the same.
 */
export class OtaTask {
  readonly agent: OtaAgent;
  lastError: string | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(slots: ModelSlots, o: OtaTaskOptions) {
    this.agent = new OtaAgent({ publish: o.publish }, slots, {
      trustedKeys: o.trustedKeys,
      clock: o.clock,
      selfTestRan: o.selfTestRan,
      resolver: resolverForBuild(firmwareBuildFor(o.mcu)),
    });
  }

  /** Handle this downlink after every earlier one; resolves when it was handled. */
  onDownlink(kind: OtaDownlinkKind, payload: Uint8Array): Promise<void> {
    const a = this.agent;
    return this.enqueue(
      kind === 'ota-offer'
        ? () => a.onOffer(payload)
        : kind === 'ota-chunk'
          ? () => a.onChunk(payload)
          : () => a.onCancel(payload),
    );
  }

  /** After a reconnect: a download cut by the link carries on from its first missing chunk. */
  resume(): void {
    void this.enqueue(() => this.agent.resume());
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(task).catch((err) => {
      this.lastError = err instanceof Error ? err.message : String(err);
    });
    return this.chain;
  }
}
