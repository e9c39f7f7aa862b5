/**
 * ADD / SUB / MUL vectors from TFLM's add_test.cc, sub_test.cc and mul_test.cc (float and int8, broadcast); DIV
 * vectors from TFLM's div_test.cc (IntegerDivOpTestActNone / ActReluN1To1, FloatDivOpTestBroadcast5D, the
 * QuantizedDivOpTest* int8 cases).
 */
import { expectNear, quantize, runModel, TestModel } from '../testing/model-builder';

const IN1 = [-2.0, 0.2, 0.7, 0.8];
const IN2 = [0.1, 0.2, 0.3, 0.5];

function binaryModel(
  op: string,
  dtype: 'float32' | 'int8' | 'int32',
  activation = 0,
  shape2 = [1, 2, 2, 1],
  scale = 1 / 64,
): TestModel {
  const q = dtype === 'int8' ? { scale, zeroPoint: 0 } : {};
  return {
    tensors: [
      { shape: [1, 2, 2, 1], dtype, ...q },
      { shape: shape2, dtype, ...q },
      { shape: [1, 2, 2, 1], dtype, ...q },
    ],
    ops: [{ op, inputs: [0, 1], outputs: [2], options: [{ id: 0, i8: activation }] }],
    inputs: [0, 1],
    outputs: [2],
  };
}

const f32 = (v: number[]): number[] => v.map((x) => Math.fround(x));

describe('ADD', () => {
  it('float32 matches FloatAddNoActivation', () => {
    expectNear(runModel(binaryModel('ADD', 'float32'), [IN1, IN2]), [-1.9, 0.4, 1.0, 1.3], 1e-6);
  });
  it('float32 with RELU_N1_TO_1 matches FloatAddActivationRelu1', () => {
    expectNear(runModel(binaryModel('ADD', 'float32', 2), [IN1, IN2]), [-1.0, 0.4, 1.0, 1.0], 1e-6);
  });
  it('float32 broadcasts a scalar', () => {
    expect(runModel(binaryModel('ADD', 'float32', 0, [1]), [IN1, [0.5]])).toEqual(
      f32(IN1.map((x) => Math.fround(x) + 0.5)),
    );
  });
  it('int8 matches the float result within one step', () => {
    const s = 1 / 64;
    expectNear(
      runModel(binaryModel('ADD', 'int8'), [quantize(IN1, s, 0), quantize(IN2, s, 0)]),
      quantize([-1.9, 0.4, 1.0, 1.3], s, 0),
      1,
    );
  });
  it('int8 with different input scales rescales both operands', () => {
    const m = binaryModel('ADD', 'int8');
    m.tensors[0].scale = 0.05;
    m.tensors[1].scale = 0.01;
    m.tensors[1].zeroPoint = 10;
    m.tensors[2].scale = 0.03;
    m.tensors[2].zeroPoint = -5;
    const out = runModel(m, [quantize(IN1, 0.05, 0), quantize(IN2, 0.01, 10)]);
    expectNear(out, quantize([-1.9, 0.4, 1.0, 1.3], 0.03, -5), 1);
  });
});

describe('SUB', () => {
  it('float32 matches FloatSubNoActivation', () => {
    expectNear(runModel(binaryModel('SUB', 'float32'), [IN1, IN2]), [-2.1, 0.0, 0.4, 0.3], 1e-6);
  });
  it('int8 matches the float result within one step', () => {
    const s = 1 / 64;
    expectNear(
      runModel(binaryModel('SUB', 'int8'), [quantize(IN1, s, 0), quantize(IN2, s, 0)]),
      quantize([-2.1, 0.0, 0.4, 0.3], s, 0),
      1,
    );
  });
});

describe('MUL', () => {
  it('float32 matches FloatMulNoActivation', () => {
    expectNear(runModel(binaryModel('MUL', 'float32'), [IN1, IN2]), [-0.2, 0.04, 0.21, 0.4], 1e-6);
  });
  it('int8 matches the float result within one step', () => {
    const s = 1 / 128;
    const m = binaryModel('MUL', 'int8', 0, [1, 2, 2, 1], s);
    m.tensors[0].scale = 1 / 64;
    m.tensors[1].scale = 1 / 64;
    const a = quantize(IN1, 1 / 64, 0);
    const b = quantize(IN2, 1 / 64, 0);
    // Golden: the exact product of the dequantized inputs, requantized.
    const golden = quantize(
      a.map((x, i) => (x / 64) * (b[i] / 64)),
      s,
      0,
    );
    expectNear(runModel(m, [a, b]), golden, 1);
  });
});

