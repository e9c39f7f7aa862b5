/** RELU, RELU6, LOGISTIC and TANH (TFLM activations_test.cc / logistic_test.cc / tanh_test.cc style). */
import { UnsupportedOpError } from '../errors';
import { sigmoidInt16 } from '../quant/int16-activations';
import { expectNear, quantize, runModel, TestModel } from '../testing/model-builder';

function unary(
  op: string,
  dtype: 'float32' | 'int8' | 'int16',
  inQ = { scale: 0.1, zeroPoint: 0 },
  outQ = inQ,
): TestModel {
  const q = dtype !== 'float32';
  return {
    tensors: [
      { shape: [1, 8], dtype, ...(q ? inQ : {}) },
      { shape: [1, 8], dtype, ...(q ? outQ : {}) },
    ],
    ops: [{ op, inputs: [0], outputs: [1] }],
    inputs: [0],
    outputs: [1],
  };
}

const X = [-8, -3.2, -1, -0.25, 0, 0.5, 2.1, 7.5];

describe('RELU / RELU6', () => {
  it('float32', () => {
    expect(runModel(unary('RELU', 'float32'), [X])).toEqual([0, 0, 0, 0, 0, 0.5, Math.fround(2.1), 7.5]);
    expect(runModel(unary('RELU6', 'float32'), [X])).toEqual([0, 0, 0, 0, 0, 0.5, Math.fround(2.1), 6]);
  });
  it('int8', () => {
    const q = { scale: 0.1, zeroPoint: -10 };
    expect(runModel(unary('RELU', 'int8', q), [quantize(X, 0.1, -10)])).toEqual(
      quantize([0, 0, 0, 0, 0, 0.5, 2.1, 7.5], 0.1, -10),
    );
    expect(runModel(unary('RELU6', 'int8', q), [quantize(X, 0.1, -10)])).toEqual(
      quantize([0, 0, 0, 0, 0, 0.5, 2.1, 6], 0.1, -10),
    );
  });
});

describe('RELU / RELU6 int16 (ReluQuantized / Relu6Quantized<int16_t>)', () => {
  const q16 = (v: number[], scale: number): number[] => quantize(v, scale, 0, -32768, 32767);
  it('RELU requantizes by input / output scale and clamps at 0', () => {
    const inQ = { scale: 0.001, zeroPoint: 0 };
    const outQ = { scale: 0.002, zeroPoint: 0 };
    const out = runModel(unary('RELU', 'int16', inQ, outQ), [
      q16(
        X.map((x) => x * 4),
        0.001,
      ),
    ]);
    expect(out).toEqual(q16([0, 0, 0, 0, 0, 2, 8.4, 30], 0.002));
  });
  it('RELU6 clamps the raw values to the quantized 0 and 6 of the input', () => {
    const q = { scale: 0.001, zeroPoint: 0 };
    expect(runModel(unary('RELU6', 'int16', q), [q16(X, 0.001)])).toEqual(q16([0, 0, 0, 0, 0, 0.5, 2.1, 6], 0.001));
  });
  it('RELU6 saturates the quantized 6 to the type (scale 1e-4: 6.0 is beyond 32767)', () => {
    const q = { scale: 1e-4, zeroPoint: 0 };
    expect(runModel(unary('RELU6', 'int16', q), [[-5, 0, 30000, 32767, -32768, 1, 2, 3]])).toEqual([
      0, 0, 30000, 32767, 0, 1, 2, 3,
    ]);
  });
  it('RELU refuses int16 with a non-zero zero point (ReluPrepare)', () => {
    const q = { scale: 0.001, zeroPoint: 4 };
    expect(() => runModel(unary('RELU', 'int16', q), [new Array(8).fill(0)])).toThrow(UnsupportedOpError);
  });
  it('int8 RELU6 uses the input quantization for its bounds (Relu6Prepare)', () => {
    const out = runModel(unary('RELU6', 'int8', { scale: 0.1, zeroPoint: -10 }, { scale: 0.05, zeroPoint: 3 }), [
      [-128, -11, -10, 0, 49, 50, 51, 127],
    ]);
    expect(out).toEqual([-10, -10, -10, 0, 49, 50, 50, 50]);
  });
});

describe('LOGISTIC', () => {
  const golden = X.map((x) => 1 / (1 + Math.exp(-x)));
  it('float32 within 1e-6', () => {
    expectNear(runModel(unary('LOGISTIC', 'float32'), [X]), golden, 1e-6);
  });
  it('int8 (output scale 1/256, zero point -128) within one step', () => {
    const xq = quantize(X, 0.1, 0);
    const out = runModel(unary('LOGISTIC', 'int8', { scale: 0.1, zeroPoint: 0 }, { scale: 1 / 256, zeroPoint: -128 }), [
      xq,
    ]);
    expectNear(
      out,
      quantize(
        xq.map((q) => 1 / (1 + Math.exp(-q * 0.1))),
        1 / 256,
        -128,
      ),
      1,
    );
    expect(out[4]).toBe(0); // logistic(0) = 0.5 exactly
  });
});

