/** PACK and UNPACK: the vectors of TFLM's pack_test.cc and unpack_test.cc. */
import { runModel, runModelOutputs, TestDType, TestModel } from '../testing/model-builder';

const quant = (dtype: TestDType): { scale?: number; zeroPoint?: number } =>
  dtype === 'int8' || dtype === 'int16' ? { scale: 1, zeroPoint: 0 } : {};

function pack(dtype: TestDType, inShape: number[], count: number, outShape: number[], axis: number): TestModel {
  const inputs = Array.from({ length: count }, (_, k) => k);
  return {
    tensors: [
      ...inputs.map(() => ({ shape: inShape, dtype, ...quant(dtype) })),
      { shape: outShape, dtype, ...quant(dtype) },
    ],
    ops: [
      {
        op: 'PACK',
        inputs,
        outputs: [count],
        options: [
          { id: 0, i32: count },
          { id: 1, i32: axis },
        ],
      },
    ],
    inputs,
    outputs: [count],
  };
}

function unpack(dtype: TestDType, inShape: number[], count: number, outShape: number[], axis: number): TestModel {
  const outputs = Array.from({ length: count }, (_, k) => k + 1);
  return {
    tensors: [
      { shape: inShape, dtype, ...quant(dtype) },
      ...outputs.map(() => ({ shape: outShape, dtype, ...quant(dtype) })),
    ],
    ops: [
      {
        op: 'UNPACK',
        inputs: [0],
        outputs,
        options: [
          { id: 0, i32: count },
          { id: 1, i32: axis },
        ],
      },
    ],
    inputs: [0],
    outputs,
  };
}

describe('PACK (pack_test.cc)', () => {
  const three = [
    [1, 4],
    [2, 5],
    [3, 6],
  ];
  it.each([
    ['PackFloatThreeInputs', [3, 2], 0, [1, 4, 2, 5, 3, 6]],
    ['PackFloatThreeInputsDifferentAxis', [2, 3], 1, [1, 2, 3, 4, 5, 6]],
    ['PackFloatThreeInputsNegativeAxis', [2, 3], -1, [1, 2, 3, 4, 5, 6]],
  ])('%s', (_name, outShape, axis, golden) => {
    expect(runModel(pack('float32', [2], 3, outShape as number[], axis as number), three)).toEqual(golden);
  });
  it.each([['float32'], ['int8'], ['int16'], ['int32']] as const)('Pack %s MultiDimensions', (dtype) => {
    const out = runModel(pack(dtype, [2, 3], 2, [2, 2, 3], 1), [
      [1, 2, 3, 4, 5, 6],
      [7, 8, 9, 10, 11, 12],
    ]);
    expect(out).toEqual([1, 2, 3, 7, 8, 9, 4, 5, 6, 10, 11, 12]);
  });
  it('refuses inputs of different shapes at allocate()', () => {
    const m = pack('float32', [2], 2, [2, 2], 0);
    m.tensors[1].shape = [1, 2];
    expect(() =>
      runModel(m, [
        [1, 2],
        [3, 4],
      ]),
    ).toThrow(/shape/);
  });
});

describe('UNPACK (unpack_test.cc)', () => {
  it.each([
    ['UnpackFloatThreeOutputs', 'float32', 0],
    ['UnpackFloatThreeOutputsNegativeAxisTwo', 'float32', -2],
    ['UnpackQuantized32ThreeOutputs', 'int32', 0],
    ['int8 (same path)', 'int8', 0],
    ['int16 (same path)', 'int16', 0],
  ] as const)('%s', (_name, dtype, axis) => {
    expect(runModelOutputs(unpack(dtype, [3, 2], 3, [2], axis), [[1, 2, 3, 4, 5, 6]])).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
  });
  it('UnpackFloatOneOutput', () => {
    expect(runModelOutputs(unpack('float32', [1, 6], 1, [6], 0), [[1, 2, 3, 4, 5, 6]])).toEqual([[1, 2, 3, 4, 5, 6]]);
  });
  it('unpacks an inner axis (strided reads)', () => {
    expect(runModelOutputs(unpack('float32', [2, 3], 3, [2], 1), [[1, 2, 3, 4, 5, 6]])).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
  });
});
