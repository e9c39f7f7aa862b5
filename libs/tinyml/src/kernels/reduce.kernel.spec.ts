/**
 * SUM and REDUCE_MAX on the shapes of TFLM's reduce_test.cc (a 4x3x2 tensor of 1..24 reduced over repeated and
 * negative axes, with and without keep_dims; int8 max with the same quantization in and out), plus quantized SUM
 * against QuantizedMeanOrSum's arithmetic. MEAN keeps its tests in data-movement.kernel.spec.ts.
 */
import { UnsupportedOpError } from '../errors';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, quantize, runModel, TestDType, TestModel } from '../testing/model-builder';

interface Q {
  scale: number;
  zeroPoint: number;
}

function reduceModel(
  op: string,
  dtype: TestDType,
  inShape: number[],
  axes: number[],
  outShape: number[],
  qIn?: Q,
  qOut?: Q,
): TestModel {
  return {
    tensors: [
      { shape: inShape, dtype, ...(qIn ?? {}) },
      { shape: [axes.length], dtype: 'int32', data: axes },
      { shape: outShape, dtype, ...(qOut ?? qIn ?? {}) },
    ],
    ops: [{ op, inputs: [0, 1], outputs: [2] }],
    inputs: [0],
    outputs: [2],
  };
}

const oneTo24 = Array.from({ length: 24 }, (_, i) => i + 1);

describe('REDUCE_MAX', () => {
  it('FloatMaxOpTestNotKeepDims / KeepDims', () => {
    expect(runModel(reduceModel('REDUCE_MAX', 'float32', [4, 3, 2], [1, 0, -3, -3], [2]), [oneTo24])).toEqual([23, 24]);
    expect(runModel(reduceModel('REDUCE_MAX', 'float32', [4, 3, 2], [0, 2], [1, 3, 1]), [oneTo24])).toEqual([
      20, 22, 24,
    ]);
  });
  it('float32 max skips NaN and handles all-negative inputs', () => {
    expect(runModel(reduceModel('REDUCE_MAX', 'float32', [2, 2], [1], [2]), [[NaN, -5, -7, -3e38]])).toEqual([-5, -7]);
  });
  it('Int8MaxOpTestKeepDims / WithoutKeepDims (same quantization in and out)', () => {
    const q = { scale: 1 / 255, zeroPoint: -128 };
    const input = quantize([0.4, 0.2, 0.3, 0.4, 0.5, 0.6], q.scale, q.zeroPoint);
    const golden = quantize([0.4, 0.4, 0.6], q.scale, q.zeroPoint);
    expect(runModel(reduceModel('REDUCE_MAX', 'int8', [1, 3, 2], [-1], [1, 3, 1], q), [input])).toEqual(golden);
    expect(runModel(reduceModel('REDUCE_MAX', 'int8', [1, 3, 2], [-1], [1, 3], q), [input])).toEqual(golden);
  });
  it('refuses int8 with different quantization in and out', () => {
    const m = reduceModel(
      'REDUCE_MAX',
      'int8',
      [1, 3, 2],
      [-1],
      [1, 3],
      { scale: 0.1, zeroPoint: 0 },
      { scale: 0.2, zeroPoint: 0 },
    );
    expect(() => new Interpreter(loadModel(buildModel(m))).allocate()).toThrow(UnsupportedOpError);
  });
  it('asks for PrepareMax scratch: a temp index per input dimension and a resolved axis per axis entry', () => {
    const interpreter = new Interpreter(
      loadModel(buildModel(reduceModel('REDUCE_MAX', 'float32', [4, 3, 2], [1, 0, -3, -3], [2]))),
    );
    interpreter.allocate();
    expect(interpreter.memory.ops[0].scratchBytes).toBe(3 * 4 + 4 * 4);
  });
});

describe('SUM', () => {
  it('SumFloatFlatten2ReduceDims / keep_dims, float sums in input order', () => {
    expect(runModel(reduceModel('SUM', 'float32', [4, 3, 2], [0, 2], [3]), [oneTo24])).toEqual([84, 100, 116]);
    expect(runModel(reduceModel('SUM', 'float32', [4, 3, 2], [1, 0, -3, -3], [1, 1, 2]), [oneTo24])).toEqual([
      144, 156,
    ]);
    const tiny = [1e8, 1, 1, 1, 1];
    let acc = 0;
    for (const x of tiny) acc = Math.fround(acc + x);
    expect(runModel(reduceModel('SUM', 'float32', [5], [0], [1]), [tiny])).toEqual([acc]);
  });
  it('int8: (sum - zero point x n) requantized by input / output scale, within one step of the real sum', () => {
    // One step, as TFLM's tests allow: the double-rounding MultiplyByQuantizedMultiplier can be 0.75 off.
    const qIn = { scale: 0.05, zeroPoint: 3 };
    const qOut = { scale: 0.2, zeroPoint: -10 };
    const values = [0.4, -0.2, 0.35, 1.1, -0.5, 0.6, 0.9, -1.3];
    const x = quantize(values, qIn.scale, qIn.zeroPoint);
    const out = runModel(reduceModel('SUM', 'int8', [2, 4], [1], [2], qIn, qOut), [x]);
    for (let r = 0; r < 2; r++) {
      const real = x.slice(4 * r, 4 * r + 4).reduce((s, v) => s + (v - qIn.zeroPoint) * qIn.scale, 0);
      expect(Math.abs(out[r] - (real / qOut.scale + qOut.zeroPoint))).toBeLessThanOrEqual(1);
    }
  });
  it('int16 clamps to the int16 range', () => {
    const q = { scale: 1, zeroPoint: 0 };
    const out = runModel(reduceModel('SUM', 'int16', [1, 4], [1], [1], q), [[30000, 30000, -100, 5]]);
    expect(out).toEqual([32767]);
  });
});
