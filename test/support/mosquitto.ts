import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { waitForExit } from './platform-process';
import { WAIT_TIMEOUT_MS } from './wait';

export interface MosquittoProcess {
  /** The devices' listener (client id forced to the username). */
  url: string;
  /** The platform's listener (its own password file). */
  platformUrl: string;
  pid: number;
  authDir: string;
  stop(): Promise<void>;
}

/**
 * A private Mosquitto (the Debian package's binary) on free ports, with authentication and ACLs
 * read from files the platform keeps (MOSQUITTO_AUTH_DIR) — exactly the mosquitto.conf that
 * docs/external-broker.md tells operators to write. Starts with empty files: nobody may log in until
 * the platform writes them. `extraConfig`: further global mosquitto.conf lines.
 */
export async function startMosquitto(extraConfig: string[] = []): Promise<MosquittoProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'tinyfleet-mosquitto-'));
  const port = await freePort();
  const platformPort = await freePort();
  for (const f of ['passwd', 'passwd-platform', 'acl']) writeFileSync(join(dir, f), '', { mode: 0o600 });
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    [
      'per_listener_settings true',
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      'use_username_as_clientid true',
      `password_file ${join(dir, 'passwd')}`,
      `acl_file ${join(dir, 'acl')}`,
      `listener ${platformPort} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${join(dir, 'passwd-platform')}`,
      `acl_file ${join(dir, 'acl')}`,
      'persistence false',
      ...extraConfig,
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
  const deadline = Date.now() + WAIT_TIMEOUT_MS;
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
    platformUrl: `mqtt://127.0.0.1:${platformPort}`,
    pid: child.pid!,
    authDir: dir,
    stop: async () => {
      child.kill('SIGTERM');
      await waitForExit(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
