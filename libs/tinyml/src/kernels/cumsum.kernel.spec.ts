/**
 * CUMSUM: the vectors of TFLM's cumsum_test.cc. The int8 cases quantize as TFLM's test helpers (ScaleFromMinMax /
 * ZeroPointFromMinMax over the case's data range) and compare dequantized outputs within TFLM's tolerance of
 * 2 * (max - min) / 255.
 */
import { InvokeError } from '../errors';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, expectNear, quantize, runModel, TestModel } from '../testing/model-builder';

function cumsum(
  dtype: 'float32' | 'int8',
  shape: number[],
  axis: number | null,
  exclusive: boolean,
  reverse: boolean,
  quant: { scale: number; zeroPoint: number } = { scale: 1, zeroPoint: 0 },
): TestModel {
  const q = dtype === 'int8' ? quant : {};
  return {
    tensors: [
      { shape, dtype, ...q },
      { shape: [1], dtype: 'int32', data: axis === null ? undefined : [axis] },
      { shape, dtype, ...q },
    ],
    ops: [
      {
        op: 'CUMSUM',
        inputs: [0, 1],
        outputs: [2],
        options: [
          { id: 0, bool: exclusive },
          { id: 1, bool: reverse },
        ],
      },
    ],
    inputs: axis === null ? [0, 1] : [0],
    outputs: [2],
  };
}

const x = [1, 2, 3, 4, 5, 6, 7, 8];
const cases: [string, number[], number, boolean, boolean, number[], number][] = [
  // name, shape, axis, exclusive, reverse, golden, int8 data range (symmetric)
  ['SimpleTest', [2, 4], 1, false, false, [1, 3, 6, 10, 5, 11, 18, 26], 26],
  ['SimpleAxis0Test', [2, 4], 0, false, false, [1, 2, 3, 4, 6, 8, 10, 12], 12],
  ['Simple1DTest', [8], 0, false, false, [1, 3, 6, 10, 15, 21, 28, 36], 36],
  ['SimpleReverseTest', [2, 4], 1, false, true, [10, 9, 7, 4, 26, 21, 15, 8], 26],
  ['SimpleExclusiveTest', [2, 4], 1, true, false, [0, 1, 3, 6, 0, 5, 11, 18], 18],
  ['SimpleReverseExclusiveTest', [2, 4], -1, true, true, [9, 7, 4, 0, 21, 15, 8, 0], 21],
];

describe('CUMSUM (cumsum_test.cc)', () => {
  it.each(cases)('CumSumOpTest%s (float32)', (_name, shape, axis, exclusive, reverse, golden) => {
    expect(runModel(cumsum('float32', shape, axis, exclusive, reverse), [x])).toEqual(golden);
  });
  it.each(cases)('CumSumOpTest%sInt8', (_name, shape, axis, exclusive, reverse, golden, range) => {
    const scale = Math.fround(Math.fround(2 * range) / 255);
    const zeroPoint = -128 + Math.trunc(Math.fround(range / scale) + 0.5);
    const out = runModel(cumsum('int8', shape, axis, exclusive, reverse, { scale, zeroPoint }), [
      quantize(x, scale, zeroPoint),
    ]);
    expectNear(
      out.map((v) => (v - zeroPoint) * scale),
      golden,
      (2 * (2 * range)) / 255,
    );
  });
  it('float32 sums in float32 in the axis order', () => {
    const big = [16777216, 1, 1, 1];
    expect(runModel(cumsum('float32', [4], 0, false, false), [big])).toEqual([16777216, 16777216, 16777216, 16777216]);
    expect(runModel(cumsum('float32', [4], 0, false, true), [big])).toEqual([16777220, 3, 2, 1]);
  });
  it('raises InvokeError for a runtime axis outside the rank', () => {
    expect(() => runModel(cumsum('float32', [2, 4], null, false, false), [x, [2]])).toThrow(InvokeError);
  });
  it('keeps TfLiteCumsumParams (2 B) and, for int8, the 36-byte OpData (16-aligned) on the device', () => {
    const bytes = (dtype: 'float32' | 'int8'): number => {
      const interpreter = new Interpreter(loadModel(buildModel(cumsum(dtype, [8], 0, false, false))));
      interpreter.allocate();
      return interpreter.memory.ops[0].persistentBytes;
    };
    expect(bytes('float32')).toBe(2);
    expect(bytes('int8')).toBe(2 + 48);
  });
});
