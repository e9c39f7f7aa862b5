import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { registerKeysCommands } from './keys.command';
import { registerModelBuildCommands } from './model-build.command';

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
