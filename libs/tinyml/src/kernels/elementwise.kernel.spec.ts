/**
 * Unary elementwise math ops on the vectors of TFLM's elementwise_test.cc (ABS, SQRT, RSQRT, SQUARE, LOGICAL_NOT),
 * neg_test.cc, ceil_test.cc, floor_test.cc, round_test.cc and exp_test.cc. TFLM checks floats within 1e-5 and
 * quantized outputs within one input scale after dequantizing; where the C expression is known exactly (a float
 * operation, std::floor, glibc's expf) the expected values here are that expression, so the check is bit for bit.
 * ELU: activations_test.cc SimpleEluTest and TFLite's FloatActivationsOpTest.Elu vectors; HARD_SWISH: the float
 * formula on hard_swish_test.cc's input range [-5, 5] and its branch points. SIN, COS, LOG: TFLite's
 * elementwise_test.cc Sin / Cos / Log vectors (ArrayFloatNear, 1e-5), and bit for bit the kernels' float routines.
 */
import { InvokeError, UnsupportedOpError } from '../errors';
import { expf, expm1f } from '../quant/libm-float32';
import { cosf, logf, sinf } from '../quant/libm-sin-cos-log';
import { buildModel, quantize, runModel, TestDType, TestModel } from '../testing/model-builder';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';

interface Q {
  scale: number;
  zeroPoint: number;
}

function unaryModel(op: string, dtype: TestDType, shape: number[], qIn?: Q, qOut?: Q): TestModel {
  return {
    tensors: [
      { shape, dtype, ...(qIn ?? {}) },
      { shape, dtype, ...(qOut ?? {}) },
    ],
    ops: [{ op, inputs: [0], outputs: [1] }],
    inputs: [0],
    outputs: [1],
  };
}

const f32 = (v: number[]): number[] => v.map((x) => Math.fround(x));
const run = (op: string, input: number[], shape = [2, 2]): number[] =>
  runModel(unaryModel(op, 'float32', shape), [input]);

/** TFLM's quantized check: |dequantized output - golden| <= input scale. */
function expectDequantizedNear(out: number[], golden: number[], q: Q, tolerance: number): void {
  out.forEach((v, i) => expect(Math.abs((v - q.zeroPoint) * q.scale - golden[i])).toBeLessThanOrEqual(tolerance));
}

describe('ABS', () => {
  it('float32 (Abs)', () => {
    expect(run('ABS', [0.01, -0.01, 10, -10])).toEqual(f32([0.01, 0.01, 10, 10]));
  });
  const input = [15, 46, 78, -142, -1, -17, -49, 113];
  const golden = [15, 46, 78, 142, 1, 17, 49, 113];
  it('int8 with different scales (AbsInt8)', () => {
    const qIn = { scale: Math.fround(255 / 255), zeroPoint: 127 - 113 };
    const qOut = { scale: Math.fround(142 / 255), zeroPoint: -128 };
    const out = runModel(unaryModel('ABS', 'int8', [1, 8], qIn, qOut), [quantize(input, qIn.scale, qIn.zeroPoint)]);
    expectDequantizedNear(out, golden, qOut, qIn.scale);
  });
  it('int8 with the same scale adds the output zero point only (AbsInt8SameScale)', () => {
    const q = { scale: 1, zeroPoint: 14 };
    const qOut = { scale: 1, zeroPoint: -128 };
    const x = quantize(input, q.scale, q.zeroPoint);
    const out = runModel(unaryModel('ABS', 'int8', [1, 8], q, qOut), [x]);
    expect(out).toEqual(x.map((v) => Math.min(127, Math.abs(v - 14) - 128)));
    expectDequantizedNear(out.slice(0, 3).concat(out.slice(4)), golden.slice(0, 3).concat(golden.slice(4)), qOut, 1);
  });
  it('int16 quantized, zero points 0 (AbsInt16)', () => {
    const qIn = { scale: Math.fround(142 / 32767), zeroPoint: 0 };
    const qOut = { scale: Math.fround(150 / 32767), zeroPoint: 0 };
    const out = runModel(unaryModel('ABS', 'int16', [1, 8], qIn, qOut), [quantize(input, qIn.scale, 0, -32768, 32767)]);
    expectDequantizedNear(out, golden, qOut, qIn.scale);
  });
  it('int16 unquantized is std::abs, -32768 wrapping to itself', () => {
    expect(runModel(unaryModel('ABS', 'int16', [4]), [[-32768, -5, 0, 32767]])).toEqual([-32768, 5, 0, 32767]);
  });
  it('refuses int16 with a non-zero zero point', () => {
    const q = { scale: 0.1, zeroPoint: 3 };
    const model = loadModel(buildModel(unaryModel('ABS', 'int16', [4], q, q)));
    expect(() => new Interpreter(model).allocate()).toThrow(UnsupportedOpError);
  });
});

