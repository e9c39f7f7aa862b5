import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ClaimCredential } from '../mqtt/provision-by-claim';
import type { FleetStats } from './fleet-host';
import type { HeapUsage } from './heap-usage';
import type { NodeSpec } from './fleet-plan';
import { mergeStats } from './fleet-stats';
import type { UciStreamOptions } from '../streams/gas.stream';
import type { UserStreamOptions } from '../streams/user.stream';

export interface FleetWorkerData {
  specs: NodeSpec[];
  mqttUrl: string;
  provisioningUrl: string;
  claim: ClaimCredential;
  virtualStartMs: number;
  realStartMs: number;
  speed: number;
  dataDir: string;
  stateDir: string;
  modelCacheDir: string;
  tickMs: number;
  progressMs: number;
  connectConcurrency: number;
  doorbellMeanMotionIntervalMs?: number;
  modelRefreshMs: number;
  trustedKeyPaths?: string[];
  uci?: UciStreamOptions;
  userStream?: UserStreamOptions;
}

/** One worker's isolate after a full GC, with the nodes it holds (and where its heap snapshot went). */
export interface WorkerMemory extends HeapUsage {
  nodes: number;
  heapSnapshot: string | null;
}

export type WorkerMessage =
  | { type: 'progress' | 'connected' | 'stopped'; stats: FleetStats }
  | { type: 'memory'; memory: WorkerMemory }
  | { type: 'error'; message: string };
export type RunnerMessage = { type: 'stop'; drainMs: number } | { type: 'memory'; heapSnapshotPath?: string };

export interface FleetRunOptions {
  specs: NodeSpec[];
  /** Where nodes connect as themselves. */
  mqttUrl: string;
  /** Where nodes register by claim (default: mqttUrl, as with the embedded broker). */
  provisioningUrl?: string;
  claim: ClaimCredential;
  speed: number;
  dataDir: string;
  stateDir: string;
  modelCacheDir: string;
  /** Worker threads (default: one per core, at most 2). */
  workers?: number;
  virtualStartMs?: number;
  tickMs?: number;
  progressMs?: number;
  connectConcurrency?: number;
  doorbellMeanMotionIntervalMs?: number;
  modelRefreshMs?: number;
  /** The nodes' trust store for OTA signatures (FleetHostOptions.trustedKeyPaths). */
  trustedKeyPaths?: string[];
  /** How gas-ethylene nodes replay UCI (FleetHostOptions.uci). */
  uci?: UciStreamOptions;
  /** The user's recording for nodes of stream kind `user`. */
  userStream?: UserStreamOptions;
  onProgress?: (stats: FleetStats) => void;
}

export interface RunningFleet {
  readonly virtualStartMs: number;
  /** Latest merged stats. */
  stats(): FleetStats;
  /** Resolves when every worker finished registering/connecting its nodes. */
  readonly connected: Promise<FleetStats>;
  /** Rejects if a worker dies. */
  readonly failed: Promise<never>;
  /**
   * Each worker's heap after a full GC (it pauses that worker's nodes for the collection); with
   * `heapSnapshotDir`, each also writes a V8 heap snapshot there (seconds and ~2× its heap in memory).
   */
  memory(heapSnapshotDir?: string): Promise<WorkerMemory[]>;
  /** Drain buffers (up to drainMs), disconnect everyone, return the final stats. */
  stop(drainMs?: number): Promise<FleetStats>;
}

const REGISTER = path.resolve(__dirname, '..', '..', '..', 'bin', 'register.js');

/**
 * Runs a fleet on worker threads (nodes dealt round-robin), each worker a FleetHost with its own
 * MQTT connections; all workers share one virtual timeline (same real start, same speed).
 */
export function runFleet(o: FleetRunOptions): RunningFleet {
  const workerCount = Math.max(1, Math.min(o.workers ?? Math.min(2, os.availableParallelism()), o.specs.length || 1));
  const virtualStartMs = o.virtualStartMs ?? Date.now();
  const realStartMs = Date.now();
  const latest: FleetStats[] = [];
  const workers: Worker[] = [];
  const stopped: Promise<FleetStats>[] = [];
  const connected: Promise<FleetStats>[] = [];
  const memoryWaiters: ((m: WorkerMemory) => void)[][] = [];
  let fail!: (err: Error) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  const ext = path.extname(__filename);
  for (let w = 0; w < workerCount; w++) {
    const data: FleetWorkerData = {
      specs: o.specs.filter((_, i) => i % workerCount === w),
      mqttUrl: o.mqttUrl,
      provisioningUrl: o.provisioningUrl ?? o.mqttUrl,
      claim: o.claim,
      virtualStartMs,
      realStartMs,
      speed: o.speed,
      dataDir: o.dataDir,
      stateDir: o.stateDir,
      modelCacheDir: o.modelCacheDir,
      tickMs: o.tickMs ?? 100,
      progressMs: o.progressMs ?? 1000,
      connectConcurrency: o.connectConcurrency ?? 32,
      doorbellMeanMotionIntervalMs: o.doorbellMeanMotionIntervalMs,
      modelRefreshMs: o.modelRefreshMs ?? 30_000,
      trustedKeyPaths: o.trustedKeyPaths,
      uci: o.uci,
      userStream: o.userStream,
    };
    const worker = new Worker(path.join(__dirname, `fleet-worker${ext}`), {
      workerData: data,
      execArgv: ext === '.ts' ? ['-r', REGISTER] : [],
    });
    workers.push(worker);
    memoryWaiters.push([]);
    let onConnected!: (s: FleetStats) => void;
    connected.push(new Promise((r) => (onConnected = r)));
    stopped.push(
      new Promise((resolve, reject) => {
        worker.on('message', (m: WorkerMessage) => {
          if (m.type === 'error') {
            const err = new Error(`fleet worker ${w}: ${m.message}`);
            fail(err);
            reject(err);
            return;
          }
          if (m.type === 'memory') return memoryWaiters[w].shift()?.(m.memory);
          latest[w] = m.stats;
          if (m.type === 'connected') onConnected(m.stats);
          if (m.type === 'stopped') resolve(m.stats);
          else o.onProgress?.(mergeStats(latest.filter(Boolean)));
        });
        worker.on('error', (err) => {
          fail(err);
          reject(err);
        });
        worker.on('exit', (code) => {
          if (code !== 0) {
            const err = new Error(`fleet worker ${w} exited with code ${code}`);
            fail(err);
            reject(err);
          }
        });
      }),
    );
  }
  return {
    virtualStartMs,
    stats: () => mergeStats(latest.filter(Boolean)),
    connected: Promise.all(connected).then(() => mergeStats(latest.filter(Boolean))),
    failed,
    memory: (heapSnapshotDir) =>
      Promise.all(
        workers.map(
          (worker, w) =>
            new Promise<WorkerMemory>((resolve) => {
              memoryWaiters[w].push(resolve);
              const heapSnapshotPath = heapSnapshotDir && path.join(heapSnapshotDir, `fleet-worker-${w}.heapsnapshot`);
              worker.postMessage({ type: 'memory', heapSnapshotPath } satisfies RunnerMessage);
            }),
        ),
      ),
    stop: async (drainMs = 5000) => {
      for (const w of workers) w.postMessage({ type: 'stop', drainMs } satisfies RunnerMessage);
      const finals = await Promise.all(stopped);
      await Promise.all(workers.map((w) => w.terminate().catch(() => undefined)));
      return mergeStats(finals);
    },
  };
}
