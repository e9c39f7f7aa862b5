import { allDeviceUplinksFilter } from '@tinyfleet/wire';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, MqttClient } from 'mqtt';
import { connect, jwtAuthenticator } from 'nats';
import { Client } from 'pg';
import { DeviceConnection } from '../../../device-sim/src/mqtt/device-connection';
import { PlatformInstance, startInstance } from '../../../test/support/cluster-fleet';
import { registerDevice } from '../../../test/support/devices';
import { freePort } from '../../../test/support/free-port';
import { NatsCluster, startNatsCluster } from '../../../test/support/nats-cluster';
import { waitForExit } from '../../../test/support/platform-process';
import { createTestDatabase } from '../../../test/support/test-database';
import { issueDeviceJwt, readCredsFile, readSigningKeyFile } from '../src/broker/nats/nats-credentials';
import { MQTT_MESSAGES_STREAM } from '../src/broker/nats/nats-subjects';
import { backendPids, CpuMeter, latencySummary, LoadResult, processTree, publishLoad } from './ingest-load';

/** How long a run waits, after the last PUBACK, for the consumer side to catch up. */
const CATCH_UP_MS = 180_000;

export interface ClusterBenchOptions {
  devices: number;
  seconds: number;
  window: number;
  databaseUrl?: string;
}

interface RunResult {
  eventsAcked: number;
  /** Events the consumer side has (rows stored; messages received by the raw subscriber). */
  eventsDelivered: number;
  /** Delivered ÷ the time from the first publish until the last acknowledged event was delivered. */
  eventsPerS: number;
  ackedPerS: number;
  ackLatencyMs: { p50: number; p99: number; max: number };
  cpuS: Record<string, number>;
  verified: boolean;
}

/**
 * `bench:ingest --cluster`: on a private 3-node nats-server cluster and one private Mosquitto
 * (free ports, started and stopped here) and a fresh PostgreSQL database, in one run:
 *  1. raw QoS 1 pub→sub through Mosquitto (no platform: one MQTT subscriber),
 *  2. raw QoS 1 pub→sub through the cluster (the same, the subscriber on a NATS node),
 *  3. the platform with 1 instance on the cluster, events persisted in PostgreSQL,
 *  4. the platform with 2 instances (a second one joins the same durable consumer).
 * In cluster mode a PUBACK means "replicated in `$MQTT_msgs`", not "stored in PostgreSQL": the
 * persisted rate counts until the last acknowledged event is in the table. CPU seconds per
 * component come from /proc (PostgreSQL: the backends serving this database).
 */
