/**
 * `npm run bench:fleet -- --devices N --seconds T` — N simulated nodes against one platform process:
 * connected nodes, inferences/s, events/s, platform and sim RSS and CPU, as JSON on stdout.
 * Not a test. Spawns `tinyfleet start --no-fleet` on free ports with a throw-away database unless
 * `--platform URL` points at a running one (`--database-url` gives the spawned one a PostgreSQL). `--keep DIR` keeps platform data and node identities in
 * DIR, so a second run reconnects instead of registering everything again. `--nice N` lowers the
 * simulator's CPU priority (its worker threads inherit it) after the platform started, so on shared
 * cores the platform and the database are served first. `--heap-snapshot DIR` writes each worker's
 * V8 heap snapshot at the end of the window (attribution: Chrome DevTools → Memory). At the end the
 * nodes drain their buffers for up to `--drain-seconds` (default 60) before they disconnect.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import type { FleetStats } from '../fleet/fleet-host';
import { ensureTrustedDevKey, prepareFleetModels } from '../fleet/fleet-models';
import { planFleet } from '../fleet/fleet-plan';
import { runFleet } from '../fleet/fleet-runner';
import {
  createFleetClaim,
  defaultDataDir,
  defaultModelCacheDir,
  fetchMqttEndpoints,
  REPO_ROOT,
} from '../fleet/fleet-setup';
import { formatVirtualSpan } from '../fleet/fleet-stats';
import { optimizeWorkerHeapsForSize } from '../fleet/worker-heap-sizing';
import { measureNodeMemory } from './node-memory';
import { pidsCpuS, procCpuS, procPssMb, procRssMb } from './proc-usage';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function spawnPlatform(dataDir: string, databaseUrl?: string): Promise<{ child: ChildProcess; httpUrl: string }> {
  const [port, mqttPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'tinyfleet.js'), 'start', '--no-fleet'], {
    env: {
      ...process.env,
      PORT: String(port),
      MQTT_PORT: String(mqttPort),
      TINYFLEET_DATA_DIR: dataDir,
      LOG_LEVEL: 'error',
      TINYFLEET_FLEET: '0',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`platform did not start:\n${out}`)), 120_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c;
      if (out.includes('tinyfleet is running')) {
        clearTimeout(t);
        resolve();
      }
    });
    child.stderr!.on('data', (c: Buffer) => (out += c));
    child.once('exit', (code) => reject(new Error(`platform exited (${code}):\n${out}`)));
  });
  child.removeAllListeners('exit');
  child.stdout!.resume();
  child.stderr!.resume();
  return { child, httpUrl: `http://127.0.0.1:${port}` };
}

/**
 * The PostgreSQL server processes serving the bench's database (its backends: the platform's pool),
 * on this machine: their CPU over the window and their PSS (shared buffers split among backends).
 */
async function postgresBackends(databaseUrl: string) {
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  const pids = async () =>
    (
      await pg.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      )
    ).rows.map((r) => r.pid);
  return {
    pids,
    /** Rows the platform stored (the database was fresh: all of them this run's). */
    eventRows: async () =>
      Number((await pg.query<{ n: string }>('SELECT count(*) AS n FROM device_events')).rows[0]!.n),
    close: () => pg.end(),
  };
}

