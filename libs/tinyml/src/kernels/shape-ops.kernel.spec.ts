/**
 * EXPAND_DIMS, SHAPE, FILL and ZEROS_LIKE: the vectors of TFLM's expand_dims_test.cc, shape_test.cc, fill_test.cc
 * and zeros_like_test.cc.
 */
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, runModel, TestDType, TestModel } from '../testing/model-builder';

const quant = (dtype: TestDType): { scale?: number; zeroPoint?: number } =>
  dtype === 'int8' || dtype === 'int16' ? { scale: 1, zeroPoint: 0 } : {};

describe('EXPAND_DIMS (expand_dims_test.cc)', () => {
  const expand = (dtype: TestDType, inShape: number[], axis: number, outShape: number[]): TestModel => ({
    tensors: [
      { shape: inShape, dtype, ...quant(dtype) },
      { shape: [1], dtype: 'int32', data: [axis] },
      { shape: outShape, dtype, ...quant(dtype) },
    ],
    ops: [{ op: 'EXPAND_DIMS', inputs: [0, 1], outputs: [2] }],
    inputs: [0],
    outputs: [2],
  });
  it.each([
    ['PositiveAxisTest0', 'int8', [2, 2], 0, [1, 2, 2], [-1, 1, -2, 2]],
    ['PositiveAxisTest1', 'float32', [2, 2], 1, [2, 1, 2], [-1.1, 1.2, -2.1, 2.2]],
    ['PositiveAxisTest2', 'int8', [2, 2], 2, [2, 2, 1], [-1, 1, -2, 2]],
    ['NegativeAxisTest4', 'int8', [3, 1, 2], -4, [1, 3, 1, 2], [-1, 1, 2, -2, 0, 3]],
    ['NegativeAxisTest3', 'float32', [3, 1, 2], -3, [3, 1, 1, 2], [0.1, -0.8, -1.2, -0.5, 0.9, 1.3]],
    ['NegativeAxisTest2', 'int8', [1, 2, 3], -2, [1, 2, 1, 3], [-1, 1, 2, -2, 0, 3]],
    ['NegativeAxisTest1', 'float32', [1, 3, 2], -1, [1, 3, 2, 1], [0.1, -0.8, -1.2, -0.5, 0.9, 1.3]],
    ['int16 (same path)', 'int16', [1, 3, 2], -1, [1, 3, 2, 1], [-1, 1, 2, -2, 0, 3]],
  ] as const)('%s (%s)', (_name, dtype, inShape, axis, outShape, values) => {
    const out = runModel(expand(dtype, [...inShape], axis, [...outShape]), [values]);
    expect(out).toEqual(values.map((v) => (dtype === 'float32' ? Math.fround(v) : v)));
  });
  it('InputOutputDimsMismatchShallFail', () => {
    expect(() => runModel(expand('float32', [1, 3, 2], -1, [1, 3, 1, 2]), [[1, 2, 3, 4, 5, 6]])).toThrow(
      /output shape/,
    );
  });
  it('AxisOutOfRangeShallFail', () => {
    expect(() => runModel(expand('int8', [1, 3, 2], 4, [1, 3, 2, 1]), [[1, 8, 2, 5, 9, 3]])).toThrow(/axis 4/);
  });
});

