/**
 * SUM and REDUCE_MAX on the shapes of TFLM's reduce_test.cc (a 4x3x2 tensor of 1..24 reduced over repeated and
 * negative axes, with and without keep_dims; int8 max with the same quantization in and out), plus quantized SUM
 * against QuantizedMeanOrSum's arithmetic. MEAN keeps its float32 / int8 tests in data-movement.kernel.spec.ts; its
 * int16 ones are reduce_test.cc's MeanInt16* cases here.
 */
import { UnsupportedOpError } from '../errors';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, expectNear, quantize, runModel, TestDType, TestModel } from '../testing/model-builder';

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

describe('MEAN int16 (reduce_test.cc MeanInt16*)', () => {
  // TFLM quantizes its float goldens (tflite::Quantize: round half away, plus the zero point) and allows 1 step.
  const data2D = [1, 2, 3, 4, 5, 6, 7, 8];
  const data4D = oneTo24;
  const half = { scale: 0.5, zeroPoint: 0 };
  const quantizedGolden = (golden: number[], q: Q): number[] => quantize(golden, q.scale, q.zeroPoint, -32768, 32767);
  const mean = (inShape: number[], axes: number[], outShape: number[], input: number[], qOut: Q): number[] =>
    runModel(reduceModel('MEAN', 'int16', inShape, axes, outShape, half, qOut), [
      quantize(input, half.scale, half.zeroPoint, -32768, 32767),
    ]);
  it('MeanInt162DKeepDims / 3DKeepDims: exact when the mean is on the grid', () => {
    expect(mean([2, 4], [1], [2, 1], data2D, half)).toEqual(quantizedGolden([2.5, 6.5], half));
    expect(mean([2, 2, 2], [1, 2], [2, 1, 1], data2D, half)).toEqual(quantizedGolden([2.5, 6.5], half));
  });
  it('MeanInt164DKeepDims / 4DWithoutKeepDims', () => {
    const golden = quantizedGolden([6, 7, 18, 19], half);
    expect(mean([2, 2, 3, 2], [1, 2], [2, 1, 1, 2], data4D, half)).toEqual(golden);
    expect(mean([2, 2, 3, 2], [1, 2], [2, 2], data4D, half)).toEqual(golden);
  });
  it('MeanInt164DWithoutKeepDimsDifferentScaleAndZeroPoint (output scale 0.7), within one step', () => {
    const qOut = { scale: 0.7, zeroPoint: 0 };
    expectNear(mean([2, 2, 3, 2], [1, 2], [2, 2], data4D, qOut), quantizedGolden([6, 7, 18, 19], qOut), 1);
  });
  it('subtracts the input zero point and clamps to the int16 range', () => {
    const qIn = { scale: 1, zeroPoint: -100 };
    const qOut = { scale: 0.5, zeroPoint: 7 };
    const m = reduceModel('MEAN', 'int16', [1, 4], [1], [1, 1], qIn, qOut);
    // real mean ((20100 - 4 x -100) / 4 = 5125) / 0.5 + 7 = 10257; then 4 x 32767 saturates the output.
    expect(runModel(m, [[5000, 5000, 5000, 5100]])).toEqual([10257]);
    expect(runModel(m, [[32767, 32767, 32767, 32767]])).toEqual([32767]);
  });
  it('requests the int32 temp-sum scratch of one value per output element', () => {
    const interpreter = new Interpreter(
      loadModel(buildModel(reduceModel('MEAN', 'int16', [2, 2, 3, 2], [1, 2], [2, 2], half, half))),
    );
    interpreter.allocate();
    expect(interpreter.memory.ops[0].scratchBytes).toBe(4 * 4);
  });
});
