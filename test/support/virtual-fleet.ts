import * as path from 'node:path';
import { FleetHost, type FleetHostOptions } from '../../device-sim/src/fleet/fleet-host';
import type { NodeSpec } from '../../device-sim/src/fleet/fleet-plan';
import { FakeClock } from '../../device-sim/src/node/node-ports';
import { DATA_DIR } from './artifacts';
import type { TestPlatform } from './test-platform';

export const MIN_MS = 60_000;
export const HOUR_MS = 60 * MIN_MS;
/** One UCI exposure (and one doorbell motion check) per node per step. */
const STEP_MS = 5 * MIN_MS;

export interface VirtualFleet {
  host: FleetHost;
  clock: FakeClock;
  /**
   * `virtualMs` of node life in 5-minute steps, yielding to MQTT after each step, then `settleMs` of
   * real time for the last uplinks to land (the spec's default unless given).
   */
  live(virtualMs: number, settleMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** What a spec chooses about its fleet; the platform, claim, clock and data folder are filled in. */
export interface VirtualFleetOptions extends Omit<
  FleetHostOptions,
  'mqttUrl' | 'claim' | 'clock' | 'dataDir' | 'stateDir' | 'modelCacheDir'
> {
  /** Virtual time the nodes boot at. */
  t0Ms: number;
  /** The spec's temporary folder: node identities go to `sim/`; models are looked up in `models/` (the factory image). */
  tmpDir: string;
  nodes: NodeSpec[];
  /** Real ms `live()` waits after its last step by default. */
  settleMs?: number;
}

/**
 * Simulated nodes registered by claim against a test platform and connected, stepped by a fake
 * clock (the virtual-time e2e specs share this set-up and its stepping loop).
 */
export async function startVirtualFleet(platform: TestPlatform, o: VirtualFleetOptions): Promise<VirtualFleet> {
  const { t0Ms, tmpDir, nodes, settleMs: defaultSettleMs = 0, ...hostOptions } = o;
  const clock = new FakeClock(t0Ms);
  const host = new FleetHost({
    mqttUrl: platform.mqttUrl,
    claim: await platform.createClaim({ rateLimitPerMinute: 10_000 }),
    clock,
    dataDir: DATA_DIR,
    stateDir: path.join(tmpDir, 'sim'),
    modelCacheDir: path.join(tmpDir, 'models'),
    ...hostOptions,
  });
  host.add(nodes);
  await host.start();
  const live = async (virtualMs: number, settleMs = defaultSettleMs) => {
    for (let t = 0; t < virtualMs; t += STEP_MS) {
      clock.advance(STEP_MS);
      host.tick();
      await new Promise((r) => setImmediate(r));
    }
    if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
  };
  return { host, clock, live, stop: () => host.stop() };
}

/**
 * Hourly status, energy and accuracy reports and on-change events (as a down/config would set):
 * enough for gates and drift windows, light on the database.
 */
export function reportHourly(fleet: VirtualFleet): void {
  for (const n of fleet.host.nodes)
    n.node.applyConfig(
      { statusIntervalS: 3600, energyIntervalS: 3600, eventPolicy: 'on-change', scoreThresholdQ: 0 },
      12,
    );
}