describe('MUL int16 (mul_test.cc SimpleInt16 / BroadcastInt16 vectors: zero points 0, within one step)', () => {
  const int16Model = (inScale: number, outScale: number, shape2: number[], activation = 0): TestModel => ({
    tensors: [
      { shape: [1, 2, 2, 1], dtype: 'int16', scale: inScale, zeroPoint: 0 },
      { shape: shape2, dtype: 'int16', scale: inScale, zeroPoint: 0 },
      { shape: [1, 2, 2, 1], dtype: 'int16', scale: outScale, zeroPoint: 0 },
    ],
    ops: [{ op: 'MUL', inputs: [0, 1], outputs: [2], options: [{ id: 0, i8: activation }] }],
    inputs: [0, 1],
    outputs: [2],
  });
  const q16 = (v: number[], scale: number): number[] => quantize(v, scale, 0, -32768, 32767);
  it('SimpleInt16NoActivation and Relu (scale 0.01)', () => {
    const a = [-0.8, 0.2, 0.9, 0.7];
    const b = [0.6, 0.4, 0.9, 0.8];
    const m = int16Model(0.01, 0.01, [1, 2, 2, 1]);
    expectNear(runModel(m, [q16(a, 0.01), q16(b, 0.01)]), q16([-0.48, 0.08, 0.81, 0.56], 0.01), 1);
    const relu = int16Model(0.01, 0.01, [1, 2, 2, 1], 1);
    expectNear(runModel(relu, [q16(a, 0.01), q16(b, 0.01)]), q16([0, 0.08, 0.81, 0.56], 0.01), 1);
  });
  it('BroadcastInt16 (a scalar second input; input scale 0.05, output 0.01)', () => {
    const m = int16Model(0.05, 0.01, [1]);
    const a = [-2.0, 0.2, 0.7, 0.8];
    expectNear(runModel(m, [q16(a, 0.05), q16([0.1], 0.05)]), q16([-0.2, 0.02, 0.07, 0.08], 0.01), 1);
  });
  it('uses the whole int16 range: 0.9 x 0.9 at scale 2^-15 and a saturating product', () => {
    const m = int16Model(2 ** -15, 2 ** -15, [1, 2, 2, 1]);
    const out = runModel(m, [
      [29491, -32768, 32767, 16384],
      [29491, -32768, 16384, -16384],
    ]);
    // Exact products requantized by 2^-15 (round half away from zero); (-1) x (-1) saturates at 32767.
    expect(out).toEqual([Math.round((29491 * 29491) / 32768), 32767, 16384, -8192]);
  });
});

describe('int32 MUL / ADD (the int8 audio front-end scales its log features with them)', () => {
  it('MUL wraps like the C++ int32 product and applies the fused activation', () => {
    expect(
      runModel(binaryModel('MUL', 'int32'), [
        [3, -4, 65536, 2 ** 30],
        [7, 5, 65536, 4],
      ]),
    ).toEqual([21, -20, 0, 0]);
    expect(
      runModel(binaryModel('MUL', 'int32', 1), [
        [3, -4, 2, 1],
        [7, 5, -1, 0],
      ]),
    ).toEqual([21, 0, 0, 0]);
  });
  it('ADD wraps and keeps the full int32 range whatever the fused activation (add.cc)', () => {
    expect(
      runModel(binaryModel('ADD', 'int32', 1), [
        [2147483647, -5, 7, 0],
        [1, 2, -9, 0],
      ]),
    ).toEqual([-2147483648, -3, -2, 0]);
  });
  it('ADD broadcasts a scalar', () => {
    expect(runModel(binaryModel('ADD', 'int32', 0, [1]), [[1, 2, 3, 4], [10]])).toEqual([11, 12, 13, 14]);
  });
  // sub_test.cc has no int32 case: TFLite's IntegerSubOpModel vectors (NoActivation, ActivationRELU_N1_TO_1).
  it('SUB subtracts (NoActivation) and clamps to the fused activation (ActivationRELU_N1_TO_1)', () => {
    expect(
      runModel(binaryModel('SUB', 'int32'), [
        [-20, 2, 7, 8],
        [1, 2, 3, 5],
      ]),
    ).toEqual([-21, 0, 4, 3]);
    expect(
      runModel(binaryModel('SUB', 'int32', 2), [
        [-20, 2, 7, 8],
        [1, 2, 3, 5],
      ]),
    ).toEqual([-1, 0, 1, 1]);
  });
  it('SUB wraps the int32 difference, RELU6 clamps to [0, 6], and a scalar broadcasts', () => {
    expect(
      runModel(binaryModel('SUB', 'int32'), [
        [-2147483648, 2147483647, 0, 5],
        [1, -1, -2147483648, 5],
      ]),
    ).toEqual([2147483647, -2147483648, -2147483648, 0]);
    expect(runModel(binaryModel('SUB', 'int32', 3, [1]), [[20, 3, -4, 9], [2]])).toEqual([6, 1, 0, 6]);
    expect(runModel(binaryModel('SUB', 'int32', 0, [1]), [[1, 2, 3, 4], [10]])).toEqual([-9, -8, -7, -6]);
  });
});

