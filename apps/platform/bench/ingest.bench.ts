/**
 * npm run bench:ingest -- [--devices N] [--seconds T] [--window W] [--platform URL] [--database-url URL]
 *
 * N real MQTT device connections publish QoS 1 inference events for T seconds, each keeping W
 * publishes in flight; every ack is timed. Without --platform, a platform is started as its own
 * process on free ports (embedded defaults, fresh data folder, or --database-url). Afterwards the
 * stored rows are counted through the REST API and compared with the acknowledged events.
 * Prints one JSON object. The load generator shares the machine's cores with the platform.
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildProcess } from 'node:child_process';
import { DeviceConnection } from '../../../device-sim/src/mqtt/device-connection';
import { registerDevice } from '../../../test/support/devices';
import { freePort } from '../../../test/support/free-port';
import { spawnPlatform, waitForExit } from '../../../test/support/platform-process';

const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '20' },
    window: { type: 'string', default: '20' },
    platform: { type: 'string' },
    'database-url': { type: 'string' },
  },
});
const devices = Number(args.devices);
const seconds = Number(args.seconds);
const window = Number(args.window);

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
    const claim = await getJson(`${http}/api/claims`, { name: 'bench:ingest', rateLimitPerMinute: 100_000 });
    const runId = Date.now().toString(36);
    process.stderr.write(`registering ${devices} devices…\n`);
    const conns: DeviceConnection[] = [];
    for (let i = 0; i < devices; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(20, devices - i) }, (_, j) =>
          // Retries a refusal that says "later" (overloaded, rate-limited), as a device in a boot storm does.
          registerDevice(
            { provisioningUrl: health.mqttUrl, mqttUrl: health.mqttUrl },
            { claimId: claim.id, claimSecret: claim.secret },
            `bench-${runId}-${i + j}`,
          ),
        ),
      );
      conns.push(...batch);
    }

    process.stderr.write(`publishing for ${seconds} s from ${devices} devices, ${window} in flight each…\n`);
    const latenciesMs: number[] = [];
    const stopAt = performance.now() + seconds * 1000;
    const startedAt = performance.now();
    let acked = 0;
    await Promise.all(
      conns.flatMap((conn) => {
        let seq = 0;
        return Array.from({ length: window }, async () => {
          while (performance.now() < stopAt) {
            const t0 = performance.now();
            await conn.publishEvent({
              seq: seq++,
              timestampMs: Date.now(),
              modelTag: 0x1234abcd,
              label: seq % 4,
              scoreQ: 90,
              latencyUs: 12_000,
              energyUj: 450,
            });
            latenciesMs.push(performance.now() - t0);
            acked++;
          }
        });
      }),
    );
    const elapsedS = (performance.now() - startedAt) / 1000;
    await Promise.all(conns.map((c) => c.close()));

    let stored = 0;
    for (let offset = 0; ; offset += 1000) {
      const page = await getJson(`${http}/api/devices?limit=1000&offset=${offset}`);
      stored += page.items
        .filter((d: { hardwareId: string }) => d.hardwareId.startsWith(`bench-${runId}-`))
        .reduce((s: number, d: { eventsCount: number }) => s + d.eventsCount, 0);
      if (page.items.length < 1000) break;
    }
    latenciesMs.sort((a, b) => a - b);
    const pct = (p: number) =>
      Number(
        (latenciesMs[Math.min(latenciesMs.length - 1, Math.floor((p / 100) * latenciesMs.length))] ?? NaN).toFixed(2),
      );
    process.stdout.write(
      `${JSON.stringify({
        bench: 'ingest',
        database: args['database-url'] ? 'postgresql' : args.platform ? 'as running' : 'embedded-pglite',
        broker: health.brokerMode,
        devices,
        windowPerDevice: window,
        seconds: Number(elapsedS.toFixed(2)),
        eventsAcked: acked,
        eventsPersistedPerS: Math.round(stored / elapsedS),
        ackLatencyMs: { p50: pct(50), p99: pct(99), max: pct(100) },
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
