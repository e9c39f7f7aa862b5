import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { helloWorldVersions, newSigningKey } from './support/artifacts';
import { statusesStored } from './support/devices';
import { otaDevice, OtaTestDevice } from './support/ota-device';
import { bootTestPlatform, TestPlatform } from './support/test-platform';
import { bootTimeout } from './support/wait';

const run = promisify(execFile);
const CLI = join(__dirname, '..', 'bin', 'tinyfleet.js');

/** The OTA commands of the tinyfleet CLI against a running platform. */
describe('tinyfleet model push / keys trust / rollout', () => {
  let platform: TestPlatform;
  let device: OtaTestDevice;
  const dir = mkdtempSync(join(tmpdir(), 'tinyfleet-ota-cli-'));
  const cli = async (...args: string[]) =>
    (await run(process.execPath, [CLI, ...args, '--platform', platform.httpUrl])).stdout;

  beforeAll(async () => {
    platform = await bootTestPlatform('pglite', { OTA_TICK_MS: '0' });
  }, bootTimeout());
  afterAll(async () => {
    await device?.conn.close(true);
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pushes a signed artifact folder, then drives a rollout through pause, resume and abort', async () => {
    const key = newSigningKey();
    const { v1, v2 } = helloWorldVersions(key, 'cli');
    writeFileSync(join(dir, 'key.pub.pem'), key.publicKey.export({ format: 'pem', type: 'spki' }));
    for (const [name, a] of [
      ['v1', v1],
      ['v2', v2],
    ] as const) {
      const folder = join(dir, name);
      require('node:fs').mkdirSync(folder);
      writeFileSync(join(folder, 'manifest.json'), a.manifestText);
      writeFileSync(join(folder, 'signature.json'), a.signatureText);
      writeFileSync(join(folder, 'model.tflite'), a.model);
    }

    await expect(cli('model', 'push', join(dir, 'v1'))).rejects.toMatchObject({
      stderr: expect.stringMatching(/unknown signing key/),
    });
    expect(await cli('keys', 'trust', join(dir, 'key.pub.pem'), '--name', 'ci key')).toBe(
      `trusted key ${key.keyId} (ci key)\n`,
    );
    expect(await cli('model', 'push', join(dir, 'v1'))).toMatch(
      /^registered hello 1\.0\.0 \(sha256 [0-9a-f]{16}…, signed by [0-9a-f]{16}\)/,
    );
    await cli('model', 'push', join(dir, 'v2'));
    expect(await cli('model', 'list')).toMatch(/hello 2\.0\.0 .*\n.*hello 1\.0\.0/);

    device = await otaDevice(platform.mqttUrl, await platform.createClaim(), 'cli-dev', {
      initial: { bytes: v1.model, manifest: v1.deviceManifest },
      trustedKeys: new Map(),
    });
    await statusesStored(platform.httpUrl, [device.conn.deviceId]);
    const created = JSON.parse(
      await cli(
        'rollout',
        'create',
        '--model',
        'hello@2.0.0',
        '--stream',
        'soil',
        '--groups',
        '1,100%',
        '--gate-accuracy-drop',
        '5',
        '--gate-min-inferences',
        '20',
        '--gate-min-devices',
        '1',
        '--auto-rollback',
        '--json',
      ),
    );
    expect(created).toMatchObject({
      state: 'RUNNING',
      groups: [{ jobs: { QUEUED: 1 } }, {}],
      gates: { maxAccuracyDropPct: 5, minAccuracyInferences: 20, minDevicesPerSide: 1, autoRollback: true },
    });
    expect(await cli('rollout', 'status', String(created.id))).toMatch(
      /rollout #\d+ hello 2\.0\.0 — RUNNING \(1 device in 2 groups, 0 skipped\)\n {2}group 1 READY .*queued 1/,
    );
    expect(await cli('rollout', 'pause', String(created.id))).toMatch(/— PAUSED \(paused by the operator\)/);
    expect(await cli('rollout', 'resume', String(created.id))).toMatch(/— RUNNING \(resumed by the operator\)/);
    expect(await cli('rollout', 'abort', String(created.id))).toMatch(
      /— ABORTED[^\n]*\n {2}group 1 CANCELED .*canceled 1/,
    );
    expect(await cli('rollout', 'list')).toMatch(new RegExp(`#${created.id}\\s+ABORTED`));
    await expect(cli('rollout', 'create', '--model', 'hello')).rejects.toMatchObject({
      stderr: expect.stringMatching(/--model must be name@version/),
    });
  });
});
