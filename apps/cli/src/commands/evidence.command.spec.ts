import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { registerEvidenceCommands } from './evidence.command';

describe('tinyfleet evidence export', () => {
  afterEach(() => jest.restoreAllMocks());

  it('writes nothing and fails when no window is labelled (or the request does not exist)', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tf-evidence-')), 'out');
    jest.spyOn(globalThis, 'fetch').mockResolvedValue(new Response(JSON.stringify({ windows: [] }), { status: 200 }));
    const program = new Command('tinyfleet').exitOverride();
    registerEvidenceCommands(program);
    await expect(
      program.parseAsync(['node', 'tinyfleet', 'evidence', 'export', dir, '--request', '999']),
    ).rejects.toThrow('no labelled windows in request 999 (unknown request, or none labelled yet');
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('asks for NAME@VERSION before sending a request', async () => {
    const fetchSpy = jest.spyOn(globalThis, 'fetch');
    const program = new Command('tinyfleet').exitOverride();
    registerEvidenceCommands(program);
    await expect(
      program.parseAsync(['node', 'tinyfleet', 'evidence', 'request', '--model', 'gas-ethylene']),
    ).rejects.toThrow('--model must be NAME@VERSION, e.g. gas-ethylene@1.0.0, got "gas-ethylene"');
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});
