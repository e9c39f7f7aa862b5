/**
 * npm run bench:register -- [--registrations N] [--concurrency K] [--claims C] [--platform URL] [--database-url URL]
 *
 * Registration at fleet speed, end to end over MQTT, as devices do it: K simulated devices at a
 * time connect with a claim credential, publish a provisioning request and wait for their
 * identity (provisionByClaim), then connect as themselves with the secret they got and subscribe
 * to their downlink (DeviceConnection.open), then disconnect. N registrations spread over C claims
 * (`--claims 1` is a simulated fleet: every node through one claim). A refusal that says "later"
 * (`overloaded`, `rate-limited`) is retried after its hint, as devices do, and counted by reason;
 * the time spent waiting is part of the rate. Without --platform a platform is
 * started as its own process on free ports (embedded PGlite, or --database-url). Prints one JSON
 * object: registrations/min, per-device latency (claim CONNECT to device SUBACK) p50/p99, CPU seconds of
 * the platform's process tree (with embedded PGlite, the database is in it), of the PostgreSQL
 * backends serving --database-url, of this load generator, and of the whole machine, also per registration. Every registered device is then checked through the API.
 */
import { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DeviceConnection } from '../../../device-sim/src/mqtt/device-connection';
import { provisionByClaim } from '../../../device-sim/src/mqtt/provision-by-claim';
import type { ProvisionResponseV1 } from '@tinyfleet/wire';
import { Client } from 'pg';
import { freePort } from '../../../test/support/free-port';
import { spawnPlatform, waitForExit } from '../../../test/support/platform-process';
import { CpuMeter } from './ingest-load';

const { values: args } = parseArgs({
  options: {
    registrations: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '48' },
    claims: { type: 'string', default: '8' },
    platform: { type: 'string' },
    'database-url': { type: 'string' },
  },
});
const registrations = Number(args.registrations);
const concurrency = Number(args.concurrency);
const claimCount = Number(args.claims);
const GOAL_PER_MIN = 10_000;
const runId = Date.now().toString(36);

