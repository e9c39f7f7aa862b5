/** GATHER: the vectors of TFLM's gather_test.cc (float32 and int8 data, int32 positions). */
import { InvokeError } from '../errors';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, runModel, TestModel } from '../testing/model-builder';

function gather(
  dtype: 'float32' | 'int8',
  inShape: number[],
  posShape: number[],
  outShape: number[],
  axis = 0,
  batchDims = 0,
  constantPositions?: number[],
): TestModel {
  const q = dtype === 'int8' ? { scale: 1, zeroPoint: 0 } : {};
  return {
    tensors: [
      { shape: inShape, dtype, ...q },
      { shape: posShape, dtype: 'int32', data: constantPositions },
      { shape: outShape, dtype, ...q },
    ],
    ops: [
      {
        op: 'GATHER',
        inputs: [0, 1],
        outputs: [2],
        options: [
          { id: 0, i32: axis },
          { id: 1, i32: batchDims },
        ],
      },
    ],
    inputs: constantPositions ? [0] : [0, 1],
    outputs: [2],
  };
}

const iota = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('GATHER (gather_test.cc)', () => {
  it.each([
    // name, input shape, positions shape, output shape, axis, input, positions, golden
    ['Shuffle', [2, 2], [2], [2, 2], 0, [-2, 0.2, 0.7, 0.8], [1, 0], [0.7, 0.8, -2, 0.2]],
    ['Test0DIndex', [2, 2], [], [2], 0, [-2, 0.2, 0.7, 0.8], [1], [0.7, 0.8]],
    ['Test0DIndexWith0DResult', [3], [], [], 0, [1, 2, 3], [1], [2]],
    ['Test1DInput1DIndex', [3], [1], [1], 0, [1, 3, 5], [1], [3]],
    ['Test2DIndexWith2DResult', [3], [1, 2], [1, 2], 0, [1, 2, 3], [1, 0], [2, 1]],
    ['Duplicate', [1, 2, 2], [2], [2, 2, 2], 0, [-2, 0.2, 0.7, 0.8], [0, 0], [-2, 0.2, 0.7, 0.8, -2, 0.2, 0.7, 0.8]],
    ['Slice', [4, 1], [2], [2, 1], 0, [-2, 0.2, 0.7, 0.8], [1, 3], [0.2, 0.8]],
    ['Axis1', [1, 2, 3], [2], [1, 2, 3], 1, [1, 2, 3, 4, 5, 6], [1, 0], [4, 5, 6, 1, 2, 3]],
    ['Axis1_0DIndex', [1, 3, 2], [], [1, 2], 1, [1, 2, 3, 4, 5, 6], [1], [3, 4]],
    ['Axis1Slice', [1, 4, 2], [2], [1, 2, 2], 1, [1, 2, 3, 4, 5, 6, 7, 8], [3, 1], [7, 8, 3, 4]],
    ['LastAxis', [1, 2, 3], [2], [1, 2, 2], -1, [1, 2, 3, 4, 5, 6], [2, 0], [3, 1, 6, 4]],
    ['LastAxis0DIndex', [1, 2, 3], [], [1, 2], -1, [1, 2, 3, 4, 5, 6], [2], [3, 6]],
    ['Float32Int32', [2, 2], [2], [2, 2], 0, [13.3, -13.4, -1.4, 1.5], [1, 0], [-1.4, 1.5, 13.3, -13.4]],
  ] as const)('float32 %s', (_name, inShape, posShape, outShape, axis, input, positions, golden) => {
    const out = runModel(gather('float32', [...inShape], [...posShape], [...outShape], axis), [input, positions]);
    expect(out).toEqual(golden.map((v) => Math.fround(v)));
  });

  it('int8 Int8Int32', () => {
    expect(
      runModel(gather('int8', [2, 2], [2], [2, 2]), [
        [-13, -120, 14, 15],
        [1, 0],
      ]),
    ).toEqual([14, 15, -13, -120]);
  });

  const positions = [1, 0, 0, 1, 1, 0, 0, 1];
  it('float32 BatchDims2', () => {
    const out = runModel(gather('float32', [2, 2, 3, 5], [2, 2, 2], [2, 2, 2, 5], 2, 2), [iota(60), positions]);
    expect(out).toEqual([
      5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 35, 36, 37, 38, 39, 30, 31, 32, 33, 34, 45,
      46, 47, 48, 49, 50, 51, 52, 53, 54,
    ]);
  });
  const batchDims1Golden = [
    5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 20, 21, 22, 23, 24, 15, 16, 17, 18, 19, 15, 16, 17, 18,
    19, 20, 21, 22, 23, 24, 35, 36, 37, 38, 39, 30, 31, 32, 33, 34, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 50, 51, 52,
    53, 54, 45, 46, 47, 48, 49, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54,
  ];
  it.each([
    ['BatchDims1', 1],
    ['NegativeBatchDims', -2],
  ])('int8 %s', (_name, batchDims) => {
    const out = runModel(gather('int8', [2, 2, 3, 5], [2, 2, 2], [2, 2, 2, 2, 5], 2, batchDims), [iota(60), positions]);
    expect(out).toEqual(batchDims1Golden);
  });
  it('int8 BatchDimsEqualIndexDims', () => {
    const out = runModel(gather('int8', [2, 2, 2, 5], [2, 2, 2], [2, 2, 2], 3, 3), [iota(40), positions]);
    expect(out).toEqual([1, 5, 10, 16, 21, 25, 30, 36]);
  });

  it('reads constant positions from the model', () => {
    expect(runModel(gather('float32', [3], [2], [2], 0, 0, [2, 0]), [[1, 2, 3]])).toEqual([3, 1]);
  });

  it('raises InvokeError for a runtime position outside the axis, never reads past the tensor', () => {
    for (const bad of [2, -1]) {
      let error: unknown;
      try {
        runModel(gather('float32', [2, 2], [2], [2, 2]), [
          [1, 2, 3, 4],
          [0, bad],
        ]);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvokeError);
      expect((error as InvokeError).op).toBe('GATHER');
      expect((error as InvokeError).message).toContain(`position ${bad}`);
    }
  });

  it('holds TfLiteGatherParams (8 B) and the relocated output dims (4 + 4 x 2 B, 16-aligned) on the device', () => {
    const interpreter = new Interpreter(loadModel(buildModel(gather('float32', [2, 2], [2], [2, 2]))));
    interpreter.allocate();
    expect(interpreter.memory.ops[0].persistentBytes).toBe(8 + 16);
    expect(interpreter.memory.ops[0].hostOnlyBytes).toBe(0);
  });

  it('refuses an output shape that does not match the gather at allocate()', () => {
    expect(() =>
      runModel(gather('float32', [2, 2], [2], [4]), [
        [1, 2, 3, 4],
        [0, 1],
      ]),
    ).toThrow(/output shape/);
  });
});
