/**
 * ARG_MAX and ARG_MIN: the vectors of TFLM's arg_min_max_test.cc (float32 and int8 at scale 0.5, zero point -9;
 * the TF-tree test's uint8 ones at zero point 124).
 */
import { InvokeError } from '../errors';
import { quantize, runModel, TestModel } from '../testing/model-builder';

function argMinMax(
  op: 'ARG_MAX' | 'ARG_MIN',
  dtype: 'float32' | 'int8' | 'uint8',
  inShape: number[],
  axis: number | null,
  outShape: number[],
): TestModel {
  const q = dtype === 'int8' ? { scale: 0.5, zeroPoint: -9 } : dtype === 'uint8' ? { scale: 0.5, zeroPoint: 124 } : {};
  return {
    tensors: [
      { shape: inShape, dtype, ...q },
      { shape: [1, 1, 1], dtype: 'int32', data: axis === null ? undefined : [axis] },
      { shape: outShape, dtype: 'int32' },
    ],
    ops: [{ op, inputs: [0, 1], outputs: [2] }],
    inputs: axis === null ? [0, 1] : [0],
    outputs: [2],
  };
}

const q8 = (v: number[]): number[] => quantize(v, 0.5, -9);

describe('ARG_MAX / ARG_MIN (arg_min_max_test.cc)', () => {
  it.each([
    ['GetMaxArgFloat', 'ARG_MAX', [1]],
    ['GetMinArgFloat', 'ARG_MIN', [0]],
  ] as const)('%s', (_name, op, golden) => {
    expect(runModel(argMinMax(op, 'float32', [1, 1, 1, 4], 3, [1, 1, 1]), [[0.1, 0.9, 0.7, 0.3]])).toEqual(golden);
  });
  it.each([
    ['GetMaxArgInt8', 'ARG_MAX', [1, 1, 1, 4], 3, [1, 1, 1], [1, 9, 7, 3], [1]],
    ['GetMinArgInt8', 'ARG_MIN', [1, 1, 1, 4], 3, [1, 1, 1], [1, 9, 7, 3], [0]],
    ['GetMaxArgMulDimensions', 'ARG_MAX', [1, 1, 2, 4], 3, [1, 1, 2], [1, 2, 7, 8, 1, 9, 7, 3], [3, 1]],
    ['GetMinArgMulDimensions', 'ARG_MIN', [1, 1, 2, 4], 3, [1, 1, 2], [1, 2, 7, 8, 1, 9, 7, 3], [0, 0]],
    ['GetMaxArgNegativeAxis', 'ARG_MAX', [1, 1, 2, 4], -2, [1, 1, 4], [1, 2, 7, 8, 1, 9, 7, 3], [0, 1, 0, 0]],
  ] as const)('%s', (_name, op, inShape, axis, outShape, values, golden) => {
    expect(runModel(argMinMax(op, 'int8', [...inShape], axis, [...outShape]), [q8([...values])])).toEqual(golden);
  });
  it.each([
    ['GetMaxArgUInt8', 'ARG_MAX', [1]],
    ['GetMinArgUInt8', 'ARG_MIN', [0]],
  ] as const)('%s (TF-tree arg_min_max_test)', (_name, op, golden) => {
    const values = quantize([1, 9, 7, 3], 0.5, 124, 0, 255);
    expect(runModel(argMinMax(op, 'uint8', [1, 1, 1, 4], 3, [1, 1, 1]), [values])).toEqual(golden);
  });
  it('takes the first index on ties', () => {
    expect(runModel(argMinMax('ARG_MAX', 'float32', [1, 1, 1, 4], 3, [1, 1, 1]), [[2, 5, 5, 1]])).toEqual([1]);
    expect(runModel(argMinMax('ARG_MIN', 'float32', [1, 1, 1, 4], 3, [1, 1, 1]), [[2, 1, 5, 1]])).toEqual([1]);
  });
  it('reads a runtime axis and raises InvokeError for one outside the rank', () => {
    const m = argMinMax('ARG_MAX', 'float32', [1, 1, 2, 4], null, [1, 1, 2]);
    expect(runModel(m, [[1, 2, 7, 8, 1, 9, 7, 3], [3]])).toEqual([3, 1]);
    expect(() => runModel(m, [[1, 2, 7, 8, 1, 9, 7, 3], [4]])).toThrow(InvokeError);
    expect(() => runModel(m, [[1, 2, 7, 8, 1, 9, 7, 3], [2]])).toThrow(/output size/);
  });
});