describe('float32 elementwise math', () => {
  it('SQRT (Sqrt)', () => {
    expect(run('SQRT', [0, 1, 2, 4])).toEqual(f32([0, 1, Math.SQRT2, 2]));
  });
  it('RSQRT (Rsqrt): 1.f / sqrtf(x)', () => {
    const out = run('RSQRT', [1, 2, 4, 9]);
    expect(out).toEqual(f32([1, 1 / Math.fround(Math.SQRT2), 0.5, 1 / 3]));
  });
  it('SQUARE (Square)', () => {
    expect(run('SQUARE', [1, 2, 0.5, -3])).toEqual([1, 4, 0.25, 9]);
  });
  it('NEG (NegOpFloat, signed zero)', () => {
    const out = run('NEG', [-2, -1, 0, 1, 2, 3], [2, 3]);
    expect(out).toEqual([2, 1, -0, -1, -2, -3]);
    expect(Object.is(out[2], -0)).toBe(true);
  });
  const multi = f32([0.0001, 8.0001, 0.9999, 9.9999, 0.5, -0.0001, -8.0001, -0.9999, -9.9999, -0.5]);
  it('CEIL (SingleDim, MultiDims)', () => {
    expect(run('CEIL', [8.5, 0], [2])).toEqual([9, 0]);
    expect(run('CEIL', multi, [2, 1, 1, 5])).toEqual([1, 9, 1, 10, 1, -0, -8, -0, -9, -0]);
  });
  it('FLOOR (FloorOpSingleDimFloat32, FloorOpMultiDimFloat32)', () => {
    expect(run('FLOOR', [8.5, 0], [2])).toEqual([8, 0]);
    expect(run('FLOOR', multi, [2, 1, 1, 5])).toEqual([0, 8, 0, 9, 0, -1, -9, -1, -10, -1]);
  });
  it('ROUND ties to even (SingleDim, MultiDims)', () => {
    expect(run('ROUND', [8.5, 0, 3.5, 4.2, -3.5, -4.5], [6])).toEqual([8, 0, 4, 4, -4, -4]);
    const input = f32([0.0001, 8.0001, 0.9999, 9.9999, 0.5, -0.0001, -8.0001, -0.9999, -9.9999, -0.5, -2.5, 1.5]);
    // -0.5 -> floor -1 + 1 = +0 in the reference (TFLM's golden says -0, compared with EXPECT_NEAR).
    expect(run('ROUND', input, [2, 1, 1, 6])).toEqual([0, 8, 1, 10, 0, 0, -8, -1, -10, 0, -2, 2]);
  });
  it('EXP (SingleDim): glibc expf', () => {
    const input = f32([0, 1, -1, 100, -100, 0.01, -0.01]);
    const out = run('EXP', input, [1, 7]);
    expect(out).toEqual(input.map((x) => Math.fround(expf(x))));
    expect(out[3]).toBe(Infinity);
    out.forEach((v, i) => {
      if (i !== 3) expect(Math.abs(v - Math.exp(input[i]))).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.exp(input[i])));
    });
  });
  it.each([
    ['SIN', [0, 3.1415926, -3.1415926, 1], [0, 0, 0, 0.84147], sinf],
    ['COS', [0, 3.1415926, -3.1415926, 1], [1, -1, -1, 0.5403], cosf],
    ['LOG', [1, 3.1415926, 1, 1], [0, 1.14473, 0, 0], logf],
  ] as const)('%s (ElementWise): TFLite goldens within 1e-5', (op, values, golden, fn) => {
    const input = f32([...values]);
    const out = run(op, input, [1, 1, 4, 1]);
    expect(out).toEqual(input.map(fn));
    out.forEach((v, i) => expect(Math.abs(v - golden[i])).toBeLessThanOrEqual(1e-5));
  });
  it('LOG keeps the C library special values: -inf at 0, NaN below, +inf at +inf', () => {
    const out = run('LOG', [0, -1, Infinity, 2 ** -149], [4]);
    expect(out.slice(0, 3)).toEqual([-Infinity, NaN, Infinity]);
    expect(out[3]).toBe(Math.fround(-149 * Math.LN2));
  });
  it('refuses int8 for float-only ops, naming the type', () => {
    const q = { scale: 0.1, zeroPoint: 0 };
    for (const op of ['SQRT', 'SQUARE', 'NEG', 'CEIL', 'FLOOR', 'ROUND', 'EXP', 'SIN', 'COS', 'LOG']) {
      const model = loadModel(buildModel(unaryModel(op, 'int8', [4], q, q)));
      expect(() => new Interpreter(model).allocate()).toThrow(expect.objectContaining({ op, type: 'int8' }));
    }
  });
});