describe('SHAPE (shape_test.cc)', () => {
  it.each([
    ['TestShape0', [5], [5]],
    ['TestShape1', [4, 3], [4, 3]],
    ['TestShape2', [12, 1], [12, 1]],
    ['TestShape3', [2, 6], [2, 6]],
    ['TestShape4', [2, 2, 3], [2, 2, 3]],
    ['TestShape5', [1], [1]],
  ])('%s', (_name, inShape, golden) => {
    const m: TestModel = {
      tensors: [
        { shape: inShape, dtype: 'float32' },
        { shape: [inShape.length], dtype: 'int32' },
      ],
      ops: [{ op: 'SHAPE', inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    };
    const n = inShape.reduce((a, b) => a * b, 1);
    expect(runModel(m, [Array.from({ length: n }, (_, i) => i + 1)])).toEqual(golden);
  });
  it('holds TfLiteShapeParams (4 B) on the device', () => {
    const m: TestModel = {
      tensors: [
        { shape: [2, 3], dtype: 'int8', scale: 1, zeroPoint: 0 },
        { shape: [2], dtype: 'int32' },
      ],
      ops: [{ op: 'SHAPE', inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    };
    const interpreter = new Interpreter(loadModel(buildModel(m)));
    interpreter.allocate();
    expect(interpreter.memory.ops[0].persistentBytes).toBe(4);
  });
});

describe('FILL (fill_test.cc)', () => {
  const fill = (dimsType: TestDType, dims: number[] | null, valueType: TestDType, outShape: number[]): TestModel => ({
    tensors: [
      { shape: [outShape.length], dtype: dimsType, data: dims ?? undefined },
      { shape: [], dtype: valueType, ...quant(valueType) },
      { shape: outShape, dtype: valueType, ...quant(valueType) },
    ],
    ops: [{ op: 'FILL', inputs: [0, 1], outputs: [2] }],
    inputs: dims ? [1] : [0, 1],
    outputs: [2],
  });
  it.each([
    ['FillFloatInt64Dims', 'int64', 'float32'],
    ['FillInt32Int64Dims', 'int64', 'int32'],
    ['FillInt8Int32Dims', 'int32', 'int8'],
    ['FillFloatInt32Dims', 'int32', 'float32'],
  ] as const)('%s', (_name, dimsType, valueType) => {
    expect(runModel(fill(dimsType, [2, 2, 2], valueType, [2, 2, 2]), [[4]])).toEqual(Array(8).fill(4));
  });
  it('FillInt8NoInputDimsData (runtime dims tensor)', () => {
    expect(runModel(fill('int32', null, 'int8', [2, 2, 2]), [[2, 2, 2], [4]])).toEqual(Array(8).fill(4));
  });
  it('FillScalar', () => {
    expect(runModel(fill('int64', [], 'float32', []), [[4]])).toEqual([4]);
  });
  it('FillInputDimsMismatchWithOutputShallFail', () => {
    expect(() => runModel(fill('int64', [2, 2, 2], 'int8', [3, 2, 2]), [[4]])).toThrow(/dims\[0\]/);
  });
});

describe('ZEROS_LIKE (zeros_like_test.cc)', () => {
  // The output memory is filled with garbage first: the kernel must write every element on every invoke.
  const zerosLike = (dtype: TestDType, shape: number[], input: number[]): number[] => {
    const m: TestModel = {
      tensors: [
        { shape, dtype, ...quant(dtype) },
        { shape, dtype, ...quant(dtype) },
      ],
      ops: [{ op: 'ZEROS_LIKE', inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    };
    const interpreter = new Interpreter(loadModel(buildModel(m)));
    interpreter.allocate();
    interpreter.input(0).data.set(input);
    interpreter.output(0).bytes.fill(0x5a);
    interpreter.invoke();
    return Array.from(interpreter.output(0).bytes);
  };
  it.each([
    ['TestZerosLikeFloat', 'float32', [2, 3], [-2, -1, 0, 1, 2, 3], 24],
    ['TestZerosLikeInt8', 'int8', [1, 2, 3], [-2, -1, 0, 1, 2, 3], 6],
    ['TestZerosLikeInt32', 'int32', [1, 2, 2, 1], [-2, -1, 0, 3], 16],
  ] as const)('%s', (_name, dtype, shape, input, bytes) => {
    expect(zerosLike(dtype, [...shape], [...input])).toEqual(Array(bytes).fill(0));
  });
  it('TestZerosLikeInt64 (all 8 bytes of each element)', () => {
    const input = Array.from(new Uint8Array(BigInt64Array.from([-2n, -1n, 0n, 3n]).buffer));
    expect(zerosLike('int64', [1, 2, 2, 1], input)).toEqual(Array(32).fill(0));
  });
});
