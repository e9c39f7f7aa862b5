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

/** Where `bench:ota` rolls out: the platform's HTTP API, where devices register, where they then connect. */
export interface OtaTarget {
  /** `embedded`: one platform process on its defaults (aedes, PGlite); `cluster`: 2 instances on 3 NATS nodes and PostgreSQL. */
  mode: 'embedded' | 'cluster';
  api(method: string, path: string, body?: unknown): Promise<any>;
  /** Registration endpoints; device i uses entry i mod length. */
  provisioningUrls: string[];
  /** Where a registered device connects (i mod length), or undefined: where it registered. */
  deviceUrls?: string[];
  /** Processes whose CPU the bench reports, by component (read again at every measurement). */
  components(): Promise<Array<[string, number[]]>>;
  /**
   * When the platform had stored the last device's SUCCEEDED report, in ms since the epoch, if the
   * target can say (cluster: the database's own timestamp; embedded: undefined, the devices time it
   * from the PUBACK, which the embedded broker sends once stored).
   */
  lastSucceededStoredAtMs(rolloutId: number): Promise<number | undefined>;
  describe: Record<string, unknown>;
  close(): Promise<void>;
}

/** Platform settings both modes share: a quick rollout tick and the bench's chunk size. */
function platformEnv(chunkBytes: number): Record<string, string> {
  return { OTA_TICK_MS: '250', OTA_CHUNK_BYTES: String(chunkBytes) };
}

function jsonApi(baseUrl: string): OtaTarget['api'] {
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

/** One `tinyfleet start` on embedded defaults (aedes, PGlite in its own child process). */
export async function embeddedTarget(chunkBytes: number): Promise<OtaTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tinyfleet-bench-ota-'));
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  process.stderr.write('starting a platform (embedded defaults)…\n');
  const platform = await spawnPlatform({
    ...platformEnv(chunkBytes),
    PORT: String(httpPort),
    MQTT_PORT: String(mqttPort),
    TINYFLEET_DATA_DIR: dataDir,
  });
  return {
    mode: 'embedded',
    api: jsonApi(`http://127.0.0.1:${httpPort}`),
    provisioningUrls: [`mqtt://127.0.0.1:${mqttPort}`],
    components: async () => [
      ['platform', [platform.pid!]],
      ['pglite', processTree(platform.pid!).slice(1)],
    ],
    lastSucceededStoredAtMs: async () => undefined,
    describe: { broker: 'aedes (embedded)', database: 'PGlite (embedded)', instances: 1 },
    close: async () => {
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
export async function clusterTarget(chunkBytes: number): Promise<OtaTarget> {
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
    instances.push(await startInstance('a', cluster, db.url, platformEnv(chunkBytes)));
    instances.push(await startInstance('b', cluster, db.url, platformEnv(chunkBytes)));
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
    lastSucceededStoredAtMs: async (rolloutId) => {
      const { rows } = await pg.query(
        `SELECT extract(epoch FROM max(e.at)) * 1000 AS at_ms FROM ota_job_events e
         JOIN ota_jobs j ON j.id = e.job_id WHERE j.rollout_id = $1 AND e.to_state = 'SUCCEEDED'`,
        [rolloutId],
      );
      return rows[0]?.at_ms === null ? undefined : Number(rows[0].at_ms);
    },
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
