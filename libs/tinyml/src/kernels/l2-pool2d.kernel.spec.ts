/** L2_POOL_2D: the vectors of TFLM's l2_pool_2d_test.cc (float32; 2x2 filter, stride 2, VALID unless noted). */
import { Activation } from '../schema/tflite-schema';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, expectNear, runModel, TestModel } from '../testing/model-builder';

const SAME = 0;
const VALID = 1;

function l2Pool(outShape: number[], activation = 0, padding = VALID, stride = 2): TestModel {
  return {
    tensors: [
      { shape: [1, 2, 4, 1], dtype: 'float32' },
      { shape: outShape, dtype: 'float32' },
    ],
    ops: [
      {
        op: 'L2_POOL_2D',
        inputs: [0],
        outputs: [1],
        options: [
          { id: 0, i8: padding },
          { id: 1, i32: stride },
          { id: 2, i32: stride },
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

const x = [0, 6, 2, 4, 3, 2, 10, 7];
const negatives = [-1, -6, 2, 4, -3, -2, 10, 7];
const small = [-0.1, -0.6, 2, 4, -0.3, -0.2, 10, 7];

describe('L2_POOL_2D (l2_pool_2d_test.cc)', () => {
  it.each([
    ['L2Pool', x, [1, 1, 2, 1], 0, VALID, 2, [3.5, 6.5], 1e-5],
    ['L2PoolActivationRelu', negatives, [1, 1, 2, 1], Activation.RELU, VALID, 2, [3.53553, 6.5], 1e-5],
    ['L2PoolActivationRelu1', small, [1, 1, 2, 1], Activation.RELU_N1_TO_1, VALID, 2, [0.353553, 1.0], 1e-5],
    ['L2PoolActivationRelu6', small, [1, 1, 2, 1], Activation.RELU6, VALID, 2, [0.353553, 6.0], 1e-5],
    ['L2PoolPaddingSame', x, [1, 1, 2, 1], 0, SAME, 2, [3.5, 6.5], 1e-5],
    [
      'L2PoolPaddingSameStride1',
      x,
      [1, 2, 4, 1],
      0,
      SAME,
      1,
      [3.5, 6.0, 6.5, 5.70088, 2.54951, 7.2111, 8.63134, 7.0],
      1e-4,
    ],
    ['L2PoolPaddingValidStride1', x, [1, 1, 3, 1], 0, VALID, 1, [3.5, 6.0, 6.5], 1e-5],
  ])('FloatPoolingOpTest%s', (_name, input, outShape, activation, padding, stride, golden, tolerance) => {
    expectNear(runModel(l2Pool(outShape, activation, padding, stride), [input]), golden, tolerance);
  });
  it('rounds like float32: sqrt(fround(12.5)) is the float32 nearest to sqrt(12.5)', () => {
    expect(runModel(l2Pool([1, 1, 2, 1], Activation.RELU), [negatives])[0]).toBe(Math.fround(Math.sqrt(12.5)));
  });
  it('keeps TfLitePoolParams (40 B) and the relocated output dims (20 B, 16-aligned), no OpData', () => {
    const interpreter = new Interpreter(loadModel(buildModel(l2Pool([1, 1, 2, 1]))));
    interpreter.allocate();
    expect(interpreter.memory.ops[0].persistentBytes).toBe(40 + 32);
  });
});
