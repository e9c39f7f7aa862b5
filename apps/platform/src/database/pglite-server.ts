/**
 * Child-process entry: PGlite (PostgreSQL compiled to wasm) served over the Postgres wire protocol
 * on a loopback port. It runs in its own process because PGlite executes queries synchronously on
 * its JS thread; out of process, the platform's event loop (MQTT, HTTP) never waits on SQL, and the
 * second core does the database work. Started by `startEmbeddedPostgres()` through `fork()`.
 */
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { openPglite } from './initdb-snapshot';

export interface PgliteServerReady {
  type: 'ready';
  port: number;
  version: string;
}
export interface PgliteServerFailed {
  type: 'failed';
  message: string;
}

async function main(): Promise<void> {
  const dataDir = process.env.PGLITE_DATA_DIR || undefined; // undefined: in memory
  const maxConnections = Number(process.env.PGLITE_MAX_CONNECTIONS || 20);
  const db = await openPglite(dataDir);
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: Number(process.env.PGLITE_PORT || 0),
    maxConnections,
  });
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  const { rows } = await db.query<{ version: string }>('select version()');

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await server.stop().catch(() => undefined);
    await db.close().catch(() => undefined); // flushes the data dir
    process.exit(0);
  };
  // The parent owns our lifetime: when it goes away (even by kill -9) the IPC channel closes.
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.on('message', (m) => {
    if (m === 'stop') void stop();
  });
  const ready: PgliteServerReady = { type: 'ready', port, version: rows[0]?.version ?? 'unknown' };
  process.send?.(ready);
}

main().catch((err: unknown) => {
  const failed: PgliteServerFailed = { type: 'failed', message: err instanceof Error ? err.message : String(err) };
  process.send?.(failed);
  process.exit(1);
});
