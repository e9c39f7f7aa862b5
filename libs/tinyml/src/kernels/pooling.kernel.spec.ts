/** Vectors from TFLM's pooling_test.cc (SimpleAveragePool / SimpleMaxPool, float and int8). */
import { runModel, TestModel } from '../testing/model-builder';

const INPUT = [0, 6, 2, 4, 3, 2, 10, 7];

function poolModel(op: string, dtype: 'float32' | 'int8', activation = 0, padding = 1): TestModel {
  const q = dtype === 'int8' ? { scale: 0.25, zeroPoint: 0 } : {};
  return {
    tensors: [
      { shape: [1, 2, 4, 1], dtype, ...q },
      { shape: [1, 1, 2, 1], dtype, ...q },
    ],
    ops: [
      {
        op,
        inputs: [0],
        outputs: [1],
        options: [
          { id: 0, i8: padding },
          { id: 1, i32: 2 },
          { id: 2, i32: 2 },
          { id: 3, i32: 2 },
          { id: 4, i32: 2 },
          { id: 5, i8: activation },
        ],
      },
    ],
    inputs: [0],
    outputs: [1],
  };
}

describe('AVERAGE_POOL_2D', () => {
  it('float32 matches SimpleAveragePoolTestFloat', () => {
    expect(runModel(poolModel('AVERAGE_POOL_2D', 'float32'), [INPUT])).toEqual([2.75, 5.75]);
  });
  it('int8 rounds the average half away from zero', () => {
    // Quantized inputs at scale 0.25: 0,24,8,16,12,8,40,28 -> sums 44 and 92 over 4 -> 11 and 23.
    expect(runModel(poolModel('AVERAGE_POOL_2D', 'int8'), [INPUT.map((v) => v * 4)])).toEqual([11, 23]);
    // -2 / 4 -> -0.5 rounds to -1; 2 / 4 -> 0.5 rounds to 1.
    expect(runModel(poolModel('AVERAGE_POOL_2D', 'int8'), [[-1, -1, 1, 1, 0, 0, 0, 0]])).toEqual([-1, 1]);
  });
  it('counts only in-image taps with SAME padding', () => {
    const m = poolModel('AVERAGE_POOL_2D', 'float32', 0, 0);
    m.tensors[1].shape = [1, 1, 2, 1];
    expect(runModel(m, [INPUT])).toEqual([2.75, 5.75]);
  });
});

describe('MAX_POOL_2D', () => {
  it('float32 matches SimpleMaxPoolTestFloat', () => {
    expect(runModel(poolModel('MAX_POOL_2D', 'float32'), [INPUT])).toEqual([6, 10]);
  });
  it('float32 with RELU6 clamps', () => {
    expect(runModel(poolModel('MAX_POOL_2D', 'float32', 3), [INPUT])).toEqual([6, 6]);
  });
  it('int8 takes the max of the raw values', () => {
    expect(runModel(poolModel('MAX_POOL_2D', 'int8'), [[-5, -3, -128, -100, -7, -4, -127, -101]])).toEqual([-3, -100]);
  });
});
