import * as fs from 'node:fs';
import * as path from 'node:path';
import { assembleWat } from '../../tools/assemble-wat';
import { Interpreter, loadModel } from '../index';
import { buildModel, TestModel } from '../testing/model-builder';
import { loadReferenceModel } from '../testing/reference-models';
import { DW_INT8_WASM_HEX } from './dw-int8.wasm';
import { FC_INT8_WASM_HEX } from './fc-int8.wasm';
import { compileWasm } from './wasm-module';

describe.each([
  ['fc-int8.wat', FC_INT8_WASM_HEX],
  ['dw-int8.wat', DW_INT8_WASM_HEX],
])('WebAssembly kernel %s', (file, hex) => {
  it('the checked-in bytes are assembled from the source (run libs/tinyml/tools/build-wasm.ts)', async () => {
    const bytes = await assembleWat(path.join(__dirname, file));
    expect(Buffer.from(bytes).toString('hex')).toBe(hex);
  });

  it('compiles here (Node 20 has WebAssembly SIMD)', () => {
    expect(compileWasm(hex)).not.toBeNull();
  });
});

describe('fc-int8 WebAssembly kernel', () => {
  // Random layers across row/length remainders, zero points, per-tensor and per-channel scales (including
  // multipliers above one: left shifts), activations; the TypeScript path is the oracle (itself checked
  // against TFLM's vectors and the reference models).
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const cases = Array.from({ length: 40 }, (_, k) => k);
  it.each(cases)('random layer %i gives the same bytes as the TypeScript path', () => {
    const n = 1 + rnd(70);
    const rows = 1 + rnd(23);
    const batches = 1 + rnd(3);
    const perChannel = rnd(2) === 1;
    const scales = Array.from({ length: perChannel ? rows : 1 }, () => 0.001 + rnd(1000) / 2000);
    const m: TestModel = {
      tensors: [
        { shape: [batches, n], dtype: 'int8', scale: 0.05 + rnd(100) / 100, zeroPoint: rnd(256) - 128 },
        {
          shape: [rows, n],
          dtype: 'int8',
          data: Array.from({ length: rows * n }, () => rnd(256) - 128),
          scale: scales,
          zeroPoint: scales.map(() => 0),
        },
        { shape: [rows], dtype: 'int32', data: Array.from({ length: rows }, () => rnd(200001) - 100000) },
        { shape: [batches, rows], dtype: 'int8', scale: 0.02 + rnd(300) / 50, zeroPoint: rnd(256) - 128 },
      ],
      ops: [{ op: 'FULLY_CONNECTED', inputs: [0, 1, 2], outputs: [3], options: [{ id: 0, i8: rnd(4) === 0 ? 1 : 0 }] }],
      inputs: [0],
      outputs: [3],
    };
    const input = Array.from({ length: batches * n }, () => rnd(256) - 128);
    const run = (wasm: boolean): number[] => {
      const interpreter = new Interpreter(loadModel(buildModel(m)), { wasm });
      interpreter.input(0).data.set(input);
      interpreter.invoke();
      return Array.from(interpreter.output(0).data);
    };
    expect(run(true)).toEqual(run(false));
  });

  it('mlperf_tiny_ad: the TypeScript path and the WebAssembly path both reproduce TFLM', () => {
    const ref = loadReferenceModel('mlperf_tiny_ad');
    const model = loadModel(new Uint8Array(fs.readFileSync(ref.modelFile)));
    const c = ref.cases[0];
    for (const wasm of [true, false]) {
      const interpreter = new Interpreter(model, { wasm });
      interpreter.input(0).bytes.set(fs.readFileSync(c.inputFiles[0]));
      interpreter.invoke();
      expect(Buffer.from(interpreter.output(0).bytes).equals(fs.readFileSync(c.outputFiles[0]))).toBe(true);
    }
  });
});
