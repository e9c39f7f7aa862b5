/**
 * Bytes per simulated node, by part, without the platform: `npm run bench:fleet -- --memory
 * --levels 1000,5000,10000`. Nodes get stored identities and connect (real MQTT.js, real TCP) to a
 * throw-away anonymous Mosquitto on a free port, so the sim process holds exactly what it holds in a
 * fleet run, and the broker's memory is in another process. Each level adds nodes and takes
 * `process.memoryUsage()` after a full GC at every step; the per-node figure of a step is its delta
 * over the nodes it added, so what all nodes share (recordings, models, interpreter arenas, loaded
 * once before the first level) is not in it. The shared inference memo is filled for every position
 * of every recording first (the interpreter runs each distinct input once): new nodes would
 * otherwise grow it, and a per-node figure would carry shared data. The bounded per-node stores
 * that a long run fills (truth log, offline buffer in an outage) are filled and measured apart.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createConnection } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeClock } from '../node/node-ports';
import { FleetHost, HostedNode } from '../fleet/fleet-host';
import { heapUsageAfterGc, type HeapUsage } from '../fleet/heap-usage';
import { planFleet } from '../fleet/fleet-plan';
import { IdentityStore } from '../identity/identity-store';
import { STREAM_KINDS } from '../streams/stream-catalog';

export interface MemoryOptions {
  levels: number[];
  mix: string;
  dataDir: string;
  modelCacheDir: string;
  /** Virtual span each level's new nodes run connected before the "running" step (ms). */
  runVirtualMs?: number;
  connectConcurrency?: number;
  log?: (s: string) => void;
}

export interface MemoryLevel {
  nodes: number;
  /**
   * Per node, bytes of heapUsed + external (what JS objects and Buffers hold): added (node state),
   * connected (MQTT.js client and socket, subscribed), after a short run (ledger, policy, summary
   * windows, evidence ring, MQTT packets in flight); total = the three.
   */
  bytesPerNode: { nodeState: number; mqttConnection: number; running: number; total: number };
  /** Per node, RSS bytes over the same steps (allocator and V8 heap slack included; kernel socket buffers are not). */
  rssBytesPerNode: number;
  rssMb: number;
  heapUsedMb: number;
}

export interface MemoryReport {
  mode: 'memory';
  mix: string;
  /** What every node shares, loaded before the first level (recordings, models, interpreters). */
  shared: {
    rssMb: number;
    heapUsedMb: number;
    externalMb: number;
    /** One arena per (model, thread), planned once; nodes do not run concurrently within a thread. */
    interpreterArenaBytes: Record<string, number>;
    /** Inference results memoised per (model, recording position), filled before the first level. */
    memoEntries: number;
  };
  levels: MemoryLevel[];
  /**
   * Measured at the last level, per node, on top of `total`: the truth log at its capacity (where
   * every node is after 256 inferences: steady state of a long run), then the offline buffer at its
   * capacity (an outage: the worst case, links down).
   */
  truthLogFullBytesPerNode: number;
  offlineBufferFullBytesPerNode: number;
  /** total + truthLogFull at the last level: a node connected for a long time. */
  steadyStateBytesPerNode: number;
  bufferCapacity: number;
  truthLogCapacity: number;
  assumptions: string[];
}

const js = (u: HeapUsage) => u.heapUsed + u.external;
const mb = (b: number) => Math.round(b / 1024 / 1024);

