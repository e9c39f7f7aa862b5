import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { Command } from 'commander';
import { parseGroups, registerOtaCommands, render } from './ota.command';

/** Bad input to the OTA commands fails on this machine, before anything reaches the platform. */
describe('tinyfleet rollout / keys input checks', () => {
  let fetchSpy: jest.SpyInstance;
  let stderr = '';
  beforeEach(() => {
    stderr = '';
    fetchSpy = jest.spyOn(globalThis, 'fetch').mockRejectedValue(new Error('no request expected'));
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => jest.restoreAllMocks());

  const run = async (...args: string[]) => {
    const program = new Command('tinyfleet')
      .exitOverride()
      .configureOutput({ writeErr: (s) => (stderr += s), writeOut: () => undefined });
    registerOtaCommands(program, program.command('model'));
    await program.parseAsync(['node', 'tinyfleet', ...args]);
  };

  it.each([['abc'], ['-1'], ['']])('refuses --gate-drift-psi %j, naming the option', async (value) => {
    await expect(run('rollout', 'create', '--model', 'soil-dryout@1.0.0', '--gate-drift-psi', value)).rejects.toThrow(
      `--gate-drift-psi must be a non-negative number, got ${JSON.stringify(value)}`,
    );
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('names the option of a bad whole number', async () => {
    await expect(run('rollout', 'create', '--model', 'soil-dryout@1.0.0', '--success', '-1')).rejects.toThrow(
      '--success must be an integer from 1 to 100, got "-1"',
    );
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('refuses a group of 0 devices or 0 %', () => {
    expect(() => parseGroups('0')).toThrow(/at least one device/);
    expect(() => parseGroups('2,0%,100%')).toThrow(/"0%"/);
    expect(parseGroups('2, 25%,100%')).toEqual([{ count: 2 }, { percent: 25 }, { percent: 100 }]);
  });

  it('refuses to send a private key to keys trust', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-keys-'));
    const file = path.join(dir, 'ed25519.key.pem');
    const { privateKey } = generateKeyPairSync('ed25519');
    fs.writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    await expect(run('keys', 'trust', file, '--name', 'oops')).rejects.toThrow(
      /is a private key; trust the public one/,
    );
    expect(fetchSpy).not.toHaveBeenCalled();
    fs.rmSync(dir, { recursive: true });
  });

  it('says which key file it cannot read', async () => {
    await expect(run('keys', 'trust', '/nonexistent/k.pem', '--name', 'x')).rejects.toThrow(
      'cannot read key /nonexistent/k.pem: ENOENT',
    );
  });

  it('prints the model once when the rollout kept its default name', () => {
    const status = (name: string) =>
      ({
        id: 1,
        name,
        state: 'FINISHED',
        stateReason: null,
        model: { name: 'soil-dryout', version: '1.0.0' },
        groups: [],
        skipped: [],
      }) as unknown as Parameters<typeof render>[0];
    expect(render(status('soil-dryout 1.0.0'))).toBe('rollout #1 soil-dryout 1.0.0 — FINISHED\n');
    expect(render(status('greenhouse v2'))).toBe('rollout #1 greenhouse v2 — soil-dryout 1.0.0 — FINISHED\n');
  });

  it('counts offered jobs as in flight, not as downloading', () => {
    const out = render({
      id: 2,
      name: 'x',
      state: 'RUNNING',
      stateReason: null,
      model: { name: 'soil-dryout', version: '2.0.0' },
      groups: [
        {
          index: 0,
          state: 'RUNNING',
          jobs: { NOTIFIED: 1, SUCCEEDED: 2 },
          jobsInFlight: 1,
          gateReadings: null,
          successThresholdPct: 100,
          errorThresholdPct: 20,
        },
      ],
      skipped: [],
    } as unknown as Parameters<typeof render>[0]);
    expect(out).toContain('queued 0  in flight 1  succeeded 2');
  });
});
