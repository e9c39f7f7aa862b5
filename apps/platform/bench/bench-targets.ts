import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { PlatformInstance, startInstance } from '../../../test/support/cluster-fleet';
import { freePort } from '../../../test/support/free-port';
import { startNatsCluster } from '../../../test/support/nats-cluster';
import { spawnPlatform, waitForExit } from '../../../test/support/platform-process';
import { createTestDatabase } from '../../../test/support/test-database';
import { backendPids, processTree } from './ingest-load';

/**
 * What `bench:ota` and `bench:register` run against: the platform's HTTP API, where devices
 * register, where they then connect, and the processes whose CPU counts.
 */
export interface BenchTarget {
  /** `embedded`: one platform process (aedes; PGlite, or PostgreSQL with a database URL); `cluster`: 2 instances on 3 NATS nodes and PostgreSQL. */
  mode: 'embedded' | 'cluster';
  api(method: string, path: string, body?: unknown): Promise<any>;
  /** Registration endpoints; device i uses entry i mod length. */
  provisioningUrls: string[];
  /** Where a registered device connects (i mod length), or undefined: where it registered. */
  deviceUrls?: string[];
  /** Processes whose CPU the bench reports, by component (read again at every measurement). */
  components(): Promise<Array<[string, number[]]>>;
  /** A connection to the platform's PostgreSQL database, where there is one (not with PGlite). */
  pg?: Client;
  describe: Record<string, unknown>;
  close(): Promise<void>;
}

/** JSON over HTTP to the platform's API; a non-2xx answer throws with its body. */
export function jsonApi(baseUrl: string): BenchTarget['api'] {
  return async (method, path, body) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
}

/**
 * One `tinyfleet start` as its own process on free ports: the embedded broker, and PGlite in a
 * child process or, with `databaseUrl`, that PostgreSQL database.
 */
export async function embeddedTarget(env: Record<string, string>, databaseUrl?: string): Promise<BenchTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tinyfleet-bench-'));
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  process.stderr.write(`starting a platform (embedded broker, ${databaseUrl ? 'PostgreSQL' : 'PGlite'})…\n`);
  const platform = await spawnPlatform({
    ...env,
    PORT: String(httpPort),
    MQTT_PORT: String(mqttPort),
    TINYFLEET_DATA_DIR: dataDir,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  const pg = databaseUrl ? new Client({ connectionString: databaseUrl }) : undefined;
  await pg?.connect();
  return {
    mode: 'embedded',
    api: jsonApi(`http://127.0.0.1:${httpPort}`),
    provisioningUrls: [`mqtt://127.0.0.1:${mqttPort}`],
    components: async () => [
      ['platform', [platform.pid!]],
      pg ? ['postgres', await backendPids(pg)] : ['pglite', processTree(platform.pid!).slice(1)],
    ],
    pg,
    describe: { broker: 'aedes (embedded)', database: databaseUrl ? 'PostgreSQL' : 'PGlite (embedded)', instances: 1 },
    close: async () => {
      await pg?.end().catch(() => undefined);
      platform.kill('SIGTERM');
      await waitForExit(platform);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The scale-out mode (docs/scale-out.md): a private 3-node nats-server cluster and a fresh
 * PostgreSQL database, two platform instances; devices register at either instance (round robin)
 * and connect to the three nodes in turn. The API calls go to instance a; the rollout's lease
 * decides which instance runs it.
 */
export async function clusterTarget(env: Record<string, string>): Promise<BenchTarget> {
  process.stderr.write('starting a 3-node NATS cluster, a PostgreSQL database and 2 platform instances…\n');
  const [cluster, db] = await Promise.all([startNatsCluster(3), createTestDatabase('postgres')]);
  const instances: PlatformInstance[] = [];
  const pg = new Client({ connectionString: db.url });
  const close = async () => {
    await Promise.all(instances.map((i) => i.kill()));
    await pg.end().catch(() => undefined);
    await cluster.stop();
    await db.dispose();
  };
  try {
    // a first: it runs the migrations, b finds them done.
    instances.push(await startInstance('a', cluster, db.url, env));
    instances.push(await startInstance('b', cluster, db.url, env));
    await pg.connect();
  } catch (err) {
    await close();
    throw err;
  }
  return {
    mode: 'cluster',
    api: jsonApi(instances[0]!.httpUrl),
    provisioningUrls: instances.map((i) => i.provisioningUrl),
    deviceUrls: cluster.mqttUrls,
    components: async () => [
      ...cluster.nodes.map((n) => [`nats-${n.name}`, [n.process!.pid!]] as [string, number[]]),
      ...instances.map((i) => [`instance-${i.name}`, processTree(i.child.pid!)] as [string, number[]]),
      ['postgres', await backendPids(pg)],
    ],
    pg,
    describe: {
      broker: `${natsVersion()} ×${cluster.nodes.length} (MQTT listeners, JetStream R3)`,
      database: 'PostgreSQL',
      instances: instances.length,
    },
    close,
  };
}

function natsVersion(): string {
  return execFileSync(process.env.NATS_SERVER_BIN ?? 'nats-server', ['--version'])
    .toString()
    .trim();
}