export async function runClusterBench(opts: ClusterBenchOptions): Promise<Record<string, unknown>> {
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const loadAtStart = loadavg()[0]!;
  log('starting a 3-node NATS cluster, a Mosquitto and a database…');
  const [cluster, mosquitto, ownDb] = await Promise.all([
    startNatsCluster(3),
    startRawMosquitto(),
    opts.databaseUrl ? Promise.resolve(undefined) : createTestDatabase('postgres'),
  ]);
  const databaseUrl = opts.databaseUrl ?? ownDb!.url;
  const instances: PlatformInstance[] = [];
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    const natsPids = () => cluster.nodes.map((n) => n.process!.pid!);
    log('raw pub→sub through Mosquitto…');
    const rawMosquitto = await rawRun(opts, [mosquitto.url], undefined, async () => [
      ['mosquitto', [mosquitto.pid]],
      ['loadGenerator', [process.pid]],
    ]);
    log('raw pub→sub through the NATS cluster…');
    const rawCluster = await rawRun(opts, cluster.mqttUrls, cluster, async () => [
      ...cluster.nodes.map((n) => [`nats-${n.name}`, [n.process!.pid!]] as [string, number[]]),
      ['loadGenerator', [process.pid]],
    ]);
    // The raw run's messages must not reach the platform's consumer, which starts from the stream's beginning.
    await purgeStream(cluster);

    const components = async (): Promise<Array<[string, number[]]>> => [
      ...natsPids().map((pid, i) => [`nats-${cluster.nodes[i]!.name}`, [pid]] as [string, number[]]),
      ...instances.map((inst) => [`instance-${inst.name}`, processTree(inst.child.pid!)] as [string, number[]]),
      ['postgres', await backendPids(pg)],
      ['loadGenerator', [process.pid]],
    ];
    log('the platform, 1 instance…');
    instances.push(await startInstance('a', cluster, databaseUrl));
    const platform1 = await platformRun(opts, instances, cluster, pg, 'p1', components);
    log('the platform, 2 instances…');
    instances.push(await startInstance('b', cluster, databaseUrl));
    const platform2 = await platformRun(opts, instances, cluster, pg, 'p2', components);

    const ratio = (x: number, y: number) => Number((x / y).toFixed(3));
    return {
      bench: 'ingest',
      mode: 'cluster',
      natsServer: execFileSync(process.env.NATS_SERVER_BIN ?? 'nats-server', ['--version'])
        .toString()
        .trim(),
      natsNodes: cluster.nodes.length,
      database: 'postgresql',
      devices: opts.devices,
      windowPerDevice: opts.window,
      secondsPerRun: opts.seconds,
      runs: { rawMosquitto, rawCluster, platform1Instance: platform1, platform2Instances: platform2 },
      ratios: {
        platform2VsPlatform1: ratio(platform2.eventsPerS, platform1.eventsPerS),
        platform1VsRawCluster: ratio(platform1.eventsPerS, rawCluster.eventsPerS),
        platform2VsRawCluster: ratio(platform2.eventsPerS, rawCluster.eventsPerS),
        rawClusterVsRawMosquitto: ratio(rawCluster.eventsPerS, rawMosquitto.eventsPerS),
      },
      cores: cpus().length,
      // The machine's 1-minute load average: other work shares these cores with every run.
      loadAverage1m: { atStart: Number(loadAtStart.toFixed(1)), atEnd: Number(loadavg()[0]!.toFixed(1)) },
      note: 'raw runs: one QoS 1 MQTT subscriber receives everything; load generator, brokers, instances and database share these cores',
    };
  } finally {
    await Promise.all(instances.map((i) => i.kill()));
    await pg.end();
    await cluster.stop();
    await mosquitto.stop();
    await ownDb?.dispose();
  }
}

/** Devices registered at the instances (round robin), each connected to a node, publishing; rows counted in PostgreSQL. */
async function platformRun(
  opts: ClusterBenchOptions,
  instances: PlatformInstance[],
  cluster: NatsCluster,
  pg: Client,
  prefix: string,
  components: () => Promise<Array<[string, number[]]>>,
): Promise<RunResult & { instances: number }> {
  const res = await fetch(`${instances[0]!.httpUrl}/api/claims`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: `bench:ingest ${prefix}`, rateLimitPerMinute: 100_000 }),
  });
  if (!res.ok) throw new Error(`claim creation failed: ${res.status} ${await res.text()}`);
  const claim = (await res.json()) as { id: string; secret: string };
  const runId = `${prefix}-${Date.now().toString(36)}`;
  const conns: DeviceConnection[] = [];
  for (let i = 0; i < opts.devices; i += 8)
    conns.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(8, opts.devices - i) }, (_, j) =>
          registerDevice(
            {
              provisioningUrl: instances[(i + j) % instances.length]!.provisioningUrl,
              mqttUrl: cluster.mqttUrls[(i + j) % cluster.mqttUrls.length]!,
            },
            { claimId: claim.id, claimSecret: claim.secret },
            `bench-${runId}-${i + j}`,
          ),
        ),
      )),
    );
  const ids = conns.map((c) => c.deviceId);
  const stored = async () =>
    Number(
      (await pg.query(`SELECT count(*)::int AS n FROM device_events WHERE device_id = ANY($1::text[])`, [ids])).rows[0]
        .n,
    );
  const meter = new CpuMeter(async () => new Map(await components()));
  await meter.snapshot();
  const started = performance.now();
  const load = await publishLoad(conns, opts.seconds, opts.window);
  const deliveredAtS = await caughtUp(stored, load.acked, started);
  const cpuS = await meter.since();
  await Promise.all(conns.map((c) => c.close()));
  const rows = await stored();
  const distinct = Number(
    (
      await pg.query(
        `SELECT count(*)::int AS n FROM (SELECT DISTINCT device_id, seq FROM device_events WHERE device_id = ANY($1::text[])) d`,
        [ids],
      )
    ).rows[0].n,
  );
  return {
    instances: instances.length,
    ...summary(load, rows, deliveredAtS, cpuS, rows === load.acked && distinct === rows),
  };
}

