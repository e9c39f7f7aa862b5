import type { FleetStats } from './fleet-host';
import { ensureTrustedDevKey, prepareFleetModels } from './fleet-models';
import { progressLine } from './fleet-stats';
import { planFleet } from './fleet-plan';
import { runFleet } from './fleet-runner';
import { createFleetClaim, defaultModelCacheDir, defaultStateDir } from './fleet-setup';

export interface DefaultFleetOptions {
  httpUrl: string;
  mqttUrl: string;
  provisioningUrl?: string;
  dataDir: string;
  /** Default 24. */
  devices?: number;
  /** Default 60: a virtual hour per real minute, so doorbells ring every few seconds and soil reports every 15 s. */
  speed?: number;
  stateDir?: string;
  modelCacheDir?: string;
  onProgress?: (stats: FleetStats) => void;
  /** Gets a one-line fleet summary every `logEveryMs` (default 30 s). */
  log?: (line: string) => void;
  logEveryMs?: number;
}

export interface DefaultFleet {
  readonly devices: number;
  stats(): FleetStats;
  stop(): Promise<FleetStats>;
}

/**
 * The fleet `npm start` shows a newcomer: two dozen nodes over soil, gas (fruit + ethylene drift)
 * and doorbell, on several MCU/radio builds, in one worker thread (the other core serves the
 * platform). Identities persist under `.tinyfleet/sim`, so a restart brings the same devices back.
 * Doorbells run TFLM's person_detect at once; soil and gas nodes sample, account energy and report
 * status from the start, and load their models as soon as the pipeline has put artifacts in
 * `.tinyfleet/models/<recipe>` (checked every 30 s) — nothing waits for a build at start.
 */
export async function startDefaultFleet(o: DefaultFleetOptions): Promise<DefaultFleet> {
  const devices = o.devices ?? 24;
  const modelCacheDir = o.modelCacheDir ?? defaultModelCacheDir();
  const keyDir = ensureTrustedDevKey();
  const builder = prepareFleetModels({
    httpUrl: o.httpUrl,
    cacheDir: modelCacheDir,
    dataDir: o.dataDir,
    keyDir,
    meanwhile: 'its nodes sample and report meanwhile',
    log: o.log ?? (() => undefined),
  });
  const claim = await createFleetClaim(o.httpUrl, 'default simulated fleet', 6000);
  let prev: FleetStats | null = null;
  let prevAt = Date.now();
  let lastLogAt = 0;
  const fleet = runFleet({
    specs: planFleet('default', devices, 'soil:40,gas:30,doorbell:30'),
    mqttUrl: o.mqttUrl,
    provisioningUrl: o.provisioningUrl,
    claim,
    speed: o.speed ?? 60,
    dataDir: o.dataDir,
    stateDir: o.stateDir ?? defaultStateDir(),
    modelCacheDir,
    workers: 1,
    modelRefreshMs: 10_000,
    onProgress: (s) => {
      o.onProgress?.(s);
      const now = Date.now();
      if (!o.log || now - lastLogAt < (o.logEveryMs ?? 30_000)) return;
      o.log(`fleet: ${progressLine(s, prev, (now - prevAt) / 1000, fleet.virtualStartMs)}`);
      prev = s;
      prevAt = lastLogAt = now;
    },
  });
  fleet.failed.catch((err: Error) => o.log?.(`fleet stopped: ${err.message}`));
  return {
    devices,
    stats: () => fleet.stats(),
    stop: async () => {
      builder.cancel();
      return fleet.stop(2000);
    },
  };
}
