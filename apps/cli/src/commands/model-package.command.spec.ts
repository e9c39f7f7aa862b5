import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import type { ArtifactManifest } from '@tinyfleet/artifact';
import { dataDir } from '@tinyfleet/datasets';
import { buildModel } from '@tinyfleet/tinyml/testing/model-builder';
import { registerKeysCommands } from './keys.command';
import { registerModelBuildCommands } from './model-build.command';

const HELDOUT = path.join(dataDir(), 'reference-models', 'heldout');
const RESNET = path.join(HELDOUT, 'mlcommons_pretrainedResnet_large_int8');

/** `model package` on held-out models no recipe produced (MLCommons / TFLM files from FLEET_DATA_DIR). */
describe('tinyfleet model package', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-package-'));
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
  const key = path.join(tmp, 'key');
  fs.writeFileSync(
    path.join(tmp, 'lsh-projection.tflite'),
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

  // person_detect's exact pixel − 128 mapping needs std 127.5 (8 significant bits).
  fs.writeFileSync(
    path.join(tmp, 'std-127.5.json'),
    JSON.stringify({
      kind: 'image',
      transform: 'none',
      channels: ['gray'],
      windowLength: 1,
      mean: [127],
      std: [127.5],
      quantization: { scale: 1 / 127.5, zeroPoint: -1, dtype: 'int8' },
    }),
  );

  it('packages an MLCommons int8 ResNet: ops, device memory, MACs, the self-test equals TFLM’s output, verifies', async () => {
    await run('keys', 'create', key);
    const dir = path.join(tmp, 'resnet');
    await run(
      'model',
      'package',
      path.join(RESNET, 'pretrainedResnet_large_int8.tflite'),
      '--name',
      'resnet-ic',
      '--version',
      '2',
      '--out',
      dir,
      '--key',
      key,
      '--labels',
      'airplane,automobile,bird,cat,deer,dog,frog,horse,ship,truck',
      '--self-test-input',
      path.join(RESNET, 'expected', 'seed101.in0.bin'),
      '--target',
      'stm32h7a3',
    );
    expect(out).toMatch(/resnet-ic@2\.0\.0 packaged .*CONV_2D×9.*device memory \d+ B, \d+ MACs/);
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as ArtifactManifest;
    expect(m.ops).toMatchObject({ CONV_2D: 9, FULLY_CONNECTED: 1, SOFTMAX: 1 });
    expect(m.macs).toBeGreaterThan(1e7);
    expect(m.arenaBytes).toBeGreaterThan(0);
    // Our interpreter is bit-exact with TFLM: the recorded self-test output is TFLM's reference output.
    const tflm = fs.readFileSync(path.join(RESNET, 'expected', 'seed101.out0.bin'));
    expect(Buffer.from(m.selfTest.expectedOutputBase64, 'base64').equals(tflm)).toBe(true);
    expect(m.ota.bytes).toBeLessThan(m.model.bytes); // the Huffman form of the int8 weights
    await run('model', 'verify', dir, '--trust', key);
    expect(out).toMatch(/OK resnet-ic@2\.0\.0/);
  });

  it.each([
    ['a float model', 'mlcommons_vww_96_float/vww_96_float.tflite', [], /input is float32; nodes feed int8/],
    // TFLite has LSH_PROJECTION; TFLite Micro (and so our interpreter) does not.
    ['an op the interpreter lacks', 'lsh-projection.tflite', [], /cannot run it: unsupported operator LSH_PROJECTION/],
    [
      'a model too big for the MCU',
      'mlcommons_pretrainedResnet_large_int8/pretrainedResnet_large_int8.tflite',
      ['--target', 'nrf52840'],
      /flash \d+ B does not fit nrf52840/,
    ],
    [
      'labels that do not match the outputs',
      'mlcommons_pretrainedResnet_large_int8/pretrainedResnet_large_int8.tflite',
      ['--labels', 'a,b'],
      /2 labels for 10 outputs/,
    ],
    [
      'preprocessing constants the device manifest cannot carry exactly',
      '../person_detection/person_detect.tflite',
      ['--labels', 'no,yes', '--preprocessing', path.join(tmp, 'std-127.5.json')],
      /preprocessing mean\/std are not values the device manifest carries exactly .* the nearest are mean \[127\], std \[128\]/,
    ],
  ])('refuses %s with the reason and writes nothing', async (_what, file, extra, re) => {
    const dir = path.join(tmp, `refused-${(_what as string).replace(/\W+/g, '-')}`);
    await expect(
      run(
        'model',
        'package',
        (file as string).includes('/') ? path.join(HELDOUT, file as string) : path.join(tmp, file as string),
        '--name',
        'x',
        '--version',
        '1.0.0',
        '--out',
        dir,
        '--key',
        key,
        ...(extra as string[]),
      ),
    ).rejects.toThrow(re as RegExp);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it.each([['Bad Name'], ['hw_v2'], ['-lead'], ['a'.repeat(33)]])(
    'refuses the name %j, which no OTA offer could carry, and writes nothing',
    async (name) => {
      const dir = path.join(tmp, 'refused-name');
      await expect(
        run(
          'model',
          'package',
          path.join(HELDOUT, '../person_detection/person_detect.tflite'),
          '--name',
          name,
          '--version',
          '1.0.0',
          '--out',
          dir,
          '--key',
          key,
        ),
      ).rejects.toThrow(/cannot be sent to devices: a model name is 1-32 lower-case letters/);
      expect(fs.existsSync(dir)).toBe(false);
    },
  );
});
