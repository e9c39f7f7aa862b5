/**
 * SQUARED_DIFFERENCE on the vectors of TFLM's squared_difference_test.cc: float32 and int32, same shape and
 * broadcast (exact: one float subtraction and one float multiply); int8 and int16 within one output step of the
 * squared difference of the dequantized inputs.
 */
import { expectNear, quantize, runModel, TestDType, TestModel } from '../testing/model-builder';

interface Q {
  scale: number;
  zeroPoint: number;
}

function model(dtype: TestDType, shape1: number[], shape2: number[], q1?: Q, q2?: Q, qOut?: Q): TestModel {
  return {
    tensors: [
      { shape: shape1, dtype, ...(q1 ?? {}) },
      { shape: shape2, dtype, ...(q2 ?? {}) },
      { shape: shape1, dtype, ...(qOut ?? {}) },
    ],
    ops: [{ op: 'SQUARED_DIFFERENCE', inputs: [0, 1], outputs: [2] }],
    inputs: [0, 1],
    outputs: [2],
  };
}

const f = Math.fround;
const sq = (a: number[], b: number[]): number[] =>
  a.map((x, i) => {
    const d = f(f(x) - f(b.length === 1 ? b[0] : b[i]));
    return f(d * d);
  });

describe('SQUARED_DIFFERENCE', () => {
  it('FloatSquaredDifferenceSameShape / Broadcast', () => {
    const a = [-0.2, 0.2, -1.2, 0.8];
    const b = [0.5, 0.2, -1.5, 0.5];
    const out = runModel(model('float32', [1, 2, 2, 1], [1, 2, 2, 1]), [a, b]);
    expect(out).toEqual(sq(a, b));
    expectNear(out, [0.49, 0, 0.09, 0.09], 1e-5);
    const a6 = [-0.2, 0.2, 0.5, 0.8, 0.11, 1.1];
    const outB = runModel(model('float32', [1, 2, 3, 1], [1]), [a6, [0.1]]);
    expect(outB).toEqual(sq(a6, [0.1]));
    expectNear(outB, [0.09, 0.01, 0.16, 0.49, 0.0001, 1.0], 1e-5);
  });
  it('IntegerSquaredDifferenceSameShape / Broadcast, int32 wrap-around', () => {
    expect(
      runModel(model('int32', [1, 2, 2, 1], [1, 2, 2, 1]), [
        [-2, 2, -15, 8],
        [5, -2, -3, 5],
      ]),
    ).toEqual([49, 16, 144, 9]);
    expect(runModel(model('int32', [1, 2, 3, 1], [1]), [[-20, 10, 7, 3, 1, 13], [3]])).toEqual([
      529, 49, 16, 0, 4, 100,
    ]);
    expect(
      runModel(model('int32', [2], [2]), [
        [65536, -70000],
        [0, 0],
      ]),
    ).toEqual([0, Math.imul(70000, 70000)]);
  });
  it('QuantizedSquaredDifferenceSameShape / Broadcast (int8)', () => {
    const q = { scale: 2.0 / 255, zeroPoint: -27 }; // inputs in [-1.2, 0.8]
    const qOut = { scale: 0.5 / 255, zeroPoint: -128 }; // output in [0, 0.5]
    const a = [-0.2, 0.2, -1.2, 0.8];
    const b = [0.5, 0.2, -1.5, 0.5].map((x) => Math.max(-1.2, x));
    const real = (v: number[], qq: Q): number[] => v.map((x) => (x - qq.zeroPoint) * qq.scale);
    const qa = quantize(a, q.scale, q.zeroPoint);
    const qb = quantize(b, q.scale, q.zeroPoint);
    const out = runModel(model('int8', [1, 2, 2, 1], [1, 2, 2, 1], q, q, qOut), [qa, qb]);
    const ra = real(qa, q);
    const rb = real(qb, q);
    expectNear(
      out,
      quantize(
        ra.map((x, i) => (x - rb[i]) ** 2),
        qOut.scale,
        qOut.zeroPoint,
      ),
      1,
    );
    const a6 = [-0.2, 0.2, 0.5, 0.8, 0.11, 0.7];
    const qa6 = quantize(a6, q.scale, q.zeroPoint);
    const qScalar = quantize([0.1], q.scale, q.zeroPoint);
    const outB = runModel(model('int8', [1, 2, 3, 1], [1], q, q, qOut), [qa6, qScalar]);
    const rScalar = real(qScalar, q)[0];
    const goldenB = real(qa6, q).map((x) => (x - rScalar) ** 2);
    expectNear(outB, quantize(goldenB, qOut.scale, qOut.zeroPoint), 1);
  });
  it('int16 with zero points 0 and different input scales', () => {
    const q1 = { scale: 2 / 32768, zeroPoint: 0 };
    const q2 = { scale: 1 / 32768, zeroPoint: 0 };
    const qOut = { scale: 4 / 32768, zeroPoint: 0 };
    const a = [-0.9, 0.4, 1.5, 0.0];
    const b = [0.5, -0.6, 0.25, 0.99];
    const out = runModel(model('int16', [4], [4], q1, q2, qOut), [
      quantize(a, q1.scale, 0, -32768, 32767),
      quantize(b, q2.scale, 0, -32768, 32767),
    ]);
    expectNear(
      out,
      quantize(
        a.map((x, i) => (x - b[i]) ** 2),
        qOut.scale,
        0,
        -32768,
        32767,
      ),
      2,
    );
  });
});
