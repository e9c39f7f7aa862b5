/**
 * Vectors from TFLM's softmax_test.cc (1-D, 2-D and 3-D float, int8 and int16 goldens; tolerances as TFLM's:
 * int8 1, int16 1 for 1-D / 2-D and 7 for 3-D; the 2-D golden again for
 * Softmax2DQuantizedInt8InputInt16OutputShouldMatchGolden).
 */
import { Interpreter, loadModel } from '../index';
import { buildModel, expectNear, quantize, runModel, TestModel } from '../testing/model-builder';

const INPUT_2D = [1, 2, 3, 4, 5, -1, -2, -3, -4, -5];
const GOLDEN_2D = [
  0.011656231, 0.031684921, 0.086128544, 0.234121657, 0.636408647, 0.636408647, 0.234121657, 0.086128544, 0.031684921,
  0.011656231,
];
const INPUT_3D = [
  3, 6, -5, 4, -9, -10, -10, -8, 2, 2, 8, -5, -8, 5, -6, -8, 6, 1, -10, -8, 7, 6, -10, -4, -5, 2, 7, 9, -9, 7, -4, -2,
  8, 2, 2, 3, 6, 6, 2, 4, 9, 7, -7, 0, 4, -3, 8, 8, -3, -4, -9, -9, 4, -8, -1, -10, -2, 6, -7, 0,
];
const GOLDEN_3D = [
  0.042009463, 0.843782625, 0.000014093, 0.114193561, 0.000000258, 0.000003072, 0.000003072, 0.000022699, 0.499985578,
  0.499985578, 0.952571219, 0.000002153, 0.000000107, 0.047425728, 0.000000792, 0.000000826, 0.993305397, 0.006692839,
  0.000000112, 0.000000826, 0.731046347, 0.268936922, 0.00000003, 0.00001221, 0.000004492, 0.000717124, 0.106430599,
  0.786421666, 0.000000012, 0.106430599, 0.000006114, 0.000045174, 0.995015917, 0.002466398, 0.002466398, 0.022595176,
  0.453836234, 0.453836234, 0.008312301, 0.061420055, 0.875505904, 0.118486839, 0.000000099, 0.000108046, 0.005899112,
  0.000008351, 0.499990113, 0.499990113, 0.000008351, 0.000003072, 0.000002245, 0.000002245, 0.993296627, 0.000006103,
  0.00669278, 0.000000112, 0.00033452, 0.997191323, 0.000002254, 0.00247179,
];

function softmaxModel(shape: number[], dtype: 'float32' | 'int8'): TestModel {
  const q = dtype === 'int8';
  return {
    tensors: [
      { shape, dtype, ...(q ? { scale: 0.1, zeroPoint: 0 } : {}) },
      { shape, dtype, ...(q ? { scale: 1 / 256, zeroPoint: -128 } : {}) },
    ],
    ops: [{ op: 'SOFTMAX', inputs: [0], outputs: [1], options: [{ id: 0, f32: 1 }] }],
    inputs: [0],
    outputs: [1],
  };
}

