/**
 * PRELU on the vectors of TFLM's prelu_test.cc: float32 and int8 (scale 1/128, zero point 0), alpha [1, 1, 3]
 * broadcast over a [1, 2, 2, 3] input; float32 bit for bit, int8 within one step as the test allows.
 */
import { expectNear, quantize, runModel, TestDType, TestModel } from '../testing/model-builder';

function preluModel(dtype: TestDType, q?: { scale: number; zeroPoint: number }): TestModel {
  return {
    tensors: [
      { shape: [1, 2, 2, 3], dtype, ...(q ?? {}) },
      { shape: [1, 1, 3], dtype, ...(q ?? {}) },
      { shape: [1, 2, 2, 3], dtype, ...(q ?? {}) },
    ],
    ops: [{ op: 'PRELU', inputs: [0, 1], outputs: [2] }],
    inputs: [0, 1],
    outputs: [2],
  };
}

describe('PRELU', () => {
  it('FloatPreluActivationsOpTest', () => {
    const input = [0, 0, 0, 1, 1, 1, -1, -1, -1, -2, -2, -2];
    expect(runModel(preluModel('float32'), [input, [0, 1, 2]])).toEqual([0, 0, 0, 1, 1, 1, -0, -1, -2, -0, -2, -4]);
  });
  it('float32 rounds x * alpha to float', () => {
    const out = runModel(preluModel('float32'), [Array(12).fill(-0.3), [0.7, 0.1, 3]]);
    const f = Math.fround;
    expect(out.slice(0, 3)).toEqual([f(f(-0.3) * f(0.7)), f(f(-0.3) * f(0.1)), f(f(-0.3) * 3)]);
  });
  it('QuantizedInt8PreluActivationsOpTest', () => {
    const q = { scale: 1 / 128, zeroPoint: 0 };
    const input = [0, 0, 0, 0.5, 0.5, 0.5, -1, -1, -1, -0.25, -0.25, -0.25];
    const golden = [0, 0, 0, 0.5, 0.5, 0.5, 0, -0.5, 0.5, 0, -0.125, 0.125];
    const out = runModel(preluModel('int8', q), [quantize(input, q.scale, 0), quantize([0, 0.5, -0.5], q.scale, 0)]);
    expectNear(out, quantize(golden, q.scale, 0), 1);
  });
  it('int8 with zero points and different scales', () => {
    const m = preluModel('int8');
    m.tensors[0] = { ...m.tensors[0], scale: 0.02, zeroPoint: 5 };
    m.tensors[1] = { ...m.tensors[1], scale: 0.01, zeroPoint: -3 };
    m.tensors[2] = { ...m.tensors[2], scale: 0.03, zeroPoint: -7 };
    const x = quantize([0.4, -0.6, 1.2, -1.5, 0.0, -0.02, 2.0, -2.0, 0.1, -0.3, 0.5, -1.0], 0.02, 5);
    const a = quantize([0.25, -0.5, 1.0], 0.01, -3);
    const out = runModel(m, [x, a]);
    const golden = x.map((v, i) => {
      const real = (v - 5) * 0.02;
      const alpha = (a[i % 3] + 3) * 0.01;
      return real >= 0 ? real : real * alpha;
    });
    expectNear(out, quantize(golden, 0.03, -7), 1);
  });
});
