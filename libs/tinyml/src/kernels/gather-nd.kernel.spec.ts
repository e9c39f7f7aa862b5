/** GATHER_ND: the vectors of TFLM's gather_nd_test.cc (float32 and int8 params, int32 indices). */
import { InvokeError } from '../errors';
import { runModel, TestModel } from '../testing/model-builder';

function gatherNd(
  dtype: 'float32' | 'int8',
  paramsShape: number[],
  indexShape: number[],
  outShape: number[],
): TestModel {
  const q = dtype === 'int8' ? { scale: 1, zeroPoint: 0 } : {};
  return {
    tensors: [
      { shape: paramsShape, dtype, ...q },
      { shape: indexShape, dtype: 'int32' },
      { shape: outShape, dtype, ...q },
    ],
    ops: [{ op: 'GATHER_ND', inputs: [0, 1], outputs: [2] }],
    inputs: [0, 1],
    outputs: [2],
  };
}

const matrix = [1.1, 1.2, 2.1, 2.2];
const rank3 = [1.1, -1.2, 1.3, -2.1, 2.2, 2.3, 3.1, 3.2, -3.3, -4.1, -4.2, 4.3, 5.1, -5.2, 5.3, 6.1, -6.2, 6.3];

describe('GATHER_ND (gather_nd_test.cc)', () => {
  it.each([
    ['ElementIndexingIntoMatrix', [2, 2], matrix, [2, 2], [0, 0, 1, 1], [2], [1.1, 2.2]],
    ['SliceIndexingIntoMatrix', [2, 2], matrix, [2, 1], [1, 0], [2, 2], [2.1, 2.2, 1.1, 1.2]],
    ['BatchedIndexingIntoMatrix1', [2, 2], matrix, [2, 1, 1], [1, 0], [2, 1, 2], [2.1, 2.2, 1.1, 1.2]],
    ['BatchedIndexingIntoMatrix2', [2, 2], matrix, [2, 1, 2], [0, 0, 1, 1], [2, 1], [1.1, 2.2]],
    ['DuplicateIndexingIntoMatrix', [2, 2], matrix, [2, 2], [0, 0, 0, 0], [2], [1.1, 1.1]],
    ['ElementIndexingIntoRank3Tensor', [3, 2, 3], rank3, [1, 2, 3], [0, 0, 1, 1, 1, 0], [1, 2], [-1.2, -4.1]],
    [
      'SliceIndexingIntoRank3Tensor',
      [3, 2, 3],
      rank3,
      [2, 1],
      [0, 2],
      [2, 2, 3],
      [1.1, -1.2, 1.3, -2.1, 2.2, 2.3, 5.1, -5.2, 5.3, 6.1, -6.2, 6.3],
    ],
    ['BatchedIndexingIntoRank3Tensor1', [3, 2, 3], rank3, [2, 1, 3], [0, 0, 1, 1, 1, 0], [2, 1], [-1.2, -4.1]],
    [
      'BatchedIndexingIntoRank3Tensor2',
      [3, 2, 3],
      rank3,
      [3, 1, 1],
      [1, 2, 0],
      [3, 1, 2, 3],
      [3.1, 3.2, -3.3, -4.1, -4.2, 4.3, 5.1, -5.2, 5.3, 6.1, -6.2, 6.3, 1.1, -1.2, 1.3, -2.1, 2.2, 2.3],
    ],
    [
      'BatchedIndexingIntoRank3Tensor3',
      [3, 2, 3],
      rank3,
      [2, 2, 2],
      [0, 1, 1, 0, 0, 0, 2, 1],
      [2, 2, 3],
      [-2.1, 2.2, 2.3, 3.1, 3.2, -3.3, 1.1, -1.2, 1.3, 6.1, -6.2, 6.3],
    ],
    [
      'BatchedIndexingIntoRank3Tensor4',
      [3, 2, 3],
      rank3,
      [2, 2, 3],
      [0, 0, 1, 1, 0, 1, 1, 1, 2, 2, 1, 2],
      [2, 2],
      [-1.2, 3.2, 4.3, 6.3],
    ],
    [
      'DuplicateIndexingIntoRank3Tensor',
      [3, 2, 3],
      rank3,
      [2, 2],
      [0, 1, 0, 1],
      [2, 3],
      [-2.1, 2.2, 2.3, -2.1, 2.2, 2.3],
    ],
    ['Float32Int32', [3, 2, 3], rank3, [2, 2], [0, 1, 1, 0], [2, 3], [-2.1, 2.2, 2.3, 3.1, 3.2, -3.3]],
  ])('float32 %s', (_name, paramsShape, params, indexShape, indices, outShape, golden) => {
    const out = runModel(gatherNd('float32', paramsShape, indexShape, outShape), [params, indices]);
    expect(out).toEqual(golden.map((v) => Math.fround(v)));
  });
  it('int8 Int8Int32', () => {
    const params = [1, -1, 1, -2, 2, 2, 3, 3, -3, -4, -4, 4, 5, -5, 5, 6, -6, 6];
    expect(runModel(gatherNd('int8', [3, 2, 3], [2, 2], [2, 3]), [params, [0, 1, 1, 0]])).toEqual([-2, 2, 2, 3, 3, -3]);
  });
  it.each([
    ['ReadOOB', [0, 1, 2, 0]],
    ['ReadOOBNegative', [0, -1, 1, 0]],
  ])('int8 %s raises InvokeError', (_name, indices) => {
    expect(() => runModel(gatherNd('int8', [2, 2], [2, 2], [2]), [[1, -1, 1, -2], indices])).toThrow(InvokeError);
  });
});