describe('SOFTMAX', () => {
  it('float32 2-D matches within 1e-5', () => {
    expectNear(runModel(softmaxModel([2, 5], 'float32'), [INPUT_2D]), GOLDEN_2D, 1e-5);
  });

  it('float32 3-D matches within 1e-5', () => {
    expectNear(runModel(softmaxModel([3, 4, 5], 'float32'), [INPUT_3D]), GOLDEN_3D, 1e-5);
  });

  it('int8 2-D reproduces the fixed-point result exactly', () => {
    const out = runModel(softmaxModel([2, 5], 'int8'), [quantize(INPUT_2D, 0.1, 0)]);
    expect(out).toEqual([-125, -120, -106, -68, 35, 35, -68, -106, -120, -125]);
    expectNear(out, quantize(GOLDEN_2D, 1 / 256, -128), 1);
  });

  it('int8 -> int16 (scale 2^-16, zero point -32768) 2-D matches the golden within one step', () => {
    const m = softmaxModel([2, 5], 'int8');
    m.tensors[1] = { shape: [2, 5], dtype: 'int16', scale: 1 / 65536, zeroPoint: -32768 };
    const out = runModel(m, [quantize(INPUT_2D, 0.1, 0)]);
    expectNear(out, quantize(GOLDEN_2D, 1 / 65536, -32768, -32768, 32767), 1);
    // Same probabilities as the int8 output, with eight more fractional bits.
    const int8Out = runModel(softmaxModel([2, 5], 'int8'), [quantize(INPUT_2D, 0.1, 0)]);
    out.forEach((v, i) => expect(Math.abs((v + 32768) / 256 - (int8Out[i] + 128))).toBeLessThanOrEqual(1));
  });

  it('refuses an int16 output that is not scale 2^-16, zero point -32768', () => {
    const m = softmaxModel([2, 5], 'int8');
    m.tensors[1] = { shape: [2, 5], dtype: 'int16', scale: 1 / 32768, zeroPoint: 0 };
    expect(() => runModel(m, [quantize(INPUT_2D, 0.1, 0)])).toThrow('int16 softmax output must have scale 1/65536');
  });

  it('int8 3-D matches the golden within one step', () => {
    expectNear(
      runModel(softmaxModel([3, 4, 5], 'int8'), [quantize(INPUT_3D, 0.1, 0)]),
      quantize(GOLDEN_3D, 1 / 256, -128),
      1,
    );
  });
});

describe('SOFTMAX int16 -> int16 (Softmax1D/2D/3DQuantizedInt16: input scale 0.1, output 1/32768, zero points 0)', () => {
  const int16Model = (shape: number[]): TestModel => ({
    tensors: [
      { shape, dtype: 'int16', scale: 0.1, zeroPoint: 0 },
      { shape, dtype: 'int16', scale: 1 / 32768, zeroPoint: 0 },
    ],
    ops: [{ op: 'SOFTMAX', inputs: [0], outputs: [1], options: [{ id: 0, f32: 1 }] }],
    inputs: [0],
    outputs: [1],
  });
  const q16 = (v: number[], scale: number): number[] => quantize(v, scale, 0, -32768, 32767);
  it('1-D and 2-D within 1', () => {
    const oneD = runModel(int16Model([1, 5]), [q16(INPUT_2D.slice(0, 5), 0.1)]);
    expectNear(oneD, q16(GOLDEN_2D.slice(0, 5), 1 / 32768), 1);
    expectNear(runModel(int16Model([2, 5]), [q16(INPUT_2D, 0.1)]), q16(GOLDEN_2D, 1 / 32768), 1);
  });
  it('3-D within 7', () => {
    expectNear(runModel(int16Model([3, 4, 5]), [q16(INPUT_3D, 0.1)]), q16(GOLDEN_3D, 1 / 32768), 7);
  });
  it('keeps its two 513-entry tables in persistent device memory', () => {
    const interpreter = new Interpreter(loadModel(buildModel(int16Model([2, 5]))));
    const int8 = new Interpreter(loadModel(buildModel(softmaxModel([2, 5], 'int8'))));
    // Each table is 1026 bytes, 16-byte aligned: 1040.
    expect(interpreter.memoryAt(4).persistentBytes - int8.memoryAt(4).persistentBytes).toBe(2 * 1040);
  });
  it('refuses an output scale other than 1/32768 or a non-zero zero point', () => {
    const m = int16Model([2, 5]);
    m.tensors[1] = { ...m.tensors[1], scale: 1 / 65536 };
    expect(() => runModel(m, [q16(INPUT_2D, 0.1)])).toThrow('int16 softmax output must have scale 1/32768');
    const zp = int16Model([2, 5]);
    zp.tensors[0] = { ...zp.tensors[0], zeroPoint: 1 };
    expect(() => runModel(zp, [q16(INPUT_2D, 0.1)])).toThrow('zero points must be 0');
  });
});
