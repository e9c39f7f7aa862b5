import { createKeyPair } from '@tinyfleet/artifact/verify-node';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepareFleetModels } from '../device-sim/src/fleet/fleet-models';
import { DATA_DIR } from './support/artifacts';
import { bootTestPlatform, TestPlatform } from './support/test-platform';

/**
 * What `npm start` does for a newcomer before the first screen: the default fleet's models are built
 * (quick recipes) or packaged (TFLM's person_detect), signed with the local dev key, and registered,
 * so the Models view lists what the Fleet view says is running, and a rollout can start from it.
 */
describe('the default fleet registers the models it runs', () => {
  let platform: TestPlatform;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-fleet-models-'));

  beforeAll(async () => {
    platform = await bootTestPlatform('pglite');
  });
  afterAll(async () => {
    await platform?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('builds, packages, signs and registers soil, gas-fruit, gas-ethylene and person-detect', async () => {
    const keyDir = path.join(tmp, 'keys');
    const key = createKeyPair(keyDir);
    const lines: string[] = [];
    const run = prepareFleetModels({
      httpUrl: platform.httpUrl,
      cacheDir: path.join(tmp, 'models'),
      dataDir: DATA_DIR,
      keyDir,
      log: (l) => lines.push(l),
    });
    const names = async () =>
      ((await platform.api('GET', '/api/models')).body as Array<{ name: string; keyId: string }>).map((m) => m.name);
    // Four child processes (three quick trainings and a packaging) on a shared machine: wait on the registry.
    for (let i = 0; i < 2400 && (await names()).length < 4; i++) await new Promise((r) => setTimeout(r, 100));
    run.cancel();
    expect((await names()).sort()).toEqual(['gas-ethylene', 'gas-fruit', 'person-detect', 'soil-dryout']);
    const models = (await platform.api('GET', '/api/models')).body as Array<{ keyId: string }>;
    expect(new Set(models.map((m) => m.keyId))).toEqual(new Set([key.keyId]));
    expect(lines.filter((l) => /registered/.test(l))).toHaveLength(4);
    // A second start finds everything built and registered: nothing is rebuilt, nothing registered twice.
    const again: string[] = [];
    const second = prepareFleetModels({
      httpUrl: platform.httpUrl,
      cacheDir: path.join(tmp, 'models'),
      dataDir: DATA_DIR,
      keyDir,
      log: (l) => again.push(l),
    });
    await new Promise((r) => setTimeout(r, 2000));
    second.cancel();
    expect(again.filter((l) => /building|packaging/.test(l))).toEqual([]);
    expect((await names()).length).toBe(4);
  }, 300_000);
});