/**
 * Raw QoS 1 pub→sub: `devices` publisher connections (on a cluster: device JWTs signed with the
 * cluster's device key, spread over the nodes) and one QoS 1 subscriber on every device uplink.
 */
async function rawRun(
  opts: ClusterBenchOptions,
  urls: string[],
  cluster: NatsCluster | undefined,
  components: () => Promise<Array<[string, number[]]>>,
): Promise<RunResult> {
  const creds = cluster ? readCredsFile(cluster.platformEnv.NATS_CREDS!) : undefined;
  const signingKey = cluster ? readSigningKeyFile(cluster.platformEnv.NATS_DEVICE_SIGNING_KEY!) : undefined;
  const runId = randomBytes(3).toString('hex');
  let received = 0;
  const subscriber: MqttClient = await connectAsync(urls[0]!, {
    clientId: `tf_bench_${randomBytes(6).toString('hex')}`,
    ...(creds ? { username: 'tinyfleet-platform', password: creds.jwt } : {}),
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
  });
  subscriber.on('message', () => received++);
  await subscriber.subscribeAsync(allDeviceUplinksFilter(), { qos: 1 });
  const conns = await Promise.all(
    Array.from({ length: opts.devices }, (_, i) => {
      const deviceId = `raw-${runId}-${i}`;
      const secret = signingKey ? issueDeviceJwt(signingKey, cluster!.account, deviceId).jwt : 'raw';
      return DeviceConnection.open(urls[i % urls.length]!, { deviceId, secret }, { clean: true });
    }),
  );
  const meter = new CpuMeter(async () => new Map(await components()));
  await meter.snapshot();
  const started = performance.now();
  const load = await publishLoad(conns, opts.seconds, opts.window);
  const deliveredAtS = await caughtUp(() => received, load.acked, started);
  const cpuS = await meter.since();
  await Promise.all(conns.map((c) => c.close()));
  await subscriber.endAsync();
  return summary(load, received, deliveredAtS, cpuS, received >= load.acked);
}

/** Seconds from `started` until `count()` reached `target` (or the catch-up bound ran out). */
export async function caughtUp(
  count: () => number | Promise<number>,
  target: number,
  started: number,
): Promise<number> {
  const deadline = Date.now() + CATCH_UP_MS;
  while ((await count()) < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return (performance.now() - started) / 1000;
}

function summary(
  load: LoadResult,
  delivered: number,
  deliveredAtS: number,
  cpuS: Record<string, number>,
  verified: boolean,
): RunResult {
  return {
    eventsAcked: load.acked,
    eventsDelivered: delivered,
    eventsPerS: Math.round(delivered / deliveredAtS),
    ackedPerS: Math.round(load.acked / load.elapsedS),
    ackLatencyMs: latencySummary(load.latenciesMs),
    cpuS,
    verified,
  };
}

async function purgeStream(cluster: NatsCluster): Promise<void> {
  const creds = readCredsFile(cluster.platformEnv.NATS_CREDS!);
  const nc = await connect({ servers: cluster.natsUrls, authenticator: jwtAuthenticator(creds.jwt, creds.seed) });
  try {
    await (await nc.jetstreamManager()).streams.purge(MQTT_MESSAGES_STREAM);
  } finally {
    await nc.close();
  }
}

/**
 * A Mosquitto of our own for the raw reference: anonymous, in memory, and no cap on the QoS 1
 * messages queued for the one subscriber (the default 1,000 would drop messages, not slow them).
 */
async function startRawMosquitto(): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tinyfleet-bench-mosquitto-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'max_queued_messages 0',
      'log_dest stderr',
      'log_type error',
    ].join('\n'),
  );
  const child = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = `mqtt://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error('mosquitto exited during start-up');
    try {
      await (await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 1000 })).endAsync();
      break;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port}`, { cause: err });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await waitForExit(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
