import { ChildProcess, fork } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PgliteServerFailed, PgliteServerReady } from './pglite-server';

export interface EmbeddedPostgres {
  /** postgres:// URL for the `pg` driver. */
  url: string;
  port: number;
  version: string;
  /** The PGlite process. */
  pid: number;
  /**
   * Settles with an EmbeddedPostgresError when the PGlite process exits without `stop()` (crashed,
   * killed, out of memory): every query would then fail or wait, so the platform must stop, loudly.
   * Never rejects; never settles after `stop()`.
   */
  exited: Promise<EmbeddedPostgresError>;
  stop(): Promise<void>;
}

export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

const REGISTER = join(__dirname, '..', '..', '..', '..', 'bin', 'register.js');
const SERVER = join(__dirname, 'pglite-server.ts');

/**
 * Starts PGlite in a child process, served on a loopback port. With `dataDir` the database lives in
 * that folder and survives restarts; a lock file stops two processes from opening the same folder
 * (PGlite has no multi-process locking of its own and would corrupt it).
 */
export async function startEmbeddedPostgres(
  opts: { dataDir?: string; maxConnections?: number; startTimeoutMs?: number } = {},
): Promise<EmbeddedPostgres> {
  const lockFile = opts.dataDir ? await acquireLock(opts.dataDir) : undefined;
  const child = fork(SERVER, [], {
    execArgv: ['-r', REGISTER],
    env: {
      ...process.env,
      PGLITE_DATA_DIR: opts.dataDir ?? '',
      PGLITE_MAX_CONNECTIONS: String(opts.maxConnections ?? 20),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ready = await waitForReady(child, opts.startTimeoutMs ?? 60_000);
    // The PGlite process holds the folder: it outlives us briefly if we are killed (it stops when
    // its IPC channel closes), and the next start waits for it.
    if (lockFile) writeFileSync(lockFile, String(child.pid));
    let stopping = false;
    const exited = new Promise<EmbeddedPostgresError>((resolve) =>
      child.once('exit', (code, signal) => {
        if (stopping) return;
        resolve(
          new EmbeddedPostgresError(
            `the embedded database (PGlite, process ${child.pid}) exited unexpectedly (${signal ?? `exit code ${code}`}); ` +
              `the platform cannot run without it. ${opts.dataDir ? `Its data in ${opts.dataDir} is kept: start tinyfleet again.` : 'It was in memory: its data is gone.'}`,
          ),
        );
      }),
    );
    return {
      url: `postgres://postgres@127.0.0.1:${ready.port}/postgres`,
      port: ready.port,
      version: ready.version,
      pid: child.pid!,
      exited,
      stop: () => {
        stopping = true;
        return stopChild(child).finally(() => lockFile && rmSync(lockFile, { force: true }));
      },
    };
  } catch (err) {
    child.kill('SIGKILL');
    if (lockFile) rmSync(lockFile, { force: true });
    throw err;
  }
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<PgliteServerReady> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new EmbeddedPostgresError(`PGlite did not start within ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once('message', (m: PgliteServerReady | PgliteServerFailed) => {
      clearTimeout(timer);
      if (m.type === 'ready') resolve(m);
      else reject(new EmbeddedPostgresError(`PGlite failed to start: ${m.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new EmbeddedPostgresError(`PGlite exited during start-up (code ${code})`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.send('stop');
  });
}

/** How long to wait for the previous holder of a data folder to finish closing it. */
const LOCK_WAIT_MS = 15_000;

async function acquireLock(dataDir: string): Promise<string> {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = join(dataDir, 'tinyfleet.lock');
  const holder = (): number | undefined => {
    if (!existsSync(lockFile)) return undefined;
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  };
  const deadline = Date.now() + LOCK_WAIT_MS;
  let pid = holder();
  while (pid !== undefined && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    pid = holder();
  }
  if (pid !== undefined) {
    throw new EmbeddedPostgresError(
      `the embedded database in ${dataDir} is in use by process ${pid}; stop that tinyfleet, or set TINYFLEET_DATA_DIR to another folder`,
    );
  }
  writeFileSync(lockFile, String(process.pid));
  return lockFile;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
