import { loadConfig } from '../../apps/platform/src/config/app-config';
import { RunningPlatform, startPlatform } from '../../apps/platform/src/platform';
import { createTestDatabase, DatabaseKind, TestDatabase } from './test-database';
import { BOOT_TIMEOUT_MS, within } from './wait';

export interface TestPlatform extends RunningPlatform {
  db: TestDatabase;
  /** POST /api/claims and return { claimId, claimSecret }. */
  createClaim(body?: Record<string, unknown>): Promise<{ claimId: string; claimSecret: string }>;
  api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/**
 * A whole platform on free ports (HTTP and embedded MQTT) over a fresh database of the given kind,
 * returned once it listens (migrations done, broker up). A hook that calls it needs
 * `bootTimeout()` (support/wait.ts) as its Jest timeout.
 */
export function bootTestPlatform(kind: DatabaseKind, env: Record<string, string> = {}): Promise<TestPlatform> {
  return within(boot(kind, env), BOOT_TIMEOUT_MS, `the test platform (${kind}) was not ready`);
}

async function boot(kind: DatabaseKind, env: Record<string, string>): Promise<TestPlatform> {
  const starting = createTestDatabase(kind);
  starting.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  // Nest's module graph loads here while the database starts in its own process (pglite) or
  // PostgreSQL creates it: the two take about as long, and startPlatform() then finds it loaded.
  await import('../../apps/platform/src/app.module').catch(async (err: unknown) => {
    await (await starting.catch(() => undefined))?.dispose();
    throw err;
  });
  const db = await starting;
  let platform: RunningPlatform;
  try {
    platform = await startPlatform(
      loadConfig({
        PORT: '0',
        MQTT_PORT: '0',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
        DATABASE_URL: db.url,
        ...env,
      }),
    );
  } catch (err) {
    await db.dispose();
    throw err;
  }
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(new URL(path, platform.httpUrl), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
    };
  };
  return {
    ...platform,
    db,
    api,
    createClaim: async (body = {}) => {
      const res = await api('POST', '/api/claims', { name: 'test claim', ...body });
      if (res.status !== 201) throw new Error(`claim creation failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { claimId: res.body.id, claimSecret: res.body.secret };
    },
    stop: async () => {
      await platform.close();
      await db.dispose();
    },
  };
}
