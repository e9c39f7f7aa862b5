/**
 * ADD_N on the vectors of TFLM's add_n_test.cc (three inputs, float32 and int8), float32 bit for bit in the
 * reference's order (0 + a + b + c, each add rounded to float), int8 within one output step.
 */
import { UnsupportedOpError } from '../errors';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, expectNear, quantize, runModel, TestDType, TestModel } from '../testing/model-builder';

interface Q {
  scale: number;
  zeroPoint: number;
}

function addNModel(dtype: TestDType, n: number, qIn?: Q, qOut?: Q): TestModel {
  const shape = [1, 2, 2, 1];
  return {
    tensors: [
      ...Array.from({ length: n }, () => ({ shape, dtype, ...(qIn ?? {}) })),
      { shape, dtype, ...(qOut ?? {}) },
    ],
    ops: [{ op: 'ADD_N', inputs: [...Array(n).keys()], outputs: [n] }],
    inputs: [...Array(n).keys()],
    outputs: [n],
  };
}

const A = [-2.0, 0.2, 0.7, 0.8];
const B = [0.1, 0.2, 0.3, 0.5];
const C = [0.5, 0.1, 0.1, 0.2];
const GOLDEN = [-1.4, 0.5, 1.1, 1.5];

describe('ADD_N', () => {
  it('FloatAddNOpAddMultipleTensors', () => {
    const f = Math.fround;
    const out = runModel(addNModel('float32', 3), [A, B, C]);
    expect(out).toEqual(A.map((a, i) => f(f(f(0 + f(a)) + f(B[i])) + f(C[i]))));
    expectNear(out, GOLDEN, 1e-5);
  });
  it('Int8AddNOpAddMultipleTensors (zero point -8, the reference starts from the rescaled offset)', () => {
    const qIn = { scale: 4 / 255, zeroPoint: -8 };
    const qOut = { scale: 4 / 255, zeroPoint: -8 };
    const inputs = [A, B, C].map((v) => quantize(v, qIn.scale, qIn.zeroPoint));
    const out = runModel(addNModel('int8', 3, qIn, qOut), inputs);
    // Starting from the rescaled input offset adds -zero point * input scale to every real sum.
    const real = inputs[0].map((_, i) => inputs.reduce((s, q) => s + (q[i] - qIn.zeroPoint) * qIn.scale, 0));
    const offsetTerm = -qIn.zeroPoint * qIn.scale;
    expectNear(
      out,
      quantize(
        real.map((r) => r + offsetTerm),
        qOut.scale,
        qOut.zeroPoint,
      ),
      1,
    );
  });
  it('int8 with zero point 0 is the plain requantized sum', () => {
    const q = { scale: 4 / 255, zeroPoint: 0 };
    const inputs = [A, B, C].map((v) => quantize(v, q.scale, 0));
    const out = runModel(addNModel('int8', 3, q, q), inputs);
    expectNear(out, quantize(GOLDEN, q.scale, 0), 1);
  });
  it('refuses int8 inputs of different quantization', () => {
    const m = addNModel('int8', 2, { scale: 0.1, zeroPoint: 0 }, { scale: 0.1, zeroPoint: 0 });
    m.tensors[1].scale = 0.2;
    expect(() => new Interpreter(loadModel(buildModel(m))).allocate()).toThrow(UnsupportedOpError);
  });
});
