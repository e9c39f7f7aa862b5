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
  // pglite-socket 0.2.17 serves every connection from one queue, and when PGlite throws on a message
  // the queue stops for good (processQueue returns before clearing its `processing` flag; cf.
  // electric-sql/pglite#1046): every later query of every connection would wait forever. Exit
  // instead, so the platform reports it (EmbeddedPostgres.exited) rather than hangs.
  const execProtocolRawStream = db.execProtocolRawStream.bind(db);
  db.execProtocolRawStream = async (message, options) => {
    try {
      return await execProtocolRawStream(message, options);
    } catch (err) {
      process.stderr.write(
        `PGlite failed on a protocol message (${err instanceof Error ? err.message : String(err)}); pglite-socket serves no query after that, so the embedded database stops\n`,
      );
      process.exit(1);
    }
  };
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
