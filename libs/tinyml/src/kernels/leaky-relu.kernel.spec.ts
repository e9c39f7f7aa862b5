/** LEAKY_RELU: TFLM leaky_relu_test.cc vectors (float32 exact; int8 / int16 within one quantization step). */
import { expectNear, quantize, runModel, TestModel } from '../testing/model-builder';

function leaky(
  dtype: 'float32' | 'int8' | 'int16',
  alpha: number,
  inQ = { scale: 1, zeroPoint: 0 },
  outQ = inQ,
): TestModel {
  const q = dtype !== 'float32';
  return {
    tensors: [
      { shape: [2, 4], dtype, ...(q ? inQ : {}) },
      { shape: [2, 4], dtype, ...(q ? outQ : {}) },
    ],
    ops: [{ op: 'LEAKY_RELU', inputs: [0], outputs: [1], options: [{ id: 0, f32: alpha }] }],
    inputs: [0],
    outputs: [1],
  };
}

describe('LEAKY_RELU', () => {
  it('float32 matches FloatActivationsOpTestLeakyRelu (alpha 0.5)', () => {
    const x = [0, 1, 3, 1, -1, -2, 0.75, -0.25];
    expect(runModel(leaky('float32', 0.5), [x])).toEqual([0, 1, 3, 1, -0.5, -1, 0.75, -0.125]);
  });

  const x = [0, -6, 2, -4, 3, -2, 7.5, -7.5];
  const golden = x.map((v) => (v > 0 ? v : v * 0.5));

  it('int8 with different input and output quantization matches the float golden within one step', () => {
    const inQ = { scale: 16 / 255, zeroPoint: -1 };
    const outQ = { scale: 12 / 255, zeroPoint: 2 };
    const got = runModel(leaky('int8', 0.5, inQ, outQ), [quantize(x, inQ.scale, inQ.zeroPoint)]);
    expectNear(got, quantize(golden, outQ.scale, outQ.zeroPoint), 1);
  });

  it('int16 (symmetric) matches the float golden within one step, and saturates at the type range', () => {
    const inQ = { scale: 10 / 32768, zeroPoint: 0 };
    const outQ = { scale: 7 / 32768, zeroPoint: 0 };
    const got = runModel(leaky('int16', 0.5, inQ, outQ), [quantize(x, inQ.scale, 0, -32768, 32767)]);
    expectNear(got, quantize(golden, outQ.scale, 0, -32768, 32767), 1);
    // 7.5 is beyond the output's +-7 range.
    expect(got[6]).toBe(32767);
  });
});
