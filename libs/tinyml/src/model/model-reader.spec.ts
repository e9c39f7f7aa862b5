import * as fs from 'node:fs';
import {
  ArenaTooSmallError,
  Interpreter,
  ModelFormatError,
  UnsupportedOpError,
  inspectModel,
  loadModel,
} from '../index';
import { buildModel } from '../testing/model-builder';
import { loadReferenceModel } from '../testing/reference-models';
import { IF_MODEL, WHILE_MODEL } from '../testing/subgraph-models';

describe('loadModel', () => {
  const helloWorld = new Uint8Array(fs.readFileSync(loadReferenceModel('hello_world_int8').modelFile));

  it('reads subgraph, tensors, quantization, buffers and operators', () => {
    const model = loadModel(helloWorld);
    expect(model.operators.map((o) => o.opName)).toEqual(['FULLY_CONNECTED', 'FULLY_CONNECTED', 'FULLY_CONNECTED']);
    expect(model.flashBytes).toBe(2704);
    expect(model.tensors.length).toBe(10);
    const input = model.tensors[model.inputs[0]];
    expect(input.dtype).toBe('int8');
    expect(input.shape).toEqual([1, 1]);
    expect(input.quantization?.zeroPoints[0]).toBe(-128);
    expect(input.quantization?.scales[0]).toBeCloseTo(0.0244801156, 9);
    expect(model.tensors.filter((t) => t.data).reduce((s, t) => s + t.elementCount, 0)).toBe(321);
  });

  it('reads every subgraph: its own tensors, operators, inputs and outputs (indices local to it)', () => {
    const model = loadModel(
      buildModel({ ...WHILE_MODEL, subgraphs: WHILE_MODEL.subgraphs?.map((g, k) => ({ ...g, name: `sg${k + 1}` })) }),
    );
    expect(model.subgraphCount).toBe(3);
    expect(model.subgraphs[0].tensors).toBe(model.tensors);
    expect(model.subgraphs.map((sg) => [sg.index, sg.tensors.length, sg.inputs, sg.outputs])).toEqual([
      [0, 4, [0, 1], [2, 3]],
      [1, 3, [0, 1], [2]],
      [2, 3, [0, 1], [2, 1]],
    ]);
    expect(model.subgraphs.map((sg) => sg.name)).toEqual(['', 'sg1', 'sg2']);
    const less = model.subgraphs[1].operators[0];
    expect(less).toMatchObject({ index: 0, subgraph: 1, opName: 'LESS', inputs: [0, 1], outputs: [2] });
    expect(model.subgraphs[1].tensors[2].dtype).toBe('bool');
  });

  it('reads INT4 (TensorType 17) tensors packed two per byte: byte length ceil(elements / 2), checked', () => {
    const int4 = (shape: number[], data: number[]): Uint8Array =>
      buildModel({
        tensors: [
          { shape, dtype: 'int4', data },
          { shape: [1], dtype: 'int8' },
        ],
        ops: [],
        inputs: [1],
        outputs: [1],
      });
    const t = loadModel(int4([5], [1, -2, 3, -8, 7])).tensors[0];
    expect(t).toMatchObject({ dtype: 'int4', elementCount: 5, byteLength: 3 });
    // Low nibble first; the odd count leaves the last high nibble 0.
    expect(Array.from(t.data ?? [])).toEqual([0xe1, 0x83, 0x07]);
    expect(loadModel(int4([2, 3], [0, 1, 2, 3, 4, 5])).tensors[0].byteLength).toBe(3);
    // Seven packed values are 4 bytes; a 5-element INT4 tensor needs 3.
    expect(() => loadModel(int4([5], [1, 2, 3, 4, 5, 6, 7]))).toThrow(/buffer has 4 bytes, shape \[5\] needs 3/);
  });

  it('bounds-checks tensor indices per subgraph and names the subgraph', () => {
    const [cond, body] = WHILE_MODEL.subgraphs ?? [];
    const badBody = { ...body, ops: [{ ...body.ops[0], inputs: [0, 3] }] };
    expect(() => loadModel(buildModel({ ...WHILE_MODEL, subgraphs: [cond, badBody] }))).toThrow(
      /operator 0 \(ADD\) input of subgraph 2 refers to tensor 3, subgraph has 3/,
    );
    const badOutputs = { ...cond, outputs: [5] };
    expect(() => loadModel(buildModel({ ...WHILE_MODEL, subgraphs: [badOutputs, body] }))).toThrow(
      /subgraph output of subgraph 1 refers to tensor 5/,
    );
  });

  it('inspectModel counts the ops of every subgraph; layers are subgraph 0', () => {
    const info = inspectModel(buildModel(IF_MODEL));
    expect(info.ops).toEqual({ IF: 1, ADD: 1, MUL: 1 });
    expect(info.layers.map((l) => l.op)).toEqual(['IF']);
    expect(info.memory?.totalBytes).toBe(856);
  });

  it('inspectModel reports ops, params, flash, arena, MACs and layers', () => {
    const info = inspectModel(helloWorld);
    expect(info.ops).toEqual({ FULLY_CONNECTED: 3 });
    expect(info.params).toBe(321);
    expect(info.flashBytes).toBe(2704);
    expect(info.macs).toBe(16 + 16 * 16 + 16);
    expect(info.layers).toEqual([
      { index: 0, op: 'FULLY_CONNECTED', macs: 16 },
      { index: 1, op: 'FULLY_CONNECTED', macs: 256 },
      { index: 2, op: 'FULLY_CONNECTED', macs: 16 },
    ]);
    expect(info.inputs[0]).toEqual(expect.objectContaining({ dtype: 'int8', shape: [1, 1], zeroPoint: -128 }));
  });

  it('rejects garbage, truncation and bad identifiers with ModelFormatError', () => {
    expect(() => loadModel(new Uint8Array(3))).toThrow(ModelFormatError);
    expect(() => loadModel(new Uint8Array(100))).toThrow(ModelFormatError);
    expect(() => loadModel(helloWorld.slice(0, 1000))).toThrow(ModelFormatError);
  });

  it('takes the max of deprecated_builtin_code and builtin_code, and names unsupported ops with their index', () => {
    const bytes = buildModel({
      tensors: [
        { shape: [4], dtype: 'float32' },
        { shape: [4], dtype: 'float32' },
        { shape: [4], dtype: 'float32' },
      ],
      ops: [
        { op: 'RELU', inputs: [0], outputs: [1] },
        { op: 'GELU', inputs: [1], outputs: [2] },
      ],
      inputs: [0],
      outputs: [2],
    });
    const model = loadModel(bytes);
    // GELU = 150 is above 127, so the deprecated int8 field holds the placeholder 127.
    expect(model.operators[1].opName).toBe('GELU');
    const interpreter = new Interpreter(model);
    expect(() => interpreter.allocate()).toThrow(UnsupportedOpError);
    try {
      interpreter.allocate();
    } catch (err) {
      expect((err as UnsupportedOpError).op).toBe('GELU');
      expect((err as UnsupportedOpError).opIndex).toBe(1);
      expect((err as Error).message).toContain('GELU');
      expect((err as Error).message).toContain('index 1');
    }
  });

  it('refuses an arena over the RAM budget with bytes needed vs available', () => {
    const model = loadModel(fs.readFileSync(loadReferenceModel('mlperf_tiny_kws').modelFile));
    const interpreter = new Interpreter(model, { arenaBytesLimit: 10_000 });
    expect(() => interpreter.allocate()).toThrow(ArenaTooSmallError);
    expect(() => interpreter.allocate()).toThrow('model needs 16000 bytes, 10000 bytes available');
    expect(new Interpreter(model, { arenaBytesLimit: 16_000 }).allocate().arenaBytes).toBe(16000);
  });

  it('checks that constant buffers match their tensor shapes', () => {
    const bytes = buildModel({
      tensors: [
        { shape: [2, 3], dtype: 'float32' },
        { shape: [3, 3], dtype: 'float32', data: [1, 2, 3, 4, 5, 6] },
        { shape: [2, 3], dtype: 'float32' },
      ],
      ops: [{ op: 'FULLY_CONNECTED', inputs: [0, 1, -1], outputs: [2] }],
      inputs: [0],
      outputs: [2],
    });
    expect(() => loadModel(bytes)).toThrow(/buffer has 24 bytes, shape \[3,3\] needs 36/);
  });

  it('rejects an operator whose builtin options table is of another type', () => {
    const bytes = buildModel({
      tensors: [
        { shape: [1, 4], dtype: 'float32' },
        { shape: [1, 4], dtype: 'float32' },
      ],
      ops: [{ op: 'SOFTMAX', inputs: [0], outputs: [1], optionsType: 1, options: [{ id: 0, f32: 1 }] }],
      inputs: [0],
      outputs: [1],
    });
    expect(() => new Interpreter(loadModel(bytes)).allocate()).toThrow(/builtin options type 1, expected 9/);
  });
});
