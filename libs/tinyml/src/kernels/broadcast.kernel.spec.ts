/** BROADCAST_TO and BROADCAST_ARGS: the vectors of TFLM's broadcast_to_test.cc and broadcast_args_test.cc. */
import { InvokeError } from '../errors';
import { runModel, TestDType, TestModel } from '../testing/model-builder';

function broadcastTo(
  inShape: number[],
  dims: number[],
  dimsShape: number[] = [dims.length],
  outShape: number[] = dims,
  dimsType: 'int32' | 'int64' = 'int32',
  dtype: TestDType = 'int32',
): TestModel {
  return {
    tensors: [
      { shape: inShape, dtype },
      { shape: dimsShape, dtype: dimsType, data: dims },
      { shape: outShape, dtype },
    ],
    ops: [{ op: 'BROADCAST_TO', inputs: [0, 1], outputs: [2] }],
    inputs: [0],
    outputs: [2],
  };
}

describe('BROADCAST_TO (broadcast_to_test.cc)', () => {
  it('ShapeMustBe1D', () => {
    expect(() => runModel(broadcastTo([2, 2], [2, 3, 4, 4], [2, 2], [2, 2]), [[2, 3, 4, 4]])).toThrow(/vector/);
  });
  it('TooManyDimensionShouldFail', () => {
    expect(() => runModel(broadcastTo([2, 2], [2, 2, 2, 2, 2, 2]), [[2, 3, 4, 4]])).toThrow(/dimensions|rank/);
  });
  it('MismatchDimensionShouldFail', () => {
    const input = Array.from({ length: 24 }, (_, i) => i);
    expect(() => runModel(broadcastTo([2, 4, 1, 3], [2, 4, 1, 3], [4], [2, 4, 1, 2]), [input])).toThrow(/output shape/);
  });
  it.each([
    ['Broadcast1DConstTest', [1], [4], [3], [3, 3, 3, 3]],
    ['Broadcast4DConstTest', [2, 2], [2, 2, 2, 2], [2, 3, 4, 5], [2, 3, 4, 5, 2, 3, 4, 5, 2, 3, 4, 5, 2, 3, 4, 5]],
    [
      'ComplexBroadcast4DConstTest',
      [1, 3, 1, 2],
      [3, 3, 2, 2],
      [1, 2, 3, 4, 5, 6],
      [1, 2, 1, 2, 3, 4, 3, 4, 5, 6, 5, 6, 1, 2, 1, 2, 3, 4, 3, 4, 5, 6, 5, 6, 1, 2, 1, 2, 3, 4, 3, 4, 5, 6, 5, 6],
    ],
    ['NoBroadcastingConstTest', [3, 1, 2], [3, 1, 2], [1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]],
  ])('%s', (_name, inShape, dims, input, golden) => {
    expect(runModel(broadcastTo(inShape, dims), [input])).toEqual(golden);
  });
  it('BroadcastInt64ShpaeTest', () => {
    expect(runModel(broadcastTo([1, 1, 1, 2], [1, 1, 2, 2], [4], [1, 1, 2, 2], 'int64'), [[3, 4]])).toEqual([
      3, 4, 3, 4,
    ]);
  });
  it('broadcasts float32 and int64 data (raw element copies)', () => {
    expect(runModel(broadcastTo([2, 1], [2, 3], [2], [2, 3], 'int32', 'float32'), [[1.5, -2]])).toEqual([
      1.5, 1.5, 1.5, -2, -2, -2,
    ]);
    const bytes = Array.from(new Uint8Array(BigInt64Array.from([-2n, 2n ** 40n]).buffer));
    const out = runModel(broadcastTo([2], [2, 2], [2], [2, 2], 'int32', 'int64'), [bytes]);
    expect(Array.from(new BigInt64Array(new Uint8Array(out).buffer))).toEqual([-2n, 2n ** 40n, -2n, 2n ** 40n]);
  });
});

describe('BROADCAST_ARGS (broadcast_args_test.cc)', () => {
  const broadcastArgs = (length1: number, length2: number, type: 'int32' | 'int64' = 'int32'): TestModel => ({
    tensors: [
      { shape: [length1], dtype: type },
      { shape: [length2], dtype: type },
      { shape: [Math.max(length1, length2)], dtype: type },
    ],
    ops: [{ op: 'BROADCAST_ARGS', inputs: [0, 1], outputs: [2] }],
    inputs: [0, 1],
    outputs: [2],
  });
  it.each([
    ['BroadcastArgsWithScalar', [], [2, 4], [2, 4]],
    ['BroadcastArgsDifferentDims', [1], [2, 4], [2, 4]],
    ['BroadcastArgsSameDims', [1, 4, 6, 3, 1, 5], [4, 4, 1, 3, 4, 1], [4, 4, 6, 3, 4, 5]],
    ['BroadcastArgsComplex', [6, 3, 1, 5], [4, 4, 1, 3, 4, 1], [4, 4, 6, 3, 4, 5]],
  ])('%s', (_name, a, b, golden) => {
    expect(runModel(broadcastArgs(a.length, b.length), [a, b])).toEqual(golden);
  });
  it('int64 shapes', () => {
    const bytes = (v: number[]): number[] => Array.from(new Uint8Array(BigInt64Array.from(v.map(BigInt)).buffer));
    const out = runModel(broadcastArgs(4, 6, 'int64'), [bytes([6, 3, 1, 5]), bytes([4, 4, 1, 3, 4, 1])]);
    expect(Array.from(new BigInt64Array(new Uint8Array(out).buffer), Number)).toEqual([4, 4, 6, 3, 4, 5]);
  });
  it('raises InvokeError for shapes that do not broadcast', () => {
    expect(() =>
      runModel(broadcastArgs(2, 2), [
        [2, 3],
        [2, 4],
      ]),
    ).toThrow(InvokeError);
  });
});
