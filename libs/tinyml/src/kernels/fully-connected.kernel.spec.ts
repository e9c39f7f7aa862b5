/** Vectors from TFLM's fully_connected_test.cc (SimpleTest, SimpleTestQuantizedInt8, ReLU variant). */
import { quantize, runModel, TestModel } from '../testing/model-builder';

const INPUT = [1, 2, 3, 4, 5, 6, 7, 8, -9, -10, 1, 2, 3, 4, 5, 6, 7, -8, 9, -10];
const WEIGHTS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const BIAS = [1, 2, 3];
const GOLDEN = [24, 25, 26, 58, 59, 60];

function fcModel(dtype: 'float32' | 'int8', activation = 0): TestModel {
  const int8 = dtype === 'int8';
  return {
    tensors: [
      { shape: [2, 10], dtype, ...(int8 ? { scale: 1, zeroPoint: -1 } : {}) },
      { shape: [3, 10], dtype, data: WEIGHTS, ...(int8 ? { scale: 1, zeroPoint: 0 } : {}) },
      { shape: [3], dtype: int8 ? 'int32' : 'float32', data: BIAS, ...(int8 ? { scale: 1, zeroPoint: 0 } : {}) },
      { shape: [2, 3], dtype, ...(int8 ? { scale: 0.5, zeroPoint: -1 } : {}) },
    ],
    ops: [{ op: 'FULLY_CONNECTED', inputs: [0, 1, 2], outputs: [3], options: [{ id: 0, i8: activation }] }],
    inputs: [0],
    outputs: [3],
  };
}

describe('FULLY_CONNECTED', () => {
  it('float32 matches SimpleTest', () => {
    expect(runModel(fcModel('float32'), [INPUT])).toEqual(GOLDEN);
  });

  it('int8 matches SimpleTestQuantizedInt8 exactly', () => {
    expect(runModel(fcModel('int8'), [quantize(INPUT, 1, -1)])).toEqual(quantize(GOLDEN, 0.5, -1));
  });

  it('float32 with RELU clamps negatives', () => {
    const m = fcModel('float32', 1);
    const negWeights = m.tensors[1].data as number[];
    m.tensors[1].data = negWeights.map((w, i) => (i >= 10 && i < 20 ? -w : w));
    // Unit 1 becomes -(23) + 2 = -21 (batch 0) and -(57)+2 = -55 (batch 1), clamped to 0.
    expect(runModel(m, [INPUT])).toEqual([24, 0, 26, 58, 0, 60]);
  });

  it.each([['int64'], ['int32']] as const)(
    '16x8 (int16 activations, %s bias) matches SimpleTest exactly with exactly representable scales',
    (biasType) => {
      // Input scale 1/64, weights per tensor at 1/8 (1..10 exact), output 1/64: every value is representable.
      const m: TestModel = {
        tensors: [
          { shape: [2, 10], dtype: 'int16', scale: 1 / 64, zeroPoint: 0 },
          { shape: [3, 10], dtype: 'int8', data: WEIGHTS.map((w) => w * 8), scale: 1 / 8, zeroPoint: 0 },
          { shape: [3], dtype: biasType, data: BIAS.map((b) => b * 512), scale: 1 / 512 },
          { shape: [2, 3], dtype: 'int16', scale: 1 / 64, zeroPoint: 0 },
        ],
        ops: [{ op: 'FULLY_CONNECTED', inputs: [0, 1, 2], outputs: [3], options: [{ id: 0, i8: 0 }] }],
        inputs: [0],
        outputs: [3],
      };
      const q = (v: number[]): number[] => quantize(v, 1 / 64, 0, -32768, 32767);
      expect(runModel(m, [q(INPUT)])).toEqual(q(GOLDEN));
    },
  );
});
