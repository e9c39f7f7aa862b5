import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { buildModel } from '../../../../libs/tinyml/src/testing/model-builder';
import { referenceModelsDir } from '../../../../libs/tinyml/src/testing/reference-models';
import { createModelCommand } from './model.command';

/** `model inspect`: the device memory lines and JSON fields (activations / scratch / persistent / total). */
describe('tinyfleet model inspect', () => {
  let out = '';
  beforeEach(() => {
    out = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out += String(s);
      return true;
    });
  });
  afterEach(() => jest.restoreAllMocks());

  const run = async (...args: string[]) => {
    const program = new Command('tinyfleet').exitOverride();
    program.addCommand(createModelCommand());
    await program.parseAsync(['node', 'tinyfleet', 'model', 'inspect', ...args]);
  };
  const file = (dir: string, name: string) => path.join(referenceModelsDir(), dir, name);

  it('reports the device RAM split in JSON (hello_world_int8: 32 + 0 + 684 = 716 bytes)', async () => {
    await run(file('hello_world_int8', 'hello_world_int8.tflite'), '--json');
    const summary = JSON.parse(out);
    expect(summary.arenaBytes).toBe(32);
    expect(summary.memory).toEqual({ activationsBytes: 32, scratchBytes: 0, persistentBytes: 684, totalBytes: 716 });
  });

  it('prints the split, or says it is unknown when an op is unsupported', async () => {
    await run(file('person_detection', 'person_detect.tflite'));
    expect(out).toContain(
      'device RAM 82300 bytes: activations 55296, scratch 0, persistent 27004 (32-bit TFLM layout)',
    );
    out = '';
    // LSH_PROJECTION has no kernel in this interpreter (every held-out model runs since #13 part 1).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inspect-'));
    const lsh = path.join(dir, 'lsh-projection.tflite');
    fs.writeFileSync(
      lsh,
      buildModel({
        tensors: [
          { shape: [1, 4], dtype: 'int8', scale: 0.5, zeroPoint: 0 },
          { shape: [1, 4], dtype: 'int8', scale: 0.5, zeroPoint: 0 },
        ],
        ops: [{ op: 'LSH_PROJECTION', inputs: [0], outputs: [1] }],
        inputs: [0],
        outputs: [1],
      }),
    );
    try {
      await run(lsh, '--json');
      expect(JSON.parse(out).memory).toBeNull();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** `model run` says when an op ended the run early (TFLM's kTfLiteAbort) instead of printing stale outputs silently. */
describe('tinyfleet model run', () => {
  let out = '';
  beforeEach(() => {
    out = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out += String(s);
      return true;
    });
  });
  afterEach(() => jest.restoreAllMocks());

  it('reports a CIRCULAR_BUFFER run that stopped at the op (4 slots of 3: the first invoke only fills)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-'));
    try {
      const model = path.join(dir, 'circular-buffer.tflite');
      fs.writeFileSync(
        model,
        buildModel({
          tensors: [
            { shape: [1, 1, 1, 3], dtype: 'int8', scale: 1, zeroPoint: 0 },
            { shape: [1, 4, 1, 3], dtype: 'int8', scale: 1, zeroPoint: 0 },
          ],
          ops: [{ op: 'CUSTOM:CIRCULAR_BUFFER', inputs: [0], outputs: [1] }],
          inputs: [0],
          outputs: [1],
        }),
      );
      const input = path.join(dir, 'input.bin');
      fs.writeFileSync(input, Uint8Array.of(1, 2, 3));
      const program = new Command('tinyfleet').exitOverride();
      program.addCommand(createModelCommand());
      await program.parseAsync(['node', 'tinyfleet', 'model', 'run', model, '--input', input, '--json']);
      expect(JSON.parse(out).ranToEnd).toBe(false);
      out = '';
      await program.parseAsync(['node', 'tinyfleet', 'model', 'run', model, '--input', input]);
      expect(out).toContain('the run ended early (an op returned kTfLiteAbort): later ops did not run');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A file that is not a model: every subcommand's error names the file, not only the parser's complaint. */
describe('tinyfleet model with a file that is not a .tflite', () => {
  it.each([['inspect'], ['run'], ['bench']])('%s names the file', async (sub) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'not-tflite-'));
    const file = path.join(dir, 'notes.tflite');
    fs.writeFileSync(file, 'this is a text file, not a flatbuffer');
    try {
      const program = new Command('tinyfleet').exitOverride();
      program.addCommand(createModelCommand());
      const extra = sub === 'run' ? ['--input', file] : [];
      await expect(program.parseAsync(['node', 'tinyfleet', 'model', sub, file, ...extra])).rejects.toThrow(
        `${file} is not a valid .tflite model: missing TFL3 file identifier`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
