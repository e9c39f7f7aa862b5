/** Vectors from TFLM's pooling_test.cc (SimpleAveragePool / SimpleMaxPool / MaxPool: float, int8 and int16). */
import { UnsupportedOpError } from '../errors';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, runModel, TestModel } from '../testing/model-builder';

const INPUT = [0, 6, 2, 4, 3, 2, 10, 7];

function poolModel(
  op: string,
  dtype: 'float32' | 'int8' | 'int16',
  activation = 0,
  padding = 1,
  stride: [number, number] = [2, 2],
  outShape = [1, 1, 2, 1],
  scale = 0.25,
): TestModel {
  const q = dtype === 'float32' ? {} : { scale, zeroPoint: 0 };
  return {
    tensors: [
      { shape: [1, 2, 4, 1], dtype, ...q },
      { shape: outShape, dtype, ...q },
    ],
    ops: [
      {
        op,
        inputs: [0],
        outputs: [1],
        options: [
          { id: 0, i8: padding },
          { id: 1, i32: stride[1] },
          { id: 2, i32: stride[0] },
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

// Activation codes (schema ActivationFunctionType) and paddings (Padding) used below.
const RELU = 1;
const RELU_N1_TO_1 = 2;
const RELU6 = 3;
const SAME = 0;

describe('AVERAGE_POOL_2D int16 (SimpleAveragePoolTestInt16*)', () => {
  const values = [0, -24, 8, 16, 12, 8, -40, 28];
  const values6 = [12, -24, 32, 16, 12, 8, 40, 28];
  it.each([
    ['PaddingValidStride2ActNone', values, 0, [2, 2], [1, 1, 2, 1], [-1, 3]],
    ['PaddingValidStride1Stride2Relu', values, RELU, [2, 1], [1, 1, 3, 1], [0, 0, 3]],
    ['PaddingValidStride2Stride1ReluN1To1', values, RELU_N1_TO_1, [1, 2], [1, 1, 2, 1], [-1, 3]],
    ['PaddingValidStride2Relu6', values6, RELU6, [2, 2], [1, 1, 2, 1], [2, 24]],
  ])('%s', (_, input, activation, stride, outShape, golden) => {
    const m = poolModel('AVERAGE_POOL_2D', 'int16', activation, 1, stride as [number, number], outShape);
    expect(runModel(m, [input])).toEqual(golden);
  });
  // TFLM's test passes kTfLitePaddingValid with the 2x4 output of SAME padding; its reference reads the output shape
  // from the tensor, so it computes the SAME windows (padding 0 before, the last row and column clamped).
  it('PaddingSameStride1ActNone (SAME padding, as its name and its 2x4 output say)', () => {
    const m = poolModel('AVERAGE_POOL_2D', 'int16', 0, SAME, [1, 1], [1, 2, 4, 1]);
    expect(runModel(m, [values6])).toEqual([2, 14, 29, 22, 10, 24, 34, 28]);
  });
  it('sums in int32, beyond the int16 range', () => {
    const m = poolModel('AVERAGE_POOL_2D', 'int16', 0, 1, [2, 2], [1, 1, 2, 1], 1);
    const x = [32767, 32767, -32768, -32768, 32767, 32766, -32768, -32767];
    expect(runModel(m, [x])).toEqual([32767, -32768]);
  });
});

describe('MAX_POOL_2D int16 (SimpleMaxPoolTestInt16ActNone, MaxPoolTestInt16Act*)', () => {
  it.each([
    ['ActNone', 0, 1, [0, 6, 2, 4, 3, 2, 10, 7], [6, 10]],
    ['ActRelu', RELU, 0.5, [-3, -12, 4, 8, -6, -4, 20, 14], [0, 20]],
    ['ActReluN1To1', RELU_N1_TO_1, 1, [-2, -6, -2, -4, -3, -2, 10, 7], [-1, 1]],
    ['ActRelu6', RELU6, 1, [0, -6, 12, 4, -3, -2, 10, 7], [0, 6]],
  ])('%s', (_, activation, scale, input, golden) => {
    expect(runModel(poolModel('MAX_POOL_2D', 'int16', activation, 1, [2, 2], [1, 1, 2, 1], scale), [input])).toEqual(
      golden,
    );
  });
  it('keeps the int16 extremes', () => {
    const x = [-32768, -32768, 32767, 0, -32768, -32768, 1, 2];
    expect(runModel(poolModel('MAX_POOL_2D', 'int16', 0, 1, [2, 2], [1, 1, 2, 1], 1), [x])).toEqual([-32768, 32767]);
  });
});

describe('pooling quantization check (PoolingPrepare)', () => {
  const withOutputScale = (op: string, dtype: 'int8' | 'int16', scale: number): TestModel => {
    const m = poolModel(op, dtype);
    m.tensors[1] = { ...m.tensors[1], scale };
    return m;
  };
  it.each(['AVERAGE_POOL_2D', 'MAX_POOL_2D'])('%s accepts scales up to 1e-6 apart and refuses more', (op) => {
    for (const dtype of ['int8', 'int16'] as const) {
      expect(runModel(withOutputScale(op, dtype, 0.25 + 5e-7), [[0, 4, 8, 12, 0, 4, 8, 12]])).toHaveLength(2);
      const model = loadModel(buildModel(withOutputScale(op, dtype, 0.25 + 2e-6)));
      expect(() => new Interpreter(model).allocate()).toThrow(UnsupportedOpError);
    }
  });
});