describe('DIV', () => {
  it('int32 truncates toward zero (IntegerDivOpTestActNone)', () => {
    expect(
      runModel(binaryModel('DIV', 'int32'), [
        [-2, 2, -15, 8],
        [5, -2, -3, 5],
      ]),
    ).toEqual([0, -1, 5, 1]);
  });
  it('int32 clamps to the fused activation (IntegerDivOpTestActReluN1To1)', () => {
    expect(
      runModel(binaryModel('DIV', 'int32', 2), [
        [-2, 2, -12, 8],
        [1, 2, -15, 5],
      ]),
    ).toEqual([-1, 1, 0, 1]);
  });
  it('int32 gives 0 for a zero divisor (Cortex-M SDIV) and wraps INT32_MIN / -1', () => {
    expect(
      runModel(binaryModel('DIV', 'int32'), [
        [7, -7, 0, -2147483648],
        [0, 0, 0, -1],
      ]),
    ).toEqual([0, 0, 0, -2147483648]);
  });
  it('float32 broadcasts a scalar divisor (FloatDivOpTestBroadcast5D values)', () => {
    const m = binaryModel('DIV', 'float32', 0, [1]);
    expectNear(runModel(m, [[-0.2, 0.2, 0.07, 0.08], [0.1]]), [-2.0, 2.0, 0.7, 0.8], 1e-6);
  });
});

describe('DIV int8 (div_test.cc QuantizedDivOpTest*)', () => {
  // test_helpers ScaleFromMinMax / ZeroPointFromMinMax for int8, in float; TFLM allows 2 steps + step^2.
  const params = (min: number, max: number) => {
    const scale = Math.fround(Math.fround(max - min) / 255);
    return { scale, zeroPoint: -128 + Math.trunc(Math.fround(Math.fround(-min / scale) + 0.5)) };
  };
  const tolerance = (min: number, max: number): number => {
    const step = Math.fround((max - min) / 255);
    return 2 * step + step * step;
  };
  // tflite::Quantize: round half away from zero of the float quotient (0.2f / (6.f / 255) is 8.5 there).
  const quantizeF = (values: number[], q: { scale: number; zeroPoint: number }): number[] =>
    values.map((v) => {
      const r = Math.fround(Math.fround(v) / q.scale);
      return Math.max(-128, Math.min(127, Math.sign(r) * Math.round(Math.abs(r)) + q.zeroPoint));
    });
  function divInt8(shape1: number[], shape2: number[], a: number[], b: number[], min: number, max: number, act = 0) {
    const q = params(min, max);
    const m: TestModel = {
      tensors: [
        { shape: shape1, dtype: 'int8', ...q },
        { shape: shape2, dtype: 'int8', ...q },
        { shape: shape1, dtype: 'int8', ...q },
      ],
      ops: [{ op: 'DIV', inputs: [0, 1], outputs: [2], options: [{ id: 0, i8: act }] }],
      inputs: [0, 1],
      outputs: [2],
    };
    const out = runModel(m, [quantizeF(a, q), quantizeF(b, q)]);
    return out.map((v) => (v - q.zeroPoint) * q.scale);
  }
  it('QuantizedDivOpTestActNone', () => {
    const out = divInt8([1, 2, 2, 1], [1, 2, 2, 1], [-0.8, -0.2, 0.3, 0.7], [-0.8, 0.4, 0.8, 1.0], -1, 1);
    expectNear(out, [1.0, -0.5, 0.375, 0.7], tolerance(-1, 1));
  });
  it('QuantizedDivOpTestActReluN1To1', () => {
    const s = [1, 2, 2, 1];
    const t = tolerance(-1, 1);
    expectNear(divInt8(s, s, [-0.8, 0.2, 0.9, 0.7], [0.6, 0.4, 0.9, -0.8], -1, 1, 2), [-1, 0.5, 1, -0.875], t);
    expectNear(divInt8(s, s, [-0.5, 0.2, 0.6, 0.3], [0.6, 0.5, -0.8, 0.5], -1, 1, 2), [-0.833, 0.4, -0.75, 0.6], t);
  });
  it('QuantizedDivOpTestMultiShape', () => {
    const a = [-2.0, 0.2, 1.7, 0.9, 0.4, 2.0];
    const b = [1.3, 0.3, 1.1, 0.4, -1.1, 1.9];
    for (const shape of [[6], [2, 3], [2, 1, 3], [1, 3, 1, 2]]) {
      expectNear(divInt8(shape, shape, a, b, -3, 3), [-1.538, 0.667, 1.545, 2.25, -0.364, 1.053], tolerance(-3, 3));
    }
  });
  it('QuantizedDivOpTestBroadcast (a scalar divisor, up to 5-D)', () => {
    const a = [-2.0, 0.2, 0.7, 0.8, -0.5, 1.1, -1.3, 1.2];
    const want = [-2.857, 0.286, 1.0, 1.143, -0.714, 1.571, -1.857, 1.714];
    for (const shape of [[8], [2, 4], [2, 1, 4], [1, 4, 1, 2], [1, 2, 1, 2, 2]]) {
      expectNear(divInt8(shape, [1], a, [0.7], -3, 3), want, tolerance(-3, 3));
    }
  });
  it('gives exact integer quotients exactly (reciprocal error below half a step)', () => {
    const m: TestModel = {
      tensors: [
        { shape: [8], dtype: 'int8', scale: 0.5, zeroPoint: 0 },
        { shape: [8], dtype: 'int8', scale: 0.5, zeroPoint: 0 },
        { shape: [8], dtype: 'int8', scale: 1, zeroPoint: -3 },
      ],
      ops: [{ op: 'DIV', inputs: [0, 1], outputs: [2] }],
      inputs: [0, 1],
      outputs: [2],
    };
    const a = [100, -100, 120, 14, 7, -128, 96, -90];
    const b = [4, 5, -1, 7, 7, -128, 3, -9];
    expect(runModel(m, [a, b])).toEqual(a.map((x, i) => x / b[i] - 3));
    // A dividend equal to its zero point has 31 bits of headroom, so RoundingDivideByPOT gets exponent 30 + log2 of
    // the divisor: from a divisor of 4 on that is above gemmlowp's 31, where on the x86-64 build the int32 mask is
    // -1 and the result is 1, one step above the output zero point (divisors -1 and 3 stay at exponents 30 / 31).
    const zero = runModel(m, [[0, 0, 0, 0, 0, 0, 0, 0], b]);
    expect(zero).toEqual([-2, -2, -3, -2, -2, -2, -3, -2]);
  });
  it('refuses a real multiplier of 2^23 or more (the reference would shift by a negative amount)', () => {
    const m = binaryModel('DIV', 'int8');
    m.tensors[2].scale = 2 ** -40;
    expect(() =>
      runModel(m, [
        [1, 2, 3, 4],
        [1, 1, 1, 1],
      ]),
    ).toThrow(/2\^23/);
  });
});

