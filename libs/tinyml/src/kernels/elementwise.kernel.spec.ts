/**
 * Unary elementwise math ops on the vectors of TFLM's elementwise_test.cc (ABS, SQRT, RSQRT, SQUARE, LOGICAL_NOT),
 * neg_test.cc, ceil_test.cc, floor_test.cc, round_test.cc and exp_test.cc. TFLM checks floats within 1e-5 and
 * quantized outputs within one input scale after dequantizing; where the C expression is known exactly (a float
 * operation, std::floor, glibc's expf) the expected values here are that expression, so the check is bit for bit.
 * ELU: activations_test.cc SimpleEluTest and TFLite's FloatActivationsOpTest.Elu vectors; HARD_SWISH: the float
 * formula on hard_swish_test.cc's input range [-5, 5] and its branch points, and int8 on hard_swish_test.cc's
 * SimpleHardSwishTestInt8 (its minstd_rand inputs regenerated) and QuantizedBias cases. SIN, COS, LOG: TFLite's
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
  // hard_swish_test.cc SimpleHardSwishTestInt8: 101 inputs drawn with std::minstd_rand (seed 1, one engine for all
  // 16 input/output range pairs), the float reference clamped to the output range, |dequantized - reference| at
  // most 1.5 steps of the wider range. The generator, ScaleFromMinMax, ZeroPointFromMinMax, Quantize and
  // Dequantize are the test helpers' float expressions.
  const f = Math.fround;
  function minstdRand(): () => number {
    let state = 1;
    return () => (state = (state * 48271) % 2147483647);
  }
  const scaleFromMinMax = (min: number, max: number): number => f(f(max - min) / 255);
  const zeroPointFromMinMax = (min: number, max: number): number =>
    -128 + Math.trunc(f(f(-min / scaleFromMinMax(min, max)) + 0.5));
  const quantizeF = (values: number[], scale: number, zp: number): number[] =>
    values.map((v) => {
      const r = f(v / scale);
      return Math.min(127, Math.max(-128, (r < 0 ? -Math.round(-r) : Math.round(r)) + zp));
    });
  const reference = (x: number): number => f(f(x * Math.min(6, Math.max(0, f(x + 3)))) * f(1 / 6));
  function hardSwishInt8(input: number[], inMin: number, inMax: number, outMin: number, outMax: number) {
    const qIn = { scale: scaleFromMinMax(inMin, inMax), zeroPoint: zeroPointFromMinMax(inMin, inMax) };
    const qOut = { scale: scaleFromMinMax(outMin, outMax), zeroPoint: zeroPointFromMinMax(outMin, outMax) };
    const out = runModel(unaryModel('HARD_SWISH', 'int8', [1, input.length], qIn, qOut), [
      quantizeF(input, qIn.scale, qIn.zeroPoint),
    ]);
    return { qIn, qOut, dequantized: out.map((v) => f((v - qOut.zeroPoint) * qOut.scale)), out };
  }
  it('int8 (SimpleHardSwishTestInt8): 16 range pairs x 101 minstd_rand inputs within 1.5 steps', () => {
    const pairs = [
      [0, 1],
      [-2, 1],
      [-5, 10],
      [-40, 60],
    ];
    const next = minstdRand();
    const inv = f(1 / f(2147483647));
    let checked = 0;
    for (const [inMin, inMax] of pairs) {
      for (const [outMin, outMax] of pairs) {
        const input = Array.from({ length: 101 }, () => f(inMin + f(f(inMax - inMin) * f(f(next()) * inv))));
        const { dequantized } = hardSwishInt8(input, inMin, inMax, outMin, outMax);
        const tolerance = f(Math.max(f(inMax - inMin), f(outMax - outMin)) * f(1.5 / 256));
        dequantized.forEach((v, i) => {
          const golden = Math.min(outMax, Math.max(outMin, reference(input[i])));
          expect(Math.abs(v - golden)).toBeLessThanOrEqual(tolerance);
          checked++;
        });
      }
    }
    expect(checked).toBe(16 * 101);
  });
  // SimpleHardSwishTestQuantizedBias is a uint8 test (TFLM's Eval has no uint8 case); with every zero point 128
  // lower the int8 arithmetic is the same. Its 43 inputs start at the index of -3.0 (60), so all stay 0.0 and the
  // test asks for hard_swish(0) = the output zero point; the second case runs the [-3, 3] inputs it meant.
  it('int8 (SimpleHardSwishTestQuantizedBias, MobileNet v3 ranges): bias within 0.035 steps', () => {
    const [inMin, inMax, outMin, outMax] = [-11.654928, 25.036512, -0.3905796, 24.50887];
    const inScale = scaleFromMinMax(inMin, inMax);
    const maxScale = Math.max(inScale, scaleFromMinMax(outMin, outMax));
    const bias = (input: number[]): number => {
      const { dequantized } = hardSwishInt8(input, inMin, inMax, outMin, outMax);
      const sum = dequantized.reduce(
        (acc, v, i) => f(acc + f(v - Math.min(outMax, Math.max(outMin, reference(input[i]))))),
        0,
      );
      return Math.abs(f(sum / f(input.length * maxScale)));
    };
    expect(bias(new Array<number>(43).fill(0))).toBeLessThanOrEqual(0.035);
    const first = Math.round((-3 - inMin) / inScale);
    const last = Math.round((3 - inMin) / inScale);
    const grid = Array.from({ length: last - first + 1 }, (_, k) => f(inMin + f((first + k) * inScale)));
    expect(bias(grid)).toBeLessThanOrEqual(0.035);
  });
  it('int8: inputs at or below -3 give exactly the output zero point, inputs above 3 pass through', () => {
    const { out, qOut, dequantized } = hardSwishInt8([-5, -4, -3.2, 3.5, 4, 4.5], -5, 5, -1, 5);
    expect(out.slice(0, 3)).toEqual([qOut.zeroPoint, qOut.zeroPoint, qOut.zeroPoint]);
    [3.5, 4, 4.5].forEach((x, i) => expect(Math.abs(dequantized[3 + i] - x)).toBeLessThanOrEqual(2 * qOut.scale));
  });
  it('refuses int8 when input scale / output scale >= 128 (HardSwishPrepare requires exponent <= 0)', () => {
    const model = loadModel(
      buildModel(unaryModel('HARD_SWISH', 'int8', [4], { scale: 1, zeroPoint: 0 }, { scale: 1 / 256, zeroPoint: 0 })),
    );
    expect(() => new Interpreter(model).allocate()).toThrow(expect.objectContaining({ op: 'HARD_SWISH' }));
    expect(() => new Interpreter(model).allocate()).toThrow(UnsupportedOpError);
  });
  it('keeps the HardSwishParams of Init for int8 as for float32, and no scratch', () => {
    const q = { scale: 0.05, zeroPoint: 0 };
    const opMemory = (m: TestModel) => {
      const interpreter = new Interpreter(loadModel(buildModel(m)));
      interpreter.allocate();
      return interpreter.memory.ops[0];
    };
    const int8 = opMemory(unaryModel('HARD_SWISH', 'int8', [4], q, q));
    expect(int8.persistentBytes).toBe(opMemory(unaryModel('HARD_SWISH', 'float32', [4])).persistentBytes);
    expect(int8.persistentBytes).toBeGreaterThanOrEqual(20);
    expect(int8.scratchBytes).toBe(0);
  });
});
