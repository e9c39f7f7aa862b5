import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { registerKeysCommands } from './keys.command';
import { registerModelBuildCommands } from './model-build.command';
import { createKeyPair } from '@tinyfleet/artifact/verify-node';

/** CLI wiring of keys create, model build --quick, model verify (valid, tampered, unknown key). */
describe('tinyfleet keys / model build / model verify', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-cli-'));
  let out = '';
  beforeEach(() => {
    out = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out += String(s);
      return true;
    });
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    process.exitCode = undefined;
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => {
    process.exitCode = undefined;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const run = async (...args: string[]) => {
    const program = new Command('tinyfleet').exitOverride();
    registerKeysCommands(program);
    registerModelBuildCommands(program.command('model'));
    await program.parseAsync(['node', 'tinyfleet', ...args]);
  };

  it('builds, signs and verifies; a flipped model byte or an unknown key fails', async () => {
    await run('keys', 'create', path.join(tmp, 'key'));
    const keyId = /key id ([0-9a-f]{16})/.exec(out)?.[1];
    expect(keyId).toBeDefined();
    await run('model', 'build', 'soil', '--quick', '--out', path.join(tmp, 'soil'), '--key', path.join(tmp, 'key'));
    expect(out).toMatch(/soil-dryout@1\.0\.0/);
    expect(out).toMatch(/quantize \(PTQ\)/);
    await run('model', 'verify', path.join(tmp, 'soil'), '--trust', path.join(tmp, 'key'));
    expect(out).toMatch(new RegExp(`OK soil-dryout@1.0.0 signed by ${keyId}`));
    expect(process.exitCode).toBeUndefined();

    await run('keys', 'create', path.join(tmp, 'other'));
    await run('model', 'verify', path.join(tmp, 'soil'), '--trust', path.join(tmp, 'other'));
    expect(out).toMatch(/FAILED .*unknown signing key/);
    expect(process.exitCode).toBe(1);

    process.exitCode = undefined;
    const model = path.join(tmp, 'soil', 'model.tflite');
    const bytes = fs.readFileSync(model);
    bytes[bytes.length >> 1] ^= 0x04;
    fs.writeFileSync(model, bytes);
    await run('model', 'verify', path.join(tmp, 'soil'), '--trust', path.join(tmp, 'key'));
    expect(out).toMatch(/FAILED .*model\.tflite sha256/);
    expect(process.exitCode).toBe(1);
  });

  it('an unknown recipe is one clear error', async () => {
    await expect(run('model', 'build', 'toaster', '--out', path.join(tmp, 'x'))).rejects.toThrow(
      /unknown recipe "toaster"/,
    );
  });
});

/** `model build --data`: the user's own CSV, and bad input that must write nothing. */
describe('tinyfleet model build --data', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-cli-data-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const run = async (...args: string[]) => {
    const program = new Command('tinyfleet').exitOverride();
    registerModelBuildCommands(program.command('model'));
    await program.parseAsync(['node', 'tinyfleet', ...args]);
  };
  /** Two gestures of an accelerometer: a slow sway and a fast shake, three segments each, 1 row per 20 ms. */
  const csv = (file: string, mutate: (lines: string[]) => void = () => {}) => {
    const lines = ['timestamp,ax,ay,az,gesture'];
    let t = 0;
    for (let seg = 0; seg < 6; seg++)
      for (let i = 0; i < 160; i++, t += 0.02) {
        const f = seg % 2 ? 9 : 1.5;
        lines.push(
          `${t.toFixed(2)},${Math.sin(t * f).toFixed(3)},${Math.cos(t * f).toFixed(3)},${((i * 7) % 5) / 10},${seg % 2 ? 'shake' : 'sway'}`,
        );
      }
    mutate(lines);
    fs.writeFileSync(path.join(tmp, file), `${lines.join('\n')}\n`);
    return path.join(tmp, file);
  };
  const key = path.join(tmp, 'key');
  beforeAll(() => {
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    fs.mkdirSync(key);
    createKeyPair(path.join(key));
  });
  afterAll(() => jest.restoreAllMocks());

  it.each([
    [
      'NaN',
      (l: string[]) => (l[50] = l[50].replace(/^([^,]+),[^,]+/, '$1,NaN')),
      /gestures-NaN\.csv:51: column "ax": "NaN" is not a number/,
    ],
    ['ragged', (l: string[]) => (l[7] = '0.5,1'), /gestures-ragged\.csv:8: expected 5 columns, found 2/],
    [
      'one class',
      (l: string[]) => l.forEach((s, i) => (l[i] = s.replace(/shake$/, 'sway'))),
      /only one class \("sway"\)/,
    ],
  ])('refuses %s, naming file and line, and writes nothing', async (what, mutate, re) => {
    const file = csv(`gestures-${what}.csv`, mutate);
    const out = path.join(tmp, `out-${what}`);
    await expect(
      run(
        'model',
        'build',
        '--data',
        file,
        '--task',
        'classify',
        '--label-column',
        'gesture',
        '--quick',
        '--out',
        out,
        '--key',
        key,
      ),
    ).rejects.toThrow(re);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('builds a searched, signed model from the CSV and prints the Pareto table, class balance and confusion matrix', async () => {
    let printed = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      printed += String(s);
      return true;
    });
    const out = path.join(tmp, 'gestures');
    await run(
      'model',
      'build',
      '--data',
      csv('gestures.csv'),
      '--task',
      'classify',
      '--label-column',
      'gesture',
      '--window',
      '16',
      '--features',
      'spectral',
      '--spectral-bins',
      '4',
      '--budget',
      '2',
      '--quick',
      '--out',
      out,
      '--key',
      key,
    );
    expect(printed).toMatch(/search: 2 of 18 architectures/);
    expect(printed).toMatch(/val acc %\s+RAM B\s+flash B\s+MACs\s+latency ms\s+µJ\/inf\s+J\/day/);
    expect(printed).toMatch(/class balance[\s\S]*shake[\s\S]*sway/);
    expect(printed).toMatch(/confusion matrix \(test split, final int8 model; held-out accuracy [\d.]+ %\)/);
    const m = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(m.name).toBe('gestures');
    expect(m.labels).toEqual(['shake', 'sway']);
    expect(m.preprocessing).toMatchObject({ kind: 'window', spectralBins: 4, sampleIntervalSeconds: 0.02 });
    expect(m.datasets[0].files[0]).toMatchObject({ path: 'gestures.csv' });
  });
});