export async function measureNodeMemory(o: MemoryOptions): Promise<MemoryReport> {
  const log = o.log ?? (() => undefined);
  const levels = [...o.levels].sort((a, b) => a - b);
  const max = levels[levels.length - 1] ?? 0;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyfleet-mem-'));
  const broker = await startMosquitto();
  try {
    const mqttUrl = `mqtt://127.0.0.1:${broker.port}`;
    const store = new IdentityStore(path.join(work, 'sim', 'identities'));
    // Warm-up nodes (one per stream kind and soil farm) load every shared recording and model first.
    const warm = STREAM_KINDS.flatMap((k, i) =>
      (k === 'soil' ? [0, 1] : [0]).map((v) => ({ hardwareId: `warm-${i}-${v}`, stream: k, index: v })),
    );
    const specs = planFleet('mem', max, o.mix);
    for (const [i, s] of [...warm, ...specs].entries())
      store.save({
        hardwareId: s.hardwareId,
        deviceId: `dev-${String(i).padStart(14, '0')}`,
        secret: 'memory-bench',
        mqttUrl,
        seqFloor: 0,
      });
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const host = new FleetHost({
      mqttUrl,
      claim: { claimId: 'clm-unused', claimSecret: 'unused' },
      clock,
      dataDir: o.dataDir,
      stateDir: path.join(work, 'sim'),
      modelCacheDir: o.modelCacheDir,
      modelRefreshMs: 0,
      connectConcurrency: o.connectConcurrency ?? 64,
    });
    host.add(warm);
    await host.connect(host.nodes);
    await run(clock, host.nodes, o.runVirtualMs ?? 600_000);
    for (const { node } of host.nodes) {
      const model = node.slots.activeModel;
      if (model) for (let i = 0; i < node.stream.length; i++) model.infer(node.stream, i);
    }
    const memoEntries = host.models.all().reduce((a, m) => a + m.memoEntries, 0);
    log(`shared inference memo filled: ${memoEntries} entries`);
    const base = heapUsageAfterGc();
    const arenas: Record<string, number> = {};
    for (const m of host.models.all()) arenas[`${m.artifact.modelId}@${m.artifact.version}`] = m.arenaBytes;
    log(`shared: rss ${mb(base.rss)} MB, heap ${mb(base.heapUsed)} MB, external ${mb(base.external)} MB`);
    const out: MemoryLevel[] = [];
    let done = 0;
    let prev = base;
    for (const level of levels) {
      const added = specs.slice(done, level);
      const from = host.nodes.length;
      host.add(added);
      const fresh = host.nodes.slice(from);
      const afterAdd = heapUsageAfterGc();
      await host.connect(fresh);
      const offline = fresh.filter((n) => !n.link.connected).length;
      if (offline) throw new Error(`${offline} of ${fresh.length} nodes did not connect to the bench broker`);
      const afterConnect = heapUsageAfterGc();
      await run(clock, fresh, o.runVirtualMs ?? 600_000);
      const afterRun = heapUsageAfterGc();
      const per = (a: HeapUsage, b: HeapUsage) => Math.round((js(b) - js(a)) / added.length);
      const level_: MemoryLevel = {
        nodes: level,
        bytesPerNode: {
          nodeState: per(prev, afterAdd),
          mqttConnection: per(afterAdd, afterConnect),
          running: per(afterConnect, afterRun),
          total: per(prev, afterRun),
        },
        rssBytesPerNode: Math.round((afterRun.rss - prev.rss) / added.length),
        rssMb: mb(afterRun.rss),
        heapUsedMb: mb(afterRun.heapUsed),
      };
      out.push(level_);
      log(`${level} nodes: ${JSON.stringify(level_)}`);
      prev = afterRun;
      done = level;
    }
    // Links down (nothing drains), then every truth log full, then every buffer: real-shaped entries.
    await Promise.all(host.nodes.map((n) => n.link.stop()));
    const counted = host.nodes.filter((n) => !n.spec.hardwareId.startsWith('warm-'));
    const beforeFill = heapUsageAfterGc();
    for (const n of counted) fillTruthLog(n);
    const truthFull = heapUsageAfterGc();
    for (const n of counted) fillBuffer(n);
    const buffersFull = heapUsageAfterGc();
    const perCounted = (a: HeapUsage, b: HeapUsage) => Math.round((js(b) - js(a)) / counted.length);
    const truthLogFullBytesPerNode = perCounted(beforeFill, truthFull);
    return {
      mode: 'memory',
      mix: o.mix,
      shared: {
        rssMb: mb(base.rss),
        heapUsedMb: mb(base.heapUsed),
        externalMb: mb(base.external),
        interpreterArenaBytes: arenas,
        memoEntries,
      },
      levels: out,
      truthLogFullBytesPerNode,
      offlineBufferFullBytesPerNode: perCounted(truthFull, buffersFull),
      steadyStateBytesPerNode: (out[out.length - 1]?.bytesPerNode.total ?? 0) + truthLogFullBytesPerNode,
      bufferCapacity: counted[0]?.node.buffer.capacity ?? 0,
      truthLogCapacity: counted[0]?.node.truth.capacity ?? 0,
      assumptions: [
        'process.memoryUsage() after two full GCs; per-node = delta of heapUsed + external over the nodes a level added',
        'one process, one thread (a fleet worker holds the same per node; shared data is per worker)',
        `broker: a separate anonymous Mosquitto process (its memory is not counted); ${o.runVirtualMs ?? 600_000} ms virtual run per level, PUBACKs awaited`,
        'shared inference memo filled for every position of every recording before the first level (each distinct input through the interpreter once)',
        'truthLogFull / offlineBufferFull: filled to capacity with real-shaped entries after the links were stopped (offline buffer: the outage worst case)',
      ],
    };
  } finally {
    broker.child.kill('SIGTERM');
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Advance these nodes by `virtualMs` in 20 steps, then wait until the broker acknowledged their events. */
async function run(clock: FakeClock, nodes: HostedNode[], virtualMs: number): Promise<void> {
  const steps = 20;
  for (let i = 0; i < steps; i++) {
    clock.advance(virtualMs / steps);
    for (const n of nodes) n.node.advance(clock.nowMs());
    await new Promise((r) => setImmediate(r));
  }
  const deadline = Date.now() + 60_000;
  while (nodes.some((n) => n.node.buffer.size > 0) && Date.now() < deadline) {
    for (const n of nodes) n.node.advance(clock.nowMs());
    await new Promise((r) => setTimeout(r, 20));
  }
}

function fillBuffer(n: HostedNode): void {
  const { node } = n;
  const model = node.slots.activeModel;
  for (let i = 0; i < node.buffer.capacity; i++)
    node.buffer.push({
      seq: 1_000_000 + i,
      timestampMs: Date.UTC(2026, 0, 1) + i * 1000,
      modelTag: model?.artifact.modelTag ?? 0,
      label: i % 3,
      scoreQ: 100,
      latencyUs: 12_345,
      energyUj: 678,
    });
}

function fillTruthLog(n: HostedNode): void {
  const { node } = n;
  const model = node.slots.activeModel;
  const name = model ? `${model.artifact.modelId}@${model.artifact.version}` : 'none';
  for (let i = 0; i < node.truth.capacity; i++)
    node.truth.record({
      virtualTimeMs: Date.UTC(2026, 0, 1) + i * 1000,
      sample: i,
      trueLabel: i % 3,
      predictedLabel: (i + 1) % 3,
      model: name,
      modelTag: model?.artifact.modelTag ?? 0,
      eventSeq: i,
    });
}

async function startMosquitto(): Promise<{ child: ChildProcess; port: number }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyfleet-mosq-'));
  const conf = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(
    conf,
    `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 100\n`,
  );
  const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return { child, port };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGTERM');
  throw new Error(`mosquitto did not listen on ${port}`);
}
