/**
 * npm run bench:ingest -- [--devices N] [--seconds T] [--window W] [--platform URL] [--database-url URL]
 *                           [--mosquitto [--consumers C] [--consumer-window K]]
 * npm run bench:ingest -- --cluster [--devices N] [--seconds T] [--window W] [--database-url URL]
 *
 * N real MQTT device connections publish QoS 1 inference events for T seconds, each keeping W
 * publishes in flight; every ack is timed. Without --platform, a platform is started as its own
 * process on free ports (embedded defaults, fresh data folder, or --database-url). Afterwards the
 * stored rows are counted through the REST API and compared with the acknowledged events.
 *
 * --mosquitto: the platform runs behind a private Mosquitto (free ports, exported credentials and
 * ACLs, as docs/external-broker.md configures it) with C consumer sessions (MQTT_CONSUMERS) of K
 * messages in flight each (MQTT_CONSUMER_WINDOW; 1 is one message at a time, as before pipelined
 * acks). Mosquitto acknowledges the devices on receipt, so the persisted rate counts until the last
 * acknowledged event is stored.
 * Prints one JSON object. The load generator shares the machine's cores with the platform.
 *
 * --cluster: raw QoS 1 pub→sub on a private Mosquitto and on a private 3-node NATS cluster, then
 * the platform with 1 and with 2 instances on that cluster persisting into PostgreSQL (a fresh
 * database on the machine's server unless --database-url), all in one run: see ingest-cluster.ts.
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildProcess } from 'node:child_process';
import { DeviceConnection } from '../../../device-sim/src/mqtt/device-connection';
import { registerDevice } from '../../../test/support/devices';
import { freePort } from '../../../test/support/free-port';
import { MosquittoProcess, startMosquitto } from '../../../test/support/mosquitto';
import { spawnPlatform, waitForExit } from '../../../test/support/platform-process';
import { caughtUp, runClusterBench } from './ingest-cluster';
import { latencySummary, publishLoad } from './ingest-load';

const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '20' },
    window: { type: 'string', default: '20' },
    platform: { type: 'string' },
    'database-url': { type: 'string' },
    cluster: { type: 'boolean', default: false },
    mosquitto: { type: 'boolean', default: false },
    consumers: { type: 'string' },
    'consumer-window': { type: 'string' },
  },
});
const devices = Number(args.devices);
const seconds = Number(args.seconds);
const window = Number(args.window);

async function main(): Promise<void> {
  if (args.cluster) {
    const result = await runClusterBench({ devices, seconds, window, databaseUrl: args['database-url'] });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    const runs = Object.values(result.runs as Record<string, { verified: boolean }>);
    if (runs.some((r) => !r.verified)) process.exitCode = 1;
    return;
  }
  let child: ChildProcess | undefined;
  let dataDir: string | undefined;
  let mosquitto: MosquittoProcess | undefined;
  let http = args.platform;
  if (!http) {
    dataDir = mkdtempSync(join(tmpdir(), 'tinyfleet-bench-'));
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    // No cap on the messages Mosquitto queues for the consumer sessions: at its default (1,000) it
    // would drop a backlog, not slow it down (docs/external-broker.md).
    if (args.mosquitto) mosquitto = await startMosquitto(['max_queued_messages 0']);
    process.stderr.write(`starting a platform (${args['database-url'] ? 'PostgreSQL' : 'embedded PGlite'})…\n`);
    child = await spawnPlatform({
      PORT: String(httpPort),
      MQTT_PORT: String(mqttPort),
      TINYFLEET_DATA_DIR: dataDir,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
      ...(args['database-url'] ? { DATABASE_URL: args['database-url'] } : {}),
      ...(mosquitto
        ? {
            MQTT_URL: mosquitto.platformUrl,
            MQTT_DEVICE_URL: mosquitto.url,
            MQTT_USERNAME: 'tinyfleet-platform',
            MQTT_PASSWORD: 'bench-platform-login',
            MOSQUITTO_AUTH_DIR: mosquitto.authDir,
            MOSQUITTO_PID: String(mosquitto.pid),
            ...(args.consumers ? { MQTT_CONSUMERS: args.consumers } : {}),
            ...(args['consumer-window'] ? { MQTT_CONSUMER_WINDOW: args['consumer-window'] } : {}),
          }
        : {}),
    });
    http = `http://127.0.0.1:${httpPort}`;
  }
  try {
    const health = await getJson(`${http}/health`);
    const claim = await getJson(`${http}/api/claims`, { name: 'bench:ingest', rateLimitPerMinute: 100_000 });
    const runId = Date.now().toString(36);
    process.stderr.write(`registering ${devices} devices…\n`);
    const conns: DeviceConnection[] = [];
    for (let i = 0; i < devices; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(20, devices - i) }, (_, j) =>
          // Retries a refusal that says "later" (overloaded, rate-limited), as a device in a boot storm does.
          registerDevice(
            { provisioningUrl: health.provisioningUrl, mqttUrl: health.mqttUrl },
            { claimId: claim.id, claimSecret: claim.secret },
            `bench-${runId}-${i + j}`,
          ),
        ),
      );
      conns.push(...batch);
    }

    process.stderr.write(`publishing for ${seconds} s from ${devices} devices, ${window} in flight each…\n`);
    const started = performance.now();
    const { acked, elapsedS: ackedS, latenciesMs } = await publishLoad(conns, seconds, window);
    const countStored = async () => {
      let n = 0;
      for (let offset = 0; ; offset += 1000) {
        const page = await getJson(`${http}/api/devices?limit=1000&offset=${offset}`);
        n += page.items
          .filter((d: { hardwareId: string }) => d.hardwareId.startsWith(`bench-${runId}-`))
          .reduce((s: number, d: { eventsCount: number }) => s + d.eventsCount, 0);
        if (page.items.length < 1000) return n;
      }
    };
    // A broker that acknowledges on receipt (Mosquitto) may still be delivering when the load stops.
    const elapsedS = health.brokerMode === 'external' ? await caughtUp(countStored, acked, started) : ackedS;
    await Promise.all(conns.map((c) => c.close()));
    const stored = await countStored();
    process.stdout.write(
      `${JSON.stringify({
        bench: 'ingest',
        database: args['database-url'] ? 'postgresql' : args.platform ? 'as running' : 'embedded-pglite',
        broker: health.brokerMode,
        ...(mosquitto
          ? { consumers: Number(args.consumers ?? 4), consumerWindow: Number(args['consumer-window'] ?? 100) }
          : {}),
        devices,
        windowPerDevice: window,
        seconds: Number(elapsedS.toFixed(2)),
        eventsAcked: acked,
        eventsAckedPerS: Math.round(acked / ackedS),
        eventsPersistedPerS: Math.round(stored / elapsedS),
        ackLatencyMs: latencySummary(latenciesMs),
        rowsStored: stored,
        rowsVerified: stored === acked,
        cores: (await import('node:os')).cpus().length,
        note: 'load generator, platform and database share these cores',
      })}\n`,
    );
    if (stored !== acked) process.exitCode = 1;
  } finally {
    if (child) {
      child.kill('SIGTERM');
      await waitForExit(child);
    }
    await mosquitto?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
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
  process.stderr.write(`bench:ingest failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
