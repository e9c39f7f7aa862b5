/**
 * FLOOR_DIV and FLOOR_MOD (float32, the only type TFLM's kernels accept) on the vectors of TFLite's
 * floor_div_test.cc and floor_mod_test.cc (simple, negative values, broadcast).
 */
import { InvokeError } from '../errors';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, runModel, TestModel } from '../testing/model-builder';

const model = (op: string, shape2: number[]): TestModel => ({
  tensors: [
    { shape: [1, 2, 2, 1], dtype: 'float32' },
    { shape: shape2, dtype: 'float32' },
    { shape: [1, 2, 2, 1], dtype: 'float32' },
  ],
  ops: [{ op, inputs: [0, 1], outputs: [2] }],
  inputs: [0, 1],
  outputs: [2],
});
const full = [1, 2, 2, 1];

describe('FLOOR_DIV', () => {
  it('FloorDivTestSimpleFloat, NegativeValueFloat, BroadcastFloorDivFloat', () => {
    const run = (a: number[], b: number[], shape2 = full) => runModel(model('FLOOR_DIV', shape2), [a, b]);
    expect(run([10.05, 9.09, 11.9, 3.01], [2.05, 2.03, 3.03, 4.03])).toEqual([4, 4, 3, 0]);
    expect(run([10.03, -9.9, -11.0, 7.0], [2.0, 2.3, -3.0, -4.1])).toEqual([5, -5, 3, -2]);
    expect(run([10.03, -9.9, -11.0, 7.0], [-3.3], [1])).toEqual([-4, 2, 3, -3]);
  });
  it('fails the invoke on a zero denominator', () => {
    const interpreter = new Interpreter(loadModel(buildModel(model('FLOOR_DIV', full))));
    interpreter.allocate();
    interpreter.input(0).data.set([1, 2, 3, 4]);
    interpreter.input(1).data.set([1, 0, 1, 1]);
    expect(() => interpreter.invoke()).toThrow(InvokeError);
  });
});

describe('FLOOR_MOD', () => {
  it('FloorModFloatSimple, FloorModFloatNegativeValue, FloorModFloatBroadcast', () => {
    const run = (a: number[], b: number[], shape2 = full) => runModel(model('FLOOR_MOD', shape2), [a, b]);
    expect(run([10, 9, 11, 3], [2, 2, 3, 4])).toEqual([0, 1, 2, 3]);
    expect(run([10, -9, -11, 7], [2, 2, -3, -4])).toEqual([0, 1, -2, -1]);
    // fmodf(-9, -3) is -0 (the sign of x); TFLite's golden 0 is compared by value.
    expect(run([10, -9, -11, 7], [-3], [1])).toEqual([-2, -0, -2, -2]);
  });
  it('keeps the float fmod exact and rounds the sign fix-up to float', () => {
    const [a, b] = [Math.fround(5.3), Math.fround(-2.1)];
    const out = runModel(model('FLOOR_MOD', [1]), [[a, -a, 0.5, -0.5], [b]]);
    expect(out).toEqual([Math.fround((a % b) + b), -a % b, Math.fround(0.5 + b), -0.5].map(Math.fround));
  });
});
