import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './support/free-port';

const run = promisify(execFile);
const REPO = join(__dirname, '..');
const CLI = join(REPO, 'bin', 'tinyfleet.js');
const REGISTER = join(REPO, 'bin', 'register.js');

/**
 * What the command line loads before it does anything: `--help` and the HTTP commands must not load
 * the interpreter, the pipeline (TensorFlow.js), the platform or the transpiler, which is what made
 * every `npx tinyfleet …` cost seconds. Asserts on the modules required, never on time.
 */
describe('tinyfleet start-up', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tinyfleet-startup-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  /** Runs the CLI with `args` and returns the files it required, relative to the repository. */
  const requiredBy = async (args: string[]): Promise<string[]> => {
    const out = join(tmp, `required-${args.join('-').replace(/[^a-z-]/g, '')}.json`);
    // Writes require.cache when the process exits, also through commander's process.exit().
    const probe = `
      process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.keys(require.cache))));
      process.argv = [process.argv[0], ${JSON.stringify(CLI)}, ...${JSON.stringify(args)}];
      require(${JSON.stringify(CLI)});`;
    await run(process.execPath, ['-e', probe]).catch((err: { code?: number }) => {
      if (typeof err.code !== 'number') throw err; // an exit code is fine (claim list without a platform)
    });
    return (JSON.parse(readFileSync(out, 'utf8')) as string[]).map((f) => f.slice(REPO.length + 1));
  };

  const HEAVY = [
    // The interpreter, not schema.fbs's code tables (the device manifest names ops and dtypes by code).
    /^libs\/tinyml\/(?!src\/schema\/tflite-schema\.ts$)/,
    /^libs\/pipeline\/src\/(?!report-table)/,
    /^apps\/platform\//,
    /^device-sim\//,
    /node_modules\/@tensorflow\//,
    /node_modules\/@nestjs\//,
    /node_modules\/typeorm\//,
    /node_modules\/typescript\//,
    /node_modules\/@swc\/core\//,
    /node_modules\/@swc-node\//,
  ];
  const heavyIn = (files: string[]) => files.filter((f) => HEAVY.some((re) => re.test(f)));

  it('`--help` loads commander and the command definitions only (once the transpile cache is warm)', async () => {
    await requiredBy(['--help']); // warms the cache if this checkout has never run the CLI
    const files = await requiredBy(['--help']);
    expect(files).toContain('apps/cli/src/main.ts');
    expect(files).toContain('apps/cli/src/commands/model.command.ts');
    expect(heavyIn(files)).toEqual([]);
  });

  it('`claim list` loads no heavy module either', async () => {
    const platform = `http://127.0.0.1:${await freePort()}`;
    await requiredBy(['claim', 'list', '--platform', platform]);
    const files = await requiredBy(['claim', 'list', '--platform', platform]);
    expect(files).toContain('apps/cli/src/http-client.ts');
    expect(heavyIn(files)).toEqual([]);
  });

  it('a subcommand still loads what it needs (model inspect loads the interpreter)', async () => {
    const files = await requiredBy(['model', 'inspect', join(tmp, 'missing.tflite')]);
    // The file is read before the interpreter loads, so a missing model is reported without it…
    expect(heavyIn(files)).toEqual([]);
    writeFileSync(join(tmp, 'garbage.tflite'), Buffer.from('not a flatbuffer'));
    // …and a present one loads it.
    expect(await requiredBy(['model', 'inspect', join(tmp, 'garbage.tflite')])).toContain('libs/tinyml/src/index.ts');
  });

  it('the transpile cache follows the source: an edited file runs as edited', async () => {
    const file = join(tmp, 'edited.ts');
    const value = async () =>
      (
        await run(process.execPath, [
          '-r',
          REGISTER,
          '-e',
          `process.stdout.write(String(require(${JSON.stringify(file)}).value))`,
        ])
      ).stdout;
    writeFileSync(file, 'export const value: number = 1;\n');
    expect(await value()).toBe('1');
    writeFileSync(file, 'export const value: number = 2;\n');
    expect(await value()).toBe('2');
  });
});
