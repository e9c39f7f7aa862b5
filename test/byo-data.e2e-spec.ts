import { createKeyPair } from '@tinyfleet/artifact/verify-node';
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { makeFruitRoomCsv } from '../libs/datasets/scripts/make-byo-examples';
import { bootTestPlatform, TestPlatform } from './support/test-platform';

const REPO = path.resolve(__dirname, '..');
const CLI = path.join(REPO, 'bin', 'tinyfleet.js');

/**
 * Bring your own data (#16), every step one `tinyfleet` command as a user types it: a CSV no recipe
 * knows (SmellNet fruit recordings relabelled by fruit family, made from FLEET_DATA_DIR), a searched,
 * compressed, signed model for an nRF52840, pushed; simulated nodes replay the CSV's held-out part and
 * get the model over the air; a second build (objective energy) is packaged from its .tflite, pushed
 * and rolled out to them; the energy report shows both versions with on-device accuracy. Small
 * budgets (quick builds, 3 search trials) keep it short.
 */
describe('bring your own data: CSV → searched model → simulated nodes → energy report', () => {
  let platform: TestPlatform;
  let tmp: string;
  const cli = (args: string[]) =>
    promisify(execFile)(process.execPath, [CLI, ...args], { maxBuffer: 1 << 24, cwd: REPO }).then((r) => r.stdout);
  const api = (method: string, p: string, body?: unknown) => platform.api(method, p, body);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyfleet-byo-'));
    platform = await bootTestPlatform('postgres', { OTA_TICK_MS: '200' });
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('builds, searches, packages, pushes, rolls out to nodes replaying the CSV and reports energy and accuracy', async () => {
    const csv = path.join(tmp, 'fruit-room.csv');
    expect(makeFruitRoomCsv(csv, 300)).toBe(21_600);
    const key = path.join(tmp, 'key');
    createKeyPair(key);
    // Whole recordings held out for the test (the stricter split; sim run reads it back from the manifest).
    const common = [
      '--data',
      csv,
      '--task',
      'classify',
      '--label-column',
      'crate',
      '--window',
      '32',
      '--holdout',
      'segments',
      '--quick',
    ];
    const v1Text = await cli([
      'model',
      'build',
      ...common,
      '--target',
      'nrf52840',
      '--budget',
      '3',
      '--out',
      path.join(tmp, 'v1'),
      '--key',
      key,
    ]);
    // v2 must fit the nodes v1 runs on: admission refuses a model whose input differs from the active
    // one, and v1's search may have picked another window than --window (it picks 16 here).
    const v2Json = await cli([
      'model',
      'build',
      ...common,
      '--input-of',
      path.join(tmp, 'v1'),
      '--target',
      'atmega328p',
      '--objective',
      'energy',
      '--min-accuracy',
      '60',
      '--budget',
      '3',
      '--seed',
      '2',
      '--out',
      path.join(tmp, 'v2-build'),
      '--key',
      key,
      '--json',
    ]);
    // The readable report: Pareto table of the search, stages with sizes, MACs and device memory, balance, confusion.
    expect(v1Text).toMatch(/search: 3 of 18 architectures, objective accuracy/);
    expect(v1Text).toMatch(/quantize \(PTQ\)/);
    expect(v1Text).toMatch(/huffman/);
    expect(v1Text).toMatch(/confusion matrix \(test split, final int8 model; held-out accuracy ([\d.]+) %\)/);
    const heldOut = Number(/held-out accuracy ([\d.]+) %/.exec(v1Text)![1]);
    expect(heldOut).toBeGreaterThan(50); // four families, chance is 25–33 %
    const v2 = JSON.parse(v2Json);
    expect(v2.search.objective).toBe('energy');
    expect(v2.search.trials.every((t: { joulesPerDay: number }) => t.joulesPerDay > 0)).toBe(true);
    expect(v2.manifest.flashBytes).toBeLessThanOrEqual(10 * 1024); // the ATmega328P's slot
    expect(v2.classBalance.test).toHaveLength(4);

    // v2 as a user-supplied .tflite: `model package` with the build's preprocessing and labels.
    await cli([
      'model',
      'package',
      path.join(tmp, 'v2-build', 'model.tflite'),
      '--name',
      'fruit-room',
      '--version',
      '2.0.0',
      '--labels',
      v2.manifest.labels.join(','),
      '--preprocessing',
      path.join(tmp, 'v2-build', 'manifest.json'),
      '--out',
      path.join(tmp, 'v2'),
      '--key',
      key,
    ]);
    const url = platform.httpUrl;
    expect(
      (
        await api('POST', '/api/keys', {
          name: 'byo',
          publicKeyPem: fs.readFileSync(path.join(key, 'ed25519.pub.pem'), 'utf8'),
        })
      ).status,
    ).toBe(201);
    await cli(['model', 'push', path.join(tmp, 'v1'), '--platform', url]);
    await cli(['model', 'push', path.join(tmp, 'v2'), '--platform', url]);

    // Nodes replaying the held-out part of the CSV, 1 row per virtual second; v1 arrives over the air.
    const sim = spawn(
      process.execPath,
      [
        CLI,
        'sim',
        'run',
        '--platform',
        url,
        '--stream-file',
        csv,
        '--stream-rate',
        '1',
        '--label-column',
        'crate',
        '--stream-sensor',
        'gas',
        '--model',
        'fruit-room@1.0.0',
        '--devices',
        '4',
        '--speed',
        '1800',
        '--virtual',
        '1d',
        '--state-dir',
        path.join(tmp, 'sim'),
        '--trust',
        key,
        '--workers',
        '1',
        '--json',
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let simOut = '';
    let simErr = '';
    sim.stdout.on('data', (b) => (simOut += b));
    sim.stderr.on('data', (b) => (simErr += b));
    const simDone = new Promise<number>((resolve) => sim.on('exit', (code) => resolve(code ?? 1)));
    type RolloutView = { id: number; state: string; model: { version: string }; skipped: unknown[] };
    const rollouts = async () => (await api('GET', '/api/rollouts')).body as RolloutView[];
    const finished = async (version: string) => {
      for (let i = 0; i < 200; i++) {
        const r = (await rollouts()).find((x) => x.model.version === version);
        if (r?.state === 'FINISHED') {
          // FINISHED also means "nobody was eligible": every node must have been offered this version.
          expect({ version, skipped: r.skipped }).toEqual({ version, skipped: [] });
          return r;
        }
        await sleep(100);
      }
      throw new Error(`rollout of ${version} did not finish: ${JSON.stringify(await rollouts())}\n${simErr}`);
    };
    await finished('1.0.0');
    await sleep(4000); // a few virtual hours on v1
    const created = await cli([
      'rollout',
      'create',
      '--model',
      'fruit-room@2.0.0',
      '--stream',
      'fruit-room',
      '--groups',
      '100%',
      '--platform',
      url,
      '--json',
    ]);
    expect(JSON.parse(created).id).toBeGreaterThan(0);
    await finished('2.0.0');
    expect(await simDone).toBe(0);
    const summary = JSON.parse(simOut);
    expect(summary.nodes).toBe(4);
    expect(summary.otaInstalls).toBe(8);
    const acc1 = summary.accuracy['fruit-room@1.0.0'];
    const acc2 = summary.accuracy['fruit-room@2.0.0'];
    expect(acc1.inferences).toBeGreaterThan(100);
    expect(acc2.inferences).toBeGreaterThan(100);
    // The nodes replay the held-out segments (scoring windows inside one segment): on-node accuracy is the
    // build's held-out accuracy, up to the windows' phase (the node infers every 16 rows, the split every 8).
    expect(Math.abs(acc1.accuracy * 100 - heldOut)).toBeLessThan(10);
    expect(summary.eventsPerNodePerDay).toBeGreaterThan(0);
    expect(summary.joulesPerNodePerDay).toBeGreaterThan(0);

    // The energy report: both versions with events and energy per inference.
    const report = (await api('GET', '/api/energy/report?format=json')).body;
    const versions = report.modelVersions.filter((m: { modelId: string }) => m.modelId === 'fruit-room');
    expect(versions.map((m: { modelVersion: string }) => m.modelVersion).sort()).toEqual(['1.0.0', '2.0.0']);
    for (const m of versions) expect(m.meanEnergyPerInferenceUj).toBeGreaterThan(0);
    console.log(
      `byo: held-out v1 ${heldOut} %; on-node v1 ${(acc1.accuracy * 100).toFixed(1)} % (n=${acc1.inferences}), v2 ${(acc2.accuracy * 100).toFixed(1)} % (n=${acc2.inferences}); ${summary.eventsPerNodePerDay.toFixed(1)} events and ${summary.joulesPerNodePerDay.toFixed(2)} J per node-day`,
    );
  }, 240_000);
});
