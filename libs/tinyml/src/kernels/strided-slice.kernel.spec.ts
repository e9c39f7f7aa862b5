/**
 * STRIDED_SLICE for the types data-movement.kernel.spec.ts does not run (it has strided_slice_test.cc's float
 * In2D and mask cases): the same slices of int16 and bool tensors move the raw elements.
 */
import { runModel, TestDType, TestModel } from '../testing/model-builder';

function sliceModel(
  dtype: TestDType,
  begin: number[],
  end: number[],
  strides: number[],
  outShape: number[],
): TestModel {
  const q = dtype === 'int16' ? { scale: 1, zeroPoint: 0 } : {};
  return {
    tensors: [
      { shape: [2, 3], dtype, ...q },
      { shape: [2], dtype: 'int32', data: begin },
      { shape: [2], dtype: 'int32', data: end },
      { shape: [2], dtype: 'int32', data: strides },
      { shape: outShape, dtype, ...q },
    ],
    ops: [{ op: 'STRIDED_SLICE', inputs: [0, 1, 2, 3], outputs: [4] }],
    inputs: [0],
    outputs: [4],
  };
}

describe('STRIDED_SLICE int16 / bool', () => {
  it('bool: In2D slices, including a reversed one', () => {
    const x = [1, 0, 0, 1, 1, 0];
    expect(runModel(sliceModel('bool', [1, 0], [2, 2], [1, 1], [1, 2]), [x])).toEqual([1, 1]);
    expect(runModel(sliceModel('bool', [0, -1], [2, -4], [1, -1], [2, 3]), [x])).toEqual([0, 0, 1, 0, 1, 1]);
  });
  it('int16 keeps the extremes', () => {
    const x = [-32768, 2, 32767, 4, 5, 6];
    expect(runModel(sliceModel('int16', [0, 0], [2, 3], [1, 2], [2, 2]), [x])).toEqual([-32768, 32767, 4, 6]);
  });
});
