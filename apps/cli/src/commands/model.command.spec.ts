import * as path from 'node:path';
import { Command } from 'commander';
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
    // LEAKY_RELU has no kernel in this interpreter.
    await run(file('heldout/tflm_seanet_leaky_relu0', 'leaky_relu0.tflite'), '--json');
    expect(JSON.parse(out).memory).toBeNull();
  });
});