async function main(): Promise<void> {
  let child: ChildProcess | undefined;
  let dataDir: string | undefined;
  let http = args.platform;
  if (!http) {
    dataDir = mkdtempSync(join(tmpdir(), 'tinyfleet-bench-'));
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    process.stderr.write(`starting a platform (${args['database-url'] ? 'PostgreSQL' : 'embedded PGlite'})…\n`);
    child = await spawnPlatform({
      PORT: String(httpPort),
      MQTT_PORT: String(mqttPort),
      TINYFLEET_DATA_DIR: dataDir,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
      ...(args['database-url'] ? { DATABASE_URL: args['database-url'] } : {}),
    });
    http = `http://127.0.0.1:${httpPort}`;
  }
  try {
    const health = await getJson(`${http}/health`);
    const claims = await Promise.all(
      Array.from({ length: claimCount }, async (_, i) => {
        const c = await getJson(`${http}/api/claims`, { name: `bench:register ${i}`, rateLimitPerMinute: 100_000 });
        return { claimId: c.id as string, claimSecret: c.secret as string };
      }),
    );
    process.stderr.write(`registering ${registrations} devices, ${concurrency} at a time over ${claimCount} claims…\n`);
    const latenciesMs: number[] = [];
    const deviceIds: string[] = [];
    const refusals: Record<string, number> = {};
    let next = 0;
    // The platform's pool connects at boot: its backends are all there now.
    const database = args['database-url'] ? new Client({ connectionString: args['database-url'] }) : undefined;
    await database?.connect();
    const databaseCpu = new CpuMeter(async () => new Map([['backends', database ? await backendPids(database) : []]]));
    await databaseCpu.snapshot();
    const cpuBefore = sample(child?.pid);
    const startedAt = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < registrations; i = next++) {
          const t0 = performance.now();
          const res = await registerRetryingLater(health.provisioningUrl, claims[i % claimCount]!, i, refusals);
          if (res.status !== 'registered' || !res.deviceSecret)
            throw new Error(`registration ${i} not registered: ${JSON.stringify(res)}`);
          const conn = await DeviceConnection.open(
            health.mqttUrl,
            { deviceId: res.deviceId, secret: res.deviceSecret },
            { reconnectPeriod: 0 },
          );
          latenciesMs.push(performance.now() - t0);
          deviceIds.push(res.deviceId);
          await conn.close();
        }
      }),
    );
    const elapsedS = (performance.now() - startedAt) / 1000;
    const cpuAfter = sample(child?.pid);
    const databaseBackendsS = database ? (await databaseCpu.since()).backends! : null;
    await database?.end();

    // Every device the bench counted exists, once, with its hardware id.
    let found = 0;
    for (let offset = 0; ; offset += 1000) {
      const page = await getJson(`${http}/api/devices?limit=1000&offset=${offset}`);
      found += page.items.filter((d: { hardwareId: string }) => d.hardwareId.startsWith(`bench-reg-${runId}-`)).length;
      if (page.items.length < 1000) break;
    }
    latenciesMs.sort((a, b) => a - b);
    const pct = (p: number) =>
      Number(
        (latenciesMs[Math.min(latenciesMs.length - 1, Math.floor((p / 100) * latenciesMs.length))] ?? NaN).toFixed(1),
      );
    const perMin = Math.round((registrations / elapsedS) * 60);
    const cpuS = (k: 'platform' | 'bench' | 'machineBusy') => Number((cpuAfter[k] - cpuBefore[k]).toFixed(2));
    process.stdout.write(
      `${JSON.stringify({
        bench: 'register',
        database: args['database-url'] ? 'postgresql' : args.platform ? 'as running' : 'embedded-pglite',
        broker: health.brokerMode,
        registrations,
        concurrency,
        claims: claimCount,
        seconds: Number(elapsedS.toFixed(2)),
        registrationsPerMin: perMin,
        goalPerMin: GOAL_PER_MIN,
        meetsGoal: perMin >= GOAL_PER_MIN,
        latencyMs: { p50: pct(50), p99: pct(99), max: pct(100) },
        refusalsRetried: refusals,
        cpuSeconds: {
          platformProcessTree: child ? cpuS('platform') : null,
          databaseBackends: databaseBackendsS,
          loadGenerator: cpuS('bench'),
          machineBusy: cpuS('machineBusy'),
          machineAvailable: Number((elapsedS * cpus().length).toFixed(2)),
        },
        cpuMsPerRegistration: {
          platformProcessTree: child ? Number(((cpuS('platform') * 1000) / registrations).toFixed(2)) : null,
          databaseBackends:
            databaseBackendsS === null ? null : Number(((databaseBackendsS * 1000) / registrations).toFixed(2)),
          loadGenerator: Number(((cpuS('bench') * 1000) / registrations).toFixed(2)),
        },
        loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
        devicesVerified: found === registrations,
        cores: cpus().length,
        note: 'per device: claim CONNECT, SUBSCRIBE, provisioning request, response, then CONNECT + SUBSCRIBE as itself; load generator, platform and database share these cores',
      })}\n`,
    );
    if (found !== registrations) process.exitCode = 1;
  } finally {
    if (child) {
      child.kill('SIGTERM');
      await waitForExit(child);
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Like a device in a boot storm: a refusal that says "later" is retried after its hint, with jitter. */
async function registerRetryingLater(
  provisioningUrl: string,
  claim: { claimId: string; claimSecret: string },
  i: number,
  refusals: Record<string, number>,
): Promise<ProvisionResponseV1> {
  for (;;) {
    const res = await provisionByClaim(provisioningUrl, claim, {
      hardwareId: `bench-reg-${runId}-${i}`,
      mcuProfile: 'nrf52840',
      radioProfile: 'nrf52840-ble-1m',
      firmwareVersion: '1.0.0',
      sensorStream: 'soil',
      interpreterVersion: '0.1.0',
    });
    if (res.status !== 'refused' || (res.reason !== 'overloaded' && res.reason !== 'rate-limited')) return res;
    refusals[res.reason] = (refusals[res.reason] ?? 0) + 1;
    await new Promise((r) => setTimeout(r, (res.retryAfterS ?? 1) * 1000 * (0.5 + Math.random())));
  }
}

const TICKS_PER_S = 100; // USER_HZ on Linux

/** CPU seconds so far: the platform's process and its descendants, this process, every core's busy time. */
function sample(platformPid: number | undefined): { platform: number; bench: number; machineBusy: number } {
  const usage = process.cpuUsage();
  const stat = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy = all but idle and iowait
  const busyTicks = stat.slice(0, 8).reduce((s, v, i) => (i === 3 || i === 4 ? s : s + v), 0);
  return {
    platform: platformPid === undefined ? 0 : treeTicks(platformPid) / TICKS_PER_S,
    bench: (usage.user + usage.system) / 1e6,
    machineBusy: busyTicks / TICKS_PER_S,
  };
}

/** utime + stime of a process and all its descendants (from /proc; children are found by ppid). */
function treeTicks(rootPid: number): number {
  const procs = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] is state (field 3); ppid is field 4, utime 14, stime 15.
      procs.set(Number(name), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process exited while we listed /proc
    }
  }
  let total = 0;
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    total += procs.get(pid)?.ticks ?? 0;
    for (const [child, p] of procs) if (p.ppid === pid) queue.push(child);
  }
  return total;
}

/** The backends serving the bench's database (the platform's pool; this connection's own is idle meanwhile). */
async function backendPids(pg: Client): Promise<number[]> {
  const rows = (
    await pg.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
  ).rows;
  return rows.map((r: { pid: number }) => r.pid);
}

async function getJson(url: string, body?: unknown): Promise<any> {
  const res = await fetch(
    url,
    body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {},
  );
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:register failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
