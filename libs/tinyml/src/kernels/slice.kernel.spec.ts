/** SLICE: the vectors of TFLM's slice_test.cc (float32, int32, int8, int16, bool data; int32 and int64 indices). */
import { InvokeError } from '../errors';
import { runModel, TestDType, TestModel } from '../testing/model-builder';

function slice(
  dtype: TestDType,
  inShape: number[],
  begin: number[],
  size: number[],
  outShape: number[],
  indexType: 'int32' | 'int64' = 'int32',
  runtimeIndices = false,
): TestModel {
  const q = dtype === 'int8' || dtype === 'int16' ? { scale: 1, zeroPoint: 0 } : {};
  return {
    tensors: [
      { shape: inShape, dtype, ...q },
      { shape: [begin.length], dtype: indexType, data: runtimeIndices ? undefined : begin },
      { shape: [size.length], dtype: indexType, data: runtimeIndices ? undefined : size },
      { shape: outShape, dtype, ...q },
    ],
    ops: [{ op: 'SLICE', inputs: [0, 1, 2], outputs: [3] }],
    inputs: runtimeIndices ? [0, 1, 2] : [0],
    outputs: [3],
  };
}

const sixes = [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6];
const pairs = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9];

describe('SLICE (slice_test.cc)', () => {
  it.each([
    ['In1D', [4], [1, 2, 3, 4], [1], [2], [2], [2, 3]],
    ['In2D', [2, 3], [1, 2, 3, 4, 5, 6], [1, 0], [1, 2], [1, 2], [4, 5]],
    [
      'In3D',
      [2, 3, 2],
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      [0, 0, 0],
      [2, 3, 2],
      [2, 3, 2],
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    ],
    ['In5D', [5, 1, 1, 1, 1], [1, 2, 3, 4, 5], [1, 0, 0, 0, 0], [3, 1, 1, 1, 1], [3, 1, 1, 1, 1], [2, 3, 4]],
    ['InputFloat', [4, 1, 1, 1], [1, 2, 3, 4], [1, 0, 0, 0], [3, 1, 1, 1], [3, 1, 1, 1], [2, 3, 4]],
  ])('float32 %s', (_name, inShape, input, begin, size, outShape, golden) => {
    expect(runModel(slice('float32', inShape, begin, size, outShape), [input])).toEqual(golden);
  });
  it('float32 IndexInt64', () => {
    expect(
      runModel(slice('float32', [4, 1, 1, 1], [1, 0, 0, 0], [3, 1, 1, 1], [3, 1, 1, 1], 'int64'), [[1, 2, 3, 4]]),
    ).toEqual([2, 3, 4]);
  });
  it.each([
    ['InputInteger1', [3, 2, 3, 1], sixes, [1, 0, 0, 0], [1, 1, 3, 1], [1, 1, 3, 1], [3, 3, 3]],
    ['InputInteger2', [3, 2, 3, 1], sixes, [1, 0, 0, 0], [1, 2, 3, 1], [1, 2, 3, 1], [3, 3, 3, 4, 4, 4]],
    ['InputInteger3', [3, 2, 3, 1], sixes, [1, 0, 0, 0], [2, 1, 3, 1], [2, 1, 3, 1], [3, 3, 3, 5, 5, 5]],
    ['SizeMinus1', [3, 2, 3, 1], sixes, [1, 0, 0, 0], [2, 1, -1, 1], [2, 1, 3, 1], [3, 3, 3, 5, 5, 5]],
    ['BeginNonZeroSizeMinus1Axis1', [3, 3, 2, 1], pairs, [1, 1, 0, 0], [2, -1, 1, 1], [2, 2, 1, 1], [5, 6, 8, 9]],
    ['BeginNonZeroSizeMinus1Axis2', [3, 2, 3, 1], sixes, [1, 0, 1, 0], [2, 1, -1, 1], [2, 1, 2, 1], [3, 3, 5, 5]],
    ['BeginNonZeroSizeMinus1Axis3', [3, 1, 2, 3], sixes, [1, 0, 0, 1], [2, 1, 1, -1], [2, 1, 1, 2], [3, 3, 5, 5]],
  ])('int32 %s', (_name, inShape, input, begin, size, outShape, golden) => {
    expect(runModel(slice('int32', inShape, begin, size, outShape), [input])).toEqual(golden);
  });
  it.each([['int8'], ['int16']] as const)('SliceInt8 / SliceInt16: %s', (dtype) => {
    expect(runModel(slice(dtype, [3, 2, 3, 1], [1, 0, 0, 0], [2, 1, -1, 1], [2, 1, 3, 1]), [sixes])).toEqual([
      3, 3, 3, 5, 5, 5,
    ]);
  });
  it('SliceBool', () => {
    const input = [0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0];
    expect(runModel(slice('bool', [3, 2, 3, 1], [1, 0, 0, 0], [2, 1, -1, 1], [2, 1, 3, 1]), [input])).toEqual([
      1, 0, 1, 0, 0, 1,
    ]);
  });

  it('reads runtime begin/size and raises InvokeError when they do not fit (GetValidatedBeginAndSizeVectors)', () => {
    const m = slice('int32', [3, 2, 3, 1], [1, 0, 0, 0], [2, 1, -1, 1], [2, 1, 3, 1], 'int32', true);
    expect(runModel(m, [sixes, [1, 0, 0, 0], [2, 1, -1, 1]])).toEqual([3, 3, 3, 5, 5, 5]);
    expect(runModel(m, [sixes, [0, 1, 0, 0], [2, 1, 3, 1]])).toEqual([2, 2, 2, 4, 4, 4]);
    expect(() => runModel(m, [sixes, [2, 0, 0, 0], [2, 1, 3, 1]])).toThrow(InvokeError);
    expect(() => runModel(m, [sixes, [1, 0, 0, 0], [1, 1, 3, 1]])).toThrow(/elements/);
  });
  it('refuses constant begin/size that do not fit the input at allocate()', () => {
    expect(() => runModel(slice('float32', [4], [3], [2], [2]), [[1, 2, 3, 4]])).toThrow(/size 2/);
  });
});
