/**
 * Worker-thread entry: one FleetHost for a share of the fleet. Talks to the runner by messages only:
 * progress every `progressMs`, its heap after a GC on 'memory', final stats after a 'stop'.
 */
import * as v8 from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { ScaledClock } from '../node/node-ports';
import { FleetHost } from './fleet-host';
import { heapUsageAfterGc } from './heap-usage';
import type { FleetWorkerData, WorkerMessage, RunnerMessage } from './fleet-runner';

async function main(): Promise<void> {
  const d = workerData as FleetWorkerData;
  const port = parentPort!;
  const send = (m: WorkerMessage) => port.postMessage(m);
  const host = new FleetHost({
    mqttUrl: d.mqttUrl,
    provisioningUrl: d.provisioningUrl,
    claim: d.claim,
    clock: new ScaledClock(d.virtualStartMs, d.speed, () => Date.now(), d.realStartMs),
    dataDir: d.dataDir,
    stateDir: d.stateDir,
    modelCacheDir: d.modelCacheDir,
    tickMs: d.tickMs,
    connectConcurrency: d.connectConcurrency,
    doorbellMeanMotionIntervalMs: d.doorbellMeanMotionIntervalMs,
    modelRefreshMs: d.modelRefreshMs,
    trustedKeyPaths: d.trustedKeyPaths,
    uci: d.uci,
    userStream: d.userStream,
  });
  let stopping = false;
  port.on('message', (m: RunnerMessage) => {
    if (m.type === 'memory') {
      const usage = heapUsageAfterGc();
      const heapSnapshot = m.heapSnapshotPath ? v8.writeHeapSnapshot(m.heapSnapshotPath) : null;
      return send({ type: 'memory', memory: { ...usage, nodes: host.nodes.length, heapSnapshot } });
    }
    if (stopping) return;
    stopping = true;
    clearInterval(progress);
    void (async () => {
      await host.drain(m.drainMs);
      const stats = host.stats();
      await host.stop();
      send({ type: 'stopped', stats });
      port.close();
    })();
  });
  host.add(d.specs);
  const progress = setInterval(() => send({ type: 'progress', stats: host.stats() }), d.progressMs);
  await host.start();
  if (!stopping) send({ type: 'connected', stats: host.stats() });
}

main().catch((err: Error) => {
  parentPort!.postMessage({ type: 'error', message: err.stack ?? err.message } satisfies WorkerMessage);
});