describe('RSQRT int8 (RsqrtInt8, RsqrtCloseTo0Int8, RsqrtNanInt8)', () => {
  const qIn = { scale: Math.fround(142 / 255), zeroPoint: 127 - 142 };
  const golden = [0.2582, 0.14744, 0.11323, 0.08392, 1, 0.24254, 0.142857, 0.09407];
  it('matches the goldens within one input scale', () => {
    const qOut = { scale: Math.fround(1 / 255), zeroPoint: -128 };
    const input = [15, 46, 78, 142, 1, 17, 49, 113];
    const out = runModel(unaryModel('RSQRT', 'int8', [1, 8], qIn, qOut), [quantize(input, qIn.scale, qIn.zeroPoint)]);
    expectDequantizedNear(out, golden, qOut, qIn.scale);
  });
  it('gives the int8 maximum at the zero point', () => {
    const qOut = { scale: Math.fround(3.16 / 255), zeroPoint: -128 };
    const input = [15, 46, 78, 142, 1, 0.1, 49, 113];
    const x = quantize(input, qIn.scale, qIn.zeroPoint);
    expect(x[5]).toBe(qIn.zeroPoint);
    const out = runModel(unaryModel('RSQRT', 'int8', [1, 8], qIn, qOut), [x]);
    expect(out[5]).toBe(127);
    const closeGolden = [...golden];
    closeGolden[5] = 3.16228;
    expectDequantizedNear(out, closeGolden, qOut, qIn.scale);
  });
  it('fails the invoke below the zero point', () => {
    const qOut = { scale: Math.fround(1 / 255), zeroPoint: -128 };
    const interpreter = new Interpreter(loadModel(buildModel(unaryModel('RSQRT', 'int8', [1, 8], qIn, qOut))));
    interpreter.allocate();
    interpreter.input(0).data.set(quantize([15, 46, 78, 142, 1, 17, -49, 113], qIn.scale, qIn.zeroPoint));
    expect(() => interpreter.invoke()).toThrow(InvokeError);
  });
});

describe('LOGICAL_NOT', () => {
  it('bool (LogicalNot)', () => {
    expect(runModel(unaryModel('LOGICAL_NOT', 'bool', [2, 2]), [[1, 0, 0, 1]])).toEqual([0, 1, 1, 0]);
  });
});

describe('ELU', () => {
  it('float32 (SimpleEluTest, FloatActivationsOpTest.Elu): expm1f below 0', () => {
    const input = f32([0, 2, -6, 3, -4, 3, -2, 5, 6, 1, -0.1]);
    const golden = [0, 2, -0.997521, 3, -0.981684, 3, -0.864665, 5, 6, 1, -0.0951626];
    const out = run('ELU', input, [1, 11]);
    expect(out).toEqual(input.map((x) => (x < 0 ? Math.fround(expm1f(x)) : x)));
    out.forEach((v, i) => expect(Math.abs(v - golden[i])).toBeLessThanOrEqual(1e-5));
  });
  it('int8 through the prepare-time table, within one output step of the float ELU', () => {
    const qIn = { scale: Math.fround(8 / 255), zeroPoint: 0 };
    const qOut = { scale: Math.fround(5 / 255), zeroPoint: -77 };
    const values = [0, -6, 2, -4, 3, -2, 4, -0.1, -0.5, 1];
    const x = quantize(values, qIn.scale, qIn.zeroPoint);
    const out = runModel(unaryModel('ELU', 'int8', [1, 10], qIn, qOut), [x]);
    x.forEach((v, i) => {
      const real = (v - qIn.zeroPoint) * qIn.scale;
      const want = Math.max(
        -128,
        Math.min(127, Math.round((real < 0 ? Math.expm1(real) : real) / qOut.scale) + qOut.zeroPoint),
      );
      expect(Math.abs(out[i] - want)).toBeLessThanOrEqual(1);
    });
  });
});

describe('HARD_SWISH', () => {
  it('float32: x * min(6, max(0, x + 3)) / 6 in float, over [-5, 5] and the branch points', () => {
    const input = f32([-5, -3.5, -3, -2.9, -1.5, -0.25, 0, 0.3, 1, 2.9, 3, 3.1, 4.75, 5]);
    const out = run('HARD_SWISH', input, [2, 7]);
    const f = Math.fround;
    expect(out).toEqual(input.map((x) => f(f(x * Math.min(6, Math.max(0, f(x + 3)))) / 6)));
    out.forEach((v, i) => {
      const x = input[i];
      expect(Math.abs(v - (x * Math.min(6, Math.max(0, x + 3))) / 6)).toBeLessThanOrEqual(1e-5);
    });
  });
  it('refuses int8 (not implemented) instead of approximating it', () => {
    const q = { scale: 0.05, zeroPoint: 0 };
    const model = loadModel(buildModel(unaryModel('HARD_SWISH', 'int8', [4], q, q)));
    expect(() => new Interpreter(model).allocate()).toThrow(
      expect.objectContaining({ op: 'HARD_SWISH', type: 'int8' }),
    );
  });
});
