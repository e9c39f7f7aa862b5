import { createKeyPair, PRIVATE_KEY_FILE } from '@tinyfleet/artifact/verify-node';
import { spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FleetStats } from './fleet-host';
import { progressLine } from './fleet-stats';
import { planFleet } from './fleet-plan';
import { runFleet } from './fleet-runner';
import {
  createFleetClaim,
  defaultModelCacheDir,
  defaultStateDir,
  defaultTrustedKeyDir,
  REPO_ROOT,
} from './fleet-setup';

/** Recipes whose artifacts the default fleet builds at first start (quick settings: seconds each). */
const QUICK_RECIPES = ['soil', 'gas-fruit', 'gas-ethylene'];

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
  // The nodes trust the local dev key (models built here are signed with it), so it must exist
  // before they load their trust store; the builds below then sign with this same key.
  const keyDir = defaultTrustedKeyDir();
  if (!fs.existsSync(path.join(keyDir, PRIVATE_KEY_FILE))) createKeyPair(keyDir);
  const builder = buildMissingArtifacts(modelCacheDir, o.log ?? (() => undefined));
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

function hasArtifact(dir: string): boolean {
  if (!fs.existsSync(dir)) return false;
  const walk = (d: string, depth: number): boolean =>
    fs
      .readdirSync(d, { withFileTypes: true })
      .some(
        (e) =>
          (e.isFile() && e.name === 'manifest.json') ||
          (e.isDirectory() && depth < 3 && walk(path.join(d, e.name), depth + 1)),
      );
  return walk(dir, 0);
}

/**
 * Builds the missing soil/gas artifacts one after the other with `tinyfleet model build <recipe> --quick`
 * in a child process (the fleet keeps running; its 10 s model scan installs each as it appears).
 */
function buildMissingArtifacts(cacheDir: string, log: (line: string) => void): { cancel(): void } {
  const missing = QUICK_RECIPES.filter((r) => !hasArtifact(path.join(cacheDir, r)));
  let child: ChildProcess | null = null;
  let cancelled = false;
  void (async () => {
    for (const recipe of missing) {
      if (cancelled) return;
      const out = path.join(cacheDir, recipe, 'quick');
      log(
        `building the ${recipe} model (model build ${recipe} --quick → ${path.relative(REPO_ROOT, out)}); its nodes sample and report meanwhile`,
      );
      const started = Date.now();
      let stderr = '';
      const code = await new Promise<number | null>((resolve) => {
        child = spawn(
          process.execPath,
          [path.join(REPO_ROOT, 'bin', 'tinyfleet.js'), 'model', 'build', recipe, '--quick', '--out', out],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        );
        child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
        child.once('exit', (c) => resolve(c));
        child.once('error', () => resolve(-1));
      });
      child = null;
      if (cancelled) return;
      if (code === 0) log(`${recipe} model built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      else
        log(
          `${recipe} model build failed (exit ${code}); its nodes run without a model: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
        );
    }
  })();
  return {
    cancel: () => {
      cancelled = true;
      (child as ChildProcess | null)?.kill('SIGTERM');
    },
  };
}