describe('ADD / SUB int16 (TFLM add_test / sub_test int16 cases: symmetric, general rescaling, left shift 15)', () => {
  const A = [-2.0, 0.2, 0.7, 0.8, -0.3, 1.9];
  const B = [0.1, -0.2, 0.3, 0.5];
  function int16Model(op: string, s1: number, s2: number, so: number, shape2: number[], activation = 0): TestModel {
    return {
      tensors: [
        { shape: [1, 3, 2, 1], dtype: 'int16', scale: s1, zeroPoint: 0 },
        { shape: shape2, dtype: 'int16', scale: s2, zeroPoint: 0 },
        { shape: [1, 3, 2, 1], dtype: 'int16', scale: so, zeroPoint: 0 },
      ],
      ops: [{ op, inputs: [0, 1], outputs: [2], options: [{ id: 0, i8: activation }] }],
      inputs: [0, 1],
      outputs: [2],
    };
  }
  const q16 = (v: number[], s: number): number[] => quantize(v, s, 0, -32768, 32767);

  it.each([
    ['ADD', (a: number, b: number) => a + b],
    ['SUB', (a: number, b: number) => a - b],
  ] as const)('%s with different scales and broadcasting matches the float result within one step', (op, f) => {
    const [s1, s2, so] = [2.5 / 32768, 0.6 / 32768, 3 / 32768];
    const b = [0.1, -0.2];
    const got = runModel(int16Model(op, s1, s2, so, [1, 1, 2, 1]), [q16(A, s1), q16(b, s2)]);
    expectNear(
      got,
      q16(
        A.map((a, i) => f(a, b[i % 2])),
        so,
      ),
      1,
    );
  });

  it('ADD with RELU_N1_TO_1 clamps in the int16 domain', () => {
    const s = 4 / 32768;
    const got = runModel(int16Model('ADD', s, s, s, [1, 3, 2, 1], 2), [q16(A, s), q16([...B, 0, 0], s)]);
    expectNear(got, q16([-1, 0, 1, 1, -0.3, 1], s), 1);
  });
});
