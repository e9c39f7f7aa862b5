/** SPLIT and SPLIT_V: the vectors of TFLM's split_test.cc and split_v_test.cc. */
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, runModelOutputs, TestDType, TestModel } from '../testing/model-builder';

const quant = (dtype: TestDType): { scale?: number; zeroPoint?: number } =>
  dtype === 'int8' || dtype === 'int16' ? { scale: 1, zeroPoint: 0 } : {};

function split(dtype: TestDType, inShape: number[], axis: number, outShapes: number[][]): TestModel {
  const outputs = outShapes.map((_, k) => k + 2);
  return {
    tensors: [
      { shape: [1], dtype: 'int32', data: [axis] },
      { shape: inShape, dtype, ...quant(dtype) },
      ...outShapes.map((shape) => ({ shape, dtype, ...quant(dtype) })),
    ],
    ops: [{ op: 'SPLIT', inputs: [0, 1], outputs, options: [{ id: 0, i32: outShapes.length }] }],
    inputs: [1],
    outputs,
  };
}

function splitV(inShape: number[], sizes: number[], axis: number, outShapes: number[][]): TestModel {
  const outputs = outShapes.map((_, k) => k + 3);
  return {
    tensors: [
      { shape: inShape, dtype: 'float32' },
      { shape: [sizes.length], dtype: 'int32', data: sizes },
      { shape: [1], dtype: 'int32', data: [axis] },
      ...outShapes.map((shape) => ({ shape, dtype: 'float32' as const })),
    ],
    ops: [{ op: 'SPLIT_V', inputs: [0, 1, 2], outputs, options: [{ id: 0, i32: outShapes.length }] }],
    inputs: [0],
    outputs,
  };
}

const sixteen = Array.from({ length: 16 }, (_, i) => i + 1);
const fourD: [string, number, number[], number[], number[]][] = [
  ['AxisZero', 0, [1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8], [9, 10, 11, 12, 13, 14, 15, 16]],
  ['AxisOne', 1, [2, 1, 2, 2], [1, 2, 3, 4, 9, 10, 11, 12], [5, 6, 7, 8, 13, 14, 15, 16]],
  ['AxisTwo', 2, [2, 2, 1, 2], [1, 2, 5, 6, 9, 10, 13, 14], [3, 4, 7, 8, 11, 12, 15, 16]],
  ['AxisThree', 3, [2, 2, 2, 1], [1, 3, 5, 7, 9, 11, 13, 15], [2, 4, 6, 8, 10, 12, 14, 16]],
  ['NegativeAxis', -4, [1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8], [9, 10, 11, 12, 13, 14, 15, 16]],
];

describe('SPLIT (split_test.cc)', () => {
  it.each(fourD)('TwoSplitFourDimensional%s', (_name, axis, outShape, golden1, golden2) => {
    expect(runModelOutputs(split('float32', [2, 2, 2, 2], axis, [outShape, outShape]), [sixteen])).toEqual([
      golden1,
      golden2,
    ]);
  });
  it('FourSplit', () => {
    expect(runModelOutputs(split('float32', [4], 0, [[1], [1], [1], [1]]), [[1, 2, 3, 4]])).toEqual([
      [1],
      [2],
      [3],
      [4],
    ]);
  });
  it('TwoSplitOneDimensional', () => {
    expect(runModelOutputs(split('float32', [2], 0, [[1], [1]]), [[1, 2]])).toEqual([[1], [2]]);
  });
  it.each([['int8'], ['int16'], ['int32']] as const)('TwoSplitFourDimensional %s (Quantized, Quantized32)', (dtype) => {
    const shape = [2, 1, 2, 2];
    expect(runModelOutputs(split(dtype, [2, 2, 2, 2], 1, [shape, shape]), [sixteen])).toEqual([
      [1, 2, 3, 4, 9, 10, 11, 12],
      [5, 6, 7, 8, 13, 14, 15, 16],
    ]);
  });
  it('refuses unequal pieces at allocate()', () => {
    expect(() => runModelOutputs(split('float32', [3], 0, [[1], [2]]), [[1, 2, 3]])).toThrow(/1\/2/);
  });
});

describe('SPLIT_V (split_v_test.cc)', () => {
  it('SPLIT_V_ThreeOutputs', () => {
    const m = splitV([4, 3], [1, 1, 2], 0, [
      [1, 3],
      [1, 3],
      [2, 3],
    ]);
    expect(runModelOutputs(m, [Array.from({ length: 12 }, (_, i) => i + 1)])).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9, 10, 11, 12],
    ]);
  });
  it.each(fourD)('SPLIT_V_FourDimensionalFloat %s', (_name, axis, outShape, golden1, golden2) => {
    expect(runModelOutputs(splitV([2, 2, 2, 2], [1, 1], axis, [outShape, outShape]), [sixteen])).toEqual([
      golden1,
      golden2,
    ]);
  });
  it('SPLIT_V_OneDimensionalFloatAxis0', () => {
    const shapes = Array.from({ length: 8 }, () => [1]);
    expect(runModelOutputs(splitV([8], [1, 1, 1, 1, 1, 1, 1, 1], 0, shapes), [[1, 2, 3, 4, 5, 6, 7, 8]])).toEqual([
      [1],
      [2],
      [3],
      [4],
      [5],
      [6],
      [7],
      [8],
    ]);
  });
  it('SPLIT_V_OneDimensionalFloatTest2 (a -1 size resolved to an empty output)', () => {
    const shapes = [[1], [1], [1], [1], [1], [1], [2], [0]];
    const m = splitV([8], [1, 1, 1, 1, 1, 1, 2, -1], 0, shapes);
    expect(runModelOutputs(m, [[1, 2, 3, 4, 5, 6, 7, 8]])).toEqual([[1], [2], [3], [4], [5], [6], [7, 8], []]);
  });
});

describe('SPLIT / SPLIT_V device memory', () => {
  it('holds only the 4-byte TfLiteSplitParams / TfLiteSplitVParams (no Init, no OpData)', () => {
    for (const m of [split('int8', [2], 0, [[1], [1]]), splitV([2], [1, 1], 0, [[1], [1]])]) {
      const interpreter = new Interpreter(loadModel(buildModel(m)));
      interpreter.allocate();
      expect(interpreter.memory.ops[0].persistentBytes).toBe(4);
    }
  });
});
