import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../apps/platform/src/database/embedded-postgres';
import { BOOT_TIMEOUT_MS } from './wait';

export type DatabaseKind = 'postgres' | 'pglite';

export interface TestDatabase {
  kind: DatabaseKind;
  url: string;
  dispose(): Promise<void>;
}

/**
 * The real PostgreSQL the test machine runs (127.0.0.1:5432, trust auth); override with
 * TEST_POSTGRES_URL. Each test file gets its own fresh database, dropped afterwards.
 */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    // In memory, its own child process; ready when it has answered `select version()`.
    const pg = await startEmbeddedPostgres({ startTimeoutMs: BOOT_TIMEOUT_MS });
    return { kind, url: pg.url, dispose: () => pg.stop() };
  }
  const name = `tinyfleet_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: POSTGRES_ADMIN_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `cannot reach PostgreSQL at ${POSTGRES_ADMIN_URL} (${(err as Error).message}). Start it with ` +
        `'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start' or set TEST_POSTGRES_URL.`,
      { cause: err },
    );
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    dispose: async () => {
      const c = new Client({ connectionString: POSTGRES_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
