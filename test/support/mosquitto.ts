import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { waitForExit } from './platform-process';

export interface MosquittoProcess {
  url: string;
  pid: number;
  authDir: string;
  stop(): Promise<void>;
}

/**
 * A private Mosquitto (the Debian package's binary) on a free port, with authentication and ACLs
 * read from files the platform keeps (MOSQUITTO_AUTH_DIR) — the deployment docs/external-broker.md
 * describes. Starts with empty files: nobody may log in until the platform writes them.
 */
export async function startMosquitto(): Promise<MosquittoProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'tinyfleet-mosquitto-'));
  const port = await freePort();
  writeFileSync(join(dir, 'passwd'), '', { mode: 0o600 });
  writeFileSync(join(dir, 'acl'), '', { mode: 0o600 });
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${join(dir, 'passwd')}`,
      `acl_file ${join(dir, 'acl')}`,
      'persistence false',
      'user root',
      'log_dest stderr',
      'log_type error',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  // ready when the port accepts connections
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited: ${stderr}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = require('node:net').connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    pid: child.pid!,
    authDir: dir,
    stop: async () => {
      child.kill('SIGTERM');
      await waitForExit(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
