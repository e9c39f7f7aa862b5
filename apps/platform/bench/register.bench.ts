/**
 * npm run bench:register -- [--registrations N] [--concurrency K] [--claims C] [--platform URL] [--database-url URL] [--cluster]
 *
 * Registration at fleet speed, end to end over MQTT, as devices do it: K simulated devices at a
 * time connect with a claim credential, publish a provisioning request and wait for their
 * identity (provisionByClaim), then connect as themselves with the secret they got and subscribe
 * to their downlink (DeviceConnection.open), then disconnect. N registrations spread over C claims
 * (`--claims 1` is a simulated fleet: every node through one claim). A refusal that says "later"
 * (`overloaded`, `rate-limited`) is retried after its hint, as devices do, and counted by reason;
 * the time spent waiting is part of the rate. Without --platform a platform is started as its own
 * process on free ports (bench-targets.ts: embedded PGlite, or --database-url; with --cluster, 3 NATS
 * nodes, 2 instances and PostgreSQL, devices registering at either instance and connecting to the
 * nodes in turn). Prints one JSON object: registrations/min, per-device latency (claim CONNECT to
 * device SUBACK) p50/p99, CPU seconds per component (platform processes, the database, NATS nodes),
 * of this load generator, and of the whole machine. Every registered device is then checked through the API.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DeviceConnection } from '../../../device-sim/src/mqtt/device-connection';
import { provisionByClaim } from '../../../device-sim/src/mqtt/provision-by-claim';
import type { ProvisionResponseV1 } from '@tinyfleet/wire';
import { BenchTarget, clusterTarget, embeddedTarget, jsonApi } from './bench-targets';
import { CpuMeter } from './ingest-load';

const { values: args } = parseArgs({
  options: {
    registrations: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '48' },
    claims: { type: 'string', default: '8' },
    platform: { type: 'string' },
    'database-url': { type: 'string' },
    cluster: { type: 'boolean', default: false },
  },
});
const registrations = Number(args.registrations);
const concurrency = Number(args.concurrency);
const claimCount = Number(args.claims);
const GOAL_PER_MIN = 10_000;
const runId = Date.now().toString(36);

async function main(): Promise<void> {
  const env = { LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' };
  let target: BenchTarget | undefined;
  if (args.cluster) target = await clusterTarget(env);
  else if (!args.platform) target = await embeddedTarget(env, args['database-url']);
  const api = target?.api ?? jsonApi(args.platform!);
  try {
    const health = await api('GET', '/health');
    // Cluster: the instances' provisioning endpoints, then the NATS nodes' MQTT listeners.
    const provisioningUrls = target?.mode === 'cluster' ? target.provisioningUrls : [health.provisioningUrl];
    const deviceUrls = target?.deviceUrls ?? [health.mqttUrl];
    const claims = await Promise.all(
      Array.from({ length: claimCount }, async (_, i) => {
        const c = await api('POST', '/api/claims', { name: `bench:register ${i}`, rateLimitPerMinute: 100_000 });
        return { claimId: c.id as string, claimSecret: c.secret as string };
      }),
    );
    process.stderr.write(`registering ${registrations} devices, ${concurrency} at a time over ${claimCount} claims…\n`);
    const latenciesMs: number[] = [];
    const deviceIds: string[] = [];
    const refusals: Record<string, number> = {};
    let next = 0;
    const meter = new CpuMeter(async () => new Map([...((await target?.components()) ?? [])]));
    await meter.snapshot();
    const cpuBefore = sample();
    const startedAt = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < registrations; i = next++) {
          const t0 = performance.now();
          const res = await registerRetryingLater(
            provisioningUrls[i % provisioningUrls.length],
            claims[i % claimCount]!,
            i,
            refusals,
          );
          if (res.status !== 'registered' || !res.deviceSecret)
            throw new Error(`registration ${i} not registered: ${JSON.stringify(res)}`);
          const conn = await openRetryingSubscribe(
            deviceUrls[i % deviceUrls.length]!,
            { deviceId: res.deviceId, secret: res.deviceSecret },
            refusals,
          );
          latenciesMs.push(performance.now() - t0);
          deviceIds.push(res.deviceId);
          await conn.close();
        }
      }),
    );
    const elapsedS = (performance.now() - startedAt) / 1000;
    const cpuAfter = sample();
    const byComponent = await meter.since();

    // Every device the bench counted exists, once, with its hardware id.
    let found = 0;
    for (let offset = 0; ; offset += 1000) {
      const page = await api('GET', `/api/devices?limit=1000&offset=${offset}`);
      found += page.items.filter((d: { hardwareId: string }) => d.hardwareId.startsWith(`bench-reg-${runId}-`)).length;
      if (page.items.length < 1000) break;
    }
    latenciesMs.sort((a, b) => a - b);
    const pct = (p: number) =>
      Number(
        (latenciesMs[Math.min(latenciesMs.length - 1, Math.floor((p / 100) * latenciesMs.length))] ?? NaN).toFixed(1),
      );
    const perMin = Math.round((registrations / elapsedS) * 60);
    const cpuS = (k: 'bench' | 'machineBusy') => Number((cpuAfter[k] - cpuBefore[k]).toFixed(2));
    process.stdout.write(
      `${JSON.stringify({
        bench: 'register',
        mode: target?.mode ?? 'as running',
        target: target?.describe ?? { platform: args.platform },
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
          byComponent,
          loadGenerator: cpuS('bench'),
          machineBusy: cpuS('machineBusy'),
          machineAvailable: Number((elapsedS * cpus().length).toFixed(2)),
        },
        cpuMsPerRegistration: Object.fromEntries(
          Object.entries({ ...byComponent, loadGenerator: cpuS('bench') }).map(([name, cpu]) => [
            name,
            Number(((cpu * 1000) / registrations).toFixed(2)),
          ]),
        ),
        loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
        devicesVerified: found === registrations,
        cores: cpus().length,
        note: 'per device: claim CONNECT, SUBSCRIBE, provisioning request, response, then CONNECT + SUBSCRIBE as itself; load generator, platform and database share these cores',
      })}\n`,
    );
    if (found !== registrations) process.exitCode = 1;
  } finally {
    await target?.close();
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

/**
 * Connects as the device and subscribes to its downlink. nats-server 2.9.10 answers a QoS 1
 * SUBSCRIBE with a failure ("Unspecified error") when creating the session's JetStream consumer
 * times out under load; a device then reconnects and subscribes again, and so does the bench
 * (counted as `subscribe-failed`).
 */
async function openRetryingSubscribe(
  url: string,
  cred: { deviceId: string; secret: string },
  refusals: Record<string, number>,
): Promise<DeviceConnection> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await DeviceConnection.open(url, cred, { reconnectPeriod: 0 });
    } catch (err) {
      if (attempt >= 5 || !(err instanceof Error) || !err.message.startsWith('Subscribe error')) throw err;
      refusals['subscribe-failed'] = (refusals['subscribe-failed'] ?? 0) + 1;
      await new Promise((r) => setTimeout(r, 1000 * (0.5 + Math.random())));
    }
  }
}

const TICKS_PER_S = 100; // USER_HZ on Linux

/** CPU seconds so far: this process, and every core's busy time. */
function sample(): { bench: number; machineBusy: number } {
  const usage = process.cpuUsage();
  const stat = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy = all but idle and iowait
  const busyTicks = stat.slice(0, 8).reduce((s, v, i) => (i === 3 || i === 4 ? s : s + v), 0);
  return { bench: (usage.user + usage.system) / 1e6, machineBusy: busyTicks / TICKS_PER_S };
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:register failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
