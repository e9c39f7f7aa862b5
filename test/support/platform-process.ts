import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { BOOT_TIMEOUT_MS } from './wait';

const CLI = join(__dirname, '..', '..', 'bin', 'tinyfleet.js');

/** `tinyfleet start` as a real process (so a test can kill -9 it), resolved once it prints its banner. */
export async function spawnPlatform(env: Record<string, string>, timeoutMs = BOOT_TIMEOUT_MS): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'start'], {
    // No default simulated fleet in tests: each test brings exactly the devices it asserts on.
    env: { ...process.env, LOG_LEVEL: 'error', TINYFLEET_FLEET: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`platform did not start in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('tinyfleet is running')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`platform exited with ${code} during start-up:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  return child;
}

export function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
