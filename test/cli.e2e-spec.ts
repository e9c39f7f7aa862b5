import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './support/free-port';
import { spawnPlatform, waitForExit } from './support/platform-process';
import { itBooting } from './support/wait';

const run = promisify(execFile);
const CLI = join(__dirname, '..', 'bin', 'tinyfleet.js');
const tinyfleet = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });

describe('tinyfleet CLI', () => {
  it('prints help listing its commands', async () => {
    const { stdout } = await tinyfleet(['--help']);
    expect(stdout).toMatch(/Usage: tinyfleet/);
    expect(stdout).toMatch(/start/);
    expect(stdout).toMatch(/claim/);
  });

  it('stops boot with a message naming a bad variable', async () => {
    const err = await tinyfleet(['start'], { MQTT_PORT: 'abc' }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1, stderr: expect.stringContaining('MQTT_PORT="abc" is not a TCP port') });
  });

  it('says how to start the platform when none is running', async () => {
    const port = await freePort();
    const err = await tinyfleet(['claim', 'list', '--platform', `http://127.0.0.1:${port}`]).catch(
      (e: { stderr: string }) => e,
    );
    expect((err as { stderr: string }).stderr).toMatch(/cannot reach the platform .* is it running\? \(npm start\)/);
  });

  itBooting(2, 'creates a claim on a running platform; restarted, it finds the claim in its data', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tinyfleet-cli-'));
    const env = { PORT: String(await freePort()), MQTT_PORT: String(await freePort()), TINYFLEET_DATA_DIR: dataDir };
    const url = `http://127.0.0.1:${env.PORT}`;
    try {
      let platform = await spawnPlatform(env);
      const created = JSON.parse(
        (await tinyfleet(['claim', 'create', '--name', 'batch-7', '--max-uses', '5', '--json', '--platform', url]))
          .stdout,
      );
      expect(created).toMatchObject({ id: expect.stringMatching(/^clm-/), secret: expect.any(String), maxUses: 5 });
      platform.kill('SIGTERM');
      await waitForExit(platform);

      platform = await spawnPlatform(env);
      const { stdout } = await tinyfleet(['claim', 'list', '--platform', url]);
      expect(stdout).toContain(created.id);
      expect(stdout).toContain('batch-7');
      await tinyfleet(['claim', 'revoke', created.id, '--platform', url]);
      expect(JSON.parse((await tinyfleet(['claim', 'list', '--json', '--platform', url])).stdout)[0].state).toBe(
        'revoked',
      );
      platform.kill('SIGTERM');
      await waitForExit(platform);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