async function main(): Promise<void> {
  if (process.argv.includes('--memory')) {
    // Bytes per node by part, no platform needed (node-memory.ts).
    const report = await measureNodeMemory({
      levels: arg('levels', '1000,5000,10000')!.split(',').map(Number),
      mix: arg('mix', 'soil:40,gas:30,doorbell:30')!,
      dataDir: defaultDataDir(),
      modelCacheDir: defaultModelCacheDir(),
      log: (s) => process.stderr.write(`${s}\n`),
    });
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  // Before runFleet makes the worker isolates (worker-heap-sizing.ts has the measured reason); the
  // platform is its own process.
  const optimizeForSize = !process.argv.includes('--no-optimize-for-size');
  if (optimizeForSize) optimizeWorkerHeapsForSize();
  const devices = Number(arg('devices', '1000'));
  const seconds = Number(arg('seconds', '60'));
  const speed = Number(arg('speed', '600'));
  const mix = arg('mix', 'soil:40,gas:30,doorbell:30')!;
  const workers = Number(arg('workers', String(Math.min(2, os.availableParallelism()))));
  const connectTimeoutS = Number(arg('connect-timeout', '1800'));
  // CPU and RSS: whole process trees from /proc (sim: all worker threads; platform: its PGlite child too).
  const keep = arg('keep');
  const work = keep ? path.resolve(keep) : fs.mkdtempSync(path.join(os.tmpdir(), 'tinyfleet-bench-'));
  fs.mkdirSync(work, { recursive: true });
  const external = arg('platform');
  // --database-url postgres://…: the spawned platform uses that PostgreSQL instead of embedded PGlite.
  const platform = external
    ? { child: null, httpUrl: external }
    : await spawnPlatform(path.join(work, 'platform'), arg('database-url'));
  // After the platform was spawned (it keeps the default priority); worker threads inherit this one.
  const nice = Number(arg('nice', '0'));
  if (nice) os.setPriority(nice);
  const databaseUrl = arg('database-url');
  const postgres = databaseUrl && !external ? await postgresBackends(databaseUrl) : null;
  const log = (s: string) => process.stderr.write(`${s}\n`);
  try {
    const { mqttUrl, provisioningUrl } = arg('mqtt')
      ? { mqttUrl: arg('mqtt')!, provisioningUrl: arg('mqtt')! }
      : await fetchMqttEndpoints(platform.httpUrl);
    // Every node runs its stream's real model: build (or package) what the cache lacks first, as
    // `npm start` does, and wait for it — without, soil and gas nodes would only sample.
    await prepareFleetModels({
      httpUrl: platform.httpUrl,
      cacheDir: defaultModelCacheDir(),
      dataDir: defaultDataDir(),
      keyDir: ensureTrustedDevKey(),
      meanwhile: 'the nodes start after the builds',
      log,
    }).done;
    const claim = await createFleetClaim(platform.httpUrl, `bench ${devices}`);
    const started = Date.now();
    let last: FleetStats | null = null;
    const fleet = runFleet({
      specs: planFleet('bench', devices, mix),
      mqttUrl,
      provisioningUrl,
      claim,
      speed,
      dataDir: defaultDataDir(),
      stateDir: path.join(work, 'sim'),
      modelCacheDir: defaultModelCacheDir(),
      workers,
      // Default: a boot storm, every node at once; the platform sheds what it cannot serve.
      connectConcurrency: Number(arg('connect-concurrency', String(devices))),
      progressMs: 2000,
      onProgress: (s) => (last = s),
    });
    const ticker = setInterval(
      () =>
        last &&
        log(
          `[${Math.round((Date.now() - started) / 1000)} s] online ${last.online}/${last.nodes}, inferences ${last.inferences}, events ${last.eventsAcked}`,
        ),
      10_000,
    );
    const load0 = os.loadavg();
    // Joined = every node connected (a first attempt that was refused retries on its own timer).
    await Promise.race([
      fleet.connected.then(async () => {
        while ((last?.online ?? 0) < devices && Date.now() - started < connectTimeoutS * 1000)
          await new Promise((r) => setTimeout(r, 500));
      }),
      fleet.failed,
      new Promise((r) => setTimeout(r, connectTimeoutS * 1000)),
    ]);
    const connectS = (Date.now() - started) / 1000;
    log(`connect phase over after ${connectS.toFixed(0)} s; measuring ${seconds} s`);
    const a = fleet.stats();
    // The simulator is this process without the platform it spawned (a child of it).
    const simCpu0 = procCpuS(process.pid, platform.child?.pid);
    const platCpu0 = platform.child ? procCpuS(platform.child.pid!) : NaN;
    const pgCpu0 = postgres ? pidsCpuS(await postgres.pids()) : null;
    const t0 = Date.now();
    let peakSimRss = 0;
    let peakPlatRss = 0;
    let peakPgPss = 0;
    let pgPids: number[] = [];
    const sampler = setInterval(() => {
      peakSimRss = Math.max(peakSimRss, procRssMb(process.pid, platform.child?.pid));
      if (platform.child) peakPlatRss = Math.max(peakPlatRss, procRssMb(platform.child.pid!));
      if (postgres)
        void postgres.pids().then((pids) => {
          pgPids = pids;
          peakPgPss = Math.max(peakPgPss, procPssMb(pids));
        });
    }, 1000);
    await Promise.race([new Promise((r) => setTimeout(r, seconds * 1000)), fleet.failed]);
    clearInterval(sampler);
    clearInterval(ticker);
    const b = fleet.stats();
    const dt = (Date.now() - t0) / 1000;
    const simCpu = procCpuS(process.pid, platform.child?.pid) - simCpu0;
    const platCpu = platform.child ? procCpuS(platform.child.pid!) - platCpu0 : NaN;
    // Backends present at both ends of the window (the pool's; a short-lived one is missed).
    const pgCpu1 = postgres ? pidsCpuS(pgPids) : null;
    const pgCpu = pgCpu0 && pgCpu1 ? [...pgCpu1].reduce((a, [pid, s1]) => a + s1 - (pgCpu0.get(pid) ?? s1), 0) : NaN;
    // After the window: each worker's heap after a full GC (what the nodes and shared data hold, garbage excluded).
    const snapshotDir = arg('heap-snapshot');
    if (snapshotDir) fs.mkdirSync(snapshotDir, { recursive: true });
    const workerMemory = await fleet.memory(snapshotDir && path.resolve(snapshotDir));
    // Nodes keep sensing while they drain; what is still buffered after this was never stored.
    const drainS = Number(arg('drain-seconds', '60'));
    const drainT0 = Date.now();
    const final = await fleet.stop(drainS * 1000);
    const drainedS = (Date.now() - drainT0) / 1000;
    const per = (x: number, y: number) => Math.round(((x - y) / dt) * 10) / 10;
    const sinceStartS = (ts: number[]) => ts.map((t) => (t - started) / 1000).sort((x, y) => x - y);
    const registeredS = sinceStartS(b.registeredAtMs);
    const connectedS = sinceStartS(b.connectedAtMs);
    const to99 = registeredS.length >= Math.ceil(devices * 0.99) ? registeredS[Math.ceil(devices * 0.99) - 1] : null;
    const result = {
      devices,
      workers,
      virtualSpeed: speed,
      mix,
      database: external ? 'external platform' : arg('database-url') ? 'postgres' : 'embedded pglite',
      connectedNodes: b.online,
      connectPhaseS: Math.round(connectS),
      registration: {
        registered: b.registered,
        // Nodes that came with a stored identity (--keep) count as registered at once.
        timeTo99PctRegisteredS: to99 === null ? null : round1(to99),
        registrationsPerS: to99 ? round1(Math.ceil(devices * 0.99) / to99) : null,
        refusalsByReason: b.registrationRefusals,
        // Attempts that failed without a refusal (no provisioning answer in 15 s, no CONNACK in time), retried.
        failuresByKind: b.linkFailures,
      },
      connectTimeS: { p50: quantile(connectedS, 0.5), p99: quantile(connectedS, 0.99) },
      windowS: Math.round(dt),
      virtualSpan: formatVirtualSpan(b.virtualTimeMs - fleet.virtualStartMs),
      inferencesPerS: per(b.inferences, a.inferences),
      interpreterRunsPerS: per(b.interpreterInvocations, a.interpreterInvocations),
      eventsCreatedPerS: per(b.eventsCreated, a.eventsCreated),
      eventsStoredPerS: per(b.eventsAcked, a.eventsAcked),
      // Drops while nodes wait to register/connect (they boot at once and buffer) vs in the window.
      droppedBeforeWindow: a.dropped,
      droppedInWindow: b.dropped - a.dropped,
      droppedPerS: per(b.dropped, a.dropped),
      messagesPerS: per(sum(b.published), sum(a.published)),
      samplesPerS: per(b.samples, a.samples),
      bufferedAtEnd: final.buffered,
      // The whole run, boot storm included: every event a node created is stored (PUBACKed after the
      // platform's commit), still buffered on its node, or dropped (oldest-first, counted).
      eventLedger: {
        created: final.eventsCreated,
        stored: final.eventsAcked,
        bufferedAtEnd: final.buffered,
        dropped: final.dropped,
        unaccounted: final.eventsCreated - final.eventsAcked - final.buffered - final.dropped,
        ...(postgres ? { rowsInDatabase: await postgres.eventRows() } : {}),
      },
      // Stop = drain (up to --drain-seconds, default 60) then disconnect; drainedS includes the disconnects.
      drainedS: Math.round(drainedS),
      sim: {
        rssMb: Math.round(peakSimRss),
        cpuPctOfOneCore: Math.round((simCpu / dt) * 100),
        nice,
        v8OptimizeForSize: optimizeForSize,
        // Peak RSS over nodes, shared recordings and models included (per worker); by part: --memory.
        rssKbPerNodeInclShared: Math.round((peakSimRss * 1024) / devices),
        // Each worker's V8 heap + external after a full GC at the end of the window, shared data included.
        workers: workerMemory.map((m) => ({
          nodes: m.nodes,
          heapUsedMb: Math.round(m.heapUsed / 1048576),
          heapTotalMb: Math.round(m.heapTotal / 1048576),
          externalMb: Math.round(m.external / 1048576),
          jsKbPerNodeInclShared: Math.round((m.heapUsed + m.external) / 1024 / Math.max(1, m.nodes)),
          ...(m.heapSnapshot ? { heapSnapshot: m.heapSnapshot } : {}),
        })),
      },
      platform: platform.child
        ? { rssMb: Math.round(peakPlatRss), cpuPctOfOneCore: Math.round((platCpu / dt) * 100) }
        : 'external',
      ...(postgres
        ? {
            postgres: {
              backends: pgPids.length,
              pssMb: peakPgPss,
              cpuPctOfOneCore: Math.round((pgCpu / dt) * 100),
            },
          }
        : {}),
      cores: os.availableParallelism(),
      // The machine is shared: 1-minute load average when the window started and ended.
      loadAverage: { connectStart: round1(load0[0]), windowEnd: round1(os.loadavg()[0]) },
      linkErrors: final.linkErrors,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await postgres?.close();
    if (platform.child) {
      platform.child.kill('SIGTERM');
      await new Promise((r) => platform.child!.once('exit', r));
    }
    if (!keep) fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench:fleet failed: ${(err as Error).stack}\n`);
    process.exit(1);
  },
);

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Nearest-rank quantile of sorted values (seconds), null when there are none. */
function quantile(sorted: number[], q: number): number | null {
  return sorted.length ? round1(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]) : null;
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((x, y) => x + y, 0);
}