describe('TANH', () => {
  const golden = X.map((x) => Math.tanh(x));
  it('float32 within 1e-6', () => {
    expectNear(runModel(unary('TANH', 'float32'), [X]), golden, 1e-6);
  });
  it('int8 (output scale 1/128, zero point 0) within one step', () => {
    const xq = quantize(X, 0.1, 0);
    const out = runModel(unary('TANH', 'int8', { scale: 0.1, zeroPoint: 0 }, { scale: 1 / 128, zeroPoint: 0 }), [xq]);
    expectNear(
      out,
      quantize(
        xq.map((q) => Math.tanh(q * 0.1)),
        1 / 128,
        0,
      ),
      1,
    );
    expect(out[4]).toBe(0);
  });
});

describe('LOGISTIC (TFLM logistic_test.cc vectors)', () => {
  const basicIn = [1, 2, 3, 4, 5, -1, -2, -3, -4, -5];
  const basicGolden = [
    0.73105858, 0.88079708, 0.95257413, 0.98201379, 0.99330715, 0.26894142, 0.11920292, 0.04742587, 0.01798621,
    0.00669285,
  ];
  const wideIn = [1, 2, 3, 4, 93, -1, -2, -3, -4, -93];
  const wideGolden = [
    0.73105858, 0.88079708, 0.95257413, 0.98201379, 1.0, 0.26894142, 0.11920292, 0.04742587, 0.01798621, 0.0,
  ];
  const model = (dtype: 'float32' | 'int8', inScale: number): TestModel => ({
    tensors: [
      { shape: [2, 5], dtype, ...(dtype === 'int8' ? { scale: inScale, zeroPoint: 0 } : {}) },
      { shape: [2, 5], dtype, ...(dtype === 'int8' ? { scale: 1 / 255, zeroPoint: -128 } : {}) },
    ],
    ops: [{ op: 'LOGISTIC', inputs: [0], outputs: [1] }],
    inputs: [0],
    outputs: [1],
  });
  it('LogisticFloatBasic / WideRange within 1e-5', () => {
    expectNear(runModel(model('float32', 0), [basicIn]), basicGolden, 1e-5);
    expectNear(runModel(model('float32', 0), [wideIn]), wideGolden, 1e-5);
  });
  it('LogisticQuantizedInt8Basic (scale 0.1) within 1', () => {
    expectNear(runModel(model('int8', 0.1), [quantize(basicIn, 0.1, 0)]), quantize(basicGolden, 1 / 255, -128), 1);
  });
  it('LogisticQuantizedInt8WideRange (scale 1) within 1, saturating at the ends', () => {
    const out = runModel(model('int8', 1), [quantize(wideIn, 1, 0)]);
    expectNear(out, quantize(wideGolden, 1 / 255, -128), 1);
    expect(out[4]).toBe(127);
    expect(out[9]).toBe(-128);
  });
});

describe('LOGISTIC / TANH int16 (TFLM logistic_test.cc LogisticQuantizedInt16, tanh_test.cc TestTanhInt16WideRange)', () => {
  // Both tests: 177 inputs evenly spaced over [-20, 20], input scale 32/65536, output scale 2/65536, zero
  // points 0, golden = the function itself, tolerance 16 steps.
  const xs = Array.from({ length: 177 }, (_, i) => -20 + (40 * i) / 176);
  const inScale = 32 / 65536;
  const outScale = 2 / 65536;
  const model = (op: string, scale = inScale): TestModel => ({
    tensors: [
      { shape: [1, xs.length], dtype: 'int16', scale, zeroPoint: 0 },
      { shape: [1, xs.length], dtype: 'int16', scale: outScale, zeroPoint: 0 },
    ],
    ops: [{ op, inputs: [0], outputs: [1] }],
    inputs: [0],
    outputs: [1],
  });
  const q16 = (v: number[], scale: number): number[] => quantize(v, scale, 0, -32768, 32767);

  it('LOGISTIC int16 within 16 (input shift 1: the general multiplier path)', () => {
    const out = runModel(model('LOGISTIC'), [q16(xs, inScale)]);
    expectNear(
      out,
      q16(
        xs.map((x) => 1 / (1 + Math.exp(-x))),
        outScale,
      ),
      16,
    );
    expect(out[88]).toBe(16384); // logistic(0) = 0.5 exactly
  });
  it('TANH int16 within 16 (input shift 1: the power-of-two path)', () => {
    const out = runModel(model('TANH'), [q16(xs, inScale)]);
    expectNear(out, q16(xs.map(Math.tanh), outScale), 16);
    expect(out[88]).toBe(0);
  });
  it('LOGISTIC int16 at input scale 2^-12 is the LSTM gate sigmoid (checked bit for bit in the LSTM models)', () => {
    const inputs = Array.from({ length: 177 }, (_, i) => (i - 88) * 371);
    const out = runModel({ ...model('LOGISTIC', 2 ** -12) }, [inputs]);
    expect(out).toEqual(inputs.map(sigmoidInt16));
  });
  it('refuses int16 with a zero point or an output scale other than 2^-15', () => {
    const bad = model('TANH');
    bad.tensors[1] = { ...bad.tensors[1], scale: 1 / 65536 };
    expect(() => runModel(bad, [q16(xs, inScale)])).toThrow(UnsupportedOpError);
    const zp = model('LOGISTIC');
    zp.tensors[0] = { ...zp.tensors[0], zeroPoint: 3 };
    expect(() => runModel(zp, [q16(xs, inScale)])).toThrow(UnsupportedOpError);
  });
});
