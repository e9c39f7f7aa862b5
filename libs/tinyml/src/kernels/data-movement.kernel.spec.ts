/** RESHAPE, SQUEEZE, CONCATENATION, PAD, STRIDED_SLICE, CAST, QUANTIZE, DEQUANTIZE, MEAN, MINIMUM, MAXIMUM. */
import { ModelFormatError } from '../errors';
import { loadModel } from '../model/model-reader';
import { buildModel, expectNear, quantize, runModel, TestModel } from '../testing/model-builder';

const seq = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('RESHAPE / SQUEEZE', () => {
  it.each([['RESHAPE'], ['SQUEEZE']])('%s copies the data unchanged', (op) => {
    const m: TestModel = {
      tensors: [
        { shape: [1, 2, 3, 1], dtype: 'int8', scale: 1, zeroPoint: 0 },
        { shape: [2, 3], dtype: 'int8', scale: 1, zeroPoint: 0 },
      ],
      ops: [{ op, inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    };
    expect(runModel(m, [[1, -2, 3, -4, 5, -6]])).toEqual([1, -2, 3, -4, 5, -6]);
  });
});

describe('CONCATENATION', () => {
  it('concatenates along axis 1 (concatenation_test TwoInputsAllAxesCombinations)', () => {
    const m: TestModel = {
      tensors: [
        { shape: [2, 3], dtype: 'float32' },
        { shape: [2, 3], dtype: 'float32' },
        { shape: [2, 6], dtype: 'float32' },
      ],
      ops: [{ op: 'CONCATENATION', inputs: [0, 1], outputs: [2], options: [{ id: 0, i32: 1 }] }],
      inputs: [0, 1],
      outputs: [2],
    };
    expect(
      runModel(m, [
        [1, 2, 3, 4, 5, 6],
        [7, 8, 9, 10, 11, 12],
      ]),
    ).toEqual([1, 2, 3, 7, 8, 9, 4, 5, 6, 10, 11, 12]);
    m.ops[0].options = [{ id: 0, i32: -2 }];
    m.tensors[2].shape = [4, 3];
    expect(
      runModel(m, [
        [1, 2, 3, 4, 5, 6],
        [7, 8, 9, 10, 11, 12],
      ]),
    ).toEqual(seq(12));
  });
});

describe('PAD', () => {
  it('pads int8 with the output zero point (pad_test SimpleConstTest)', () => {
    const m: TestModel = {
      tensors: [
        { shape: [1, 2, 2, 1], dtype: 'int8', scale: 1, zeroPoint: -3 },
        { shape: [4, 2], dtype: 'int32', data: [0, 0, 1, 1, 1, 1, 0, 0] },
        { shape: [1, 4, 4, 1], dtype: 'int8', scale: 1, zeroPoint: -3 },
      ],
      ops: [{ op: 'PAD', inputs: [0, 1], outputs: [2] }],
      inputs: [0],
      outputs: [2],
    };
    expect(runModel(m, [[1, 2, 3, 4]])).toEqual([-3, -3, -3, -3, -3, 1, 2, -3, -3, 3, 4, -3, -3, -3, -3, -3]);
  });
});

describe('STRIDED_SLICE', () => {
  const model = (
    begin: number[],
    end: number[],
    strides: number[],
    outShape: number[],
    masks: { id: number; i32: number }[] = [],
  ): TestModel => ({
    tensors: [
      { shape: [2, 3], dtype: 'float32' },
      { shape: [2], dtype: 'int32', data: begin },
      { shape: [2], dtype: 'int32', data: end },
      { shape: [2], dtype: 'int32', data: strides },
      { shape: outShape, dtype: 'float32' },
    ],
    ops: [{ op: 'STRIDED_SLICE', inputs: [0, 1, 2, 3], outputs: [4], options: masks.length ? masks : undefined }],
    inputs: [0],
    outputs: [4],
  });
  const input = [1, 2, 3, 4, 5, 6];
  it('slices with positive and negative indices (strided_slice_test In2D)', () => {
    expect(runModel(model([1, 0], [2, 2], [1, 1], [1, 2]), [input])).toEqual([4, 5]);
    expect(runModel(model([0, -1], [2, -4], [1, -1], [2, 3]), [input])).toEqual([3, 2, 1, 6, 5, 4]);
  });
  it('honours begin/end masks and shrink_axis_mask', () => {
    expect(runModel(model([1, 0], [2, 2], [1, 1], [2, 2], [{ id: 0, i32: 1 }]), [input])).toEqual([1, 2, 4, 5]);
    expect(runModel(model([0, 1], [2, 2], [1, 1], [2], [{ id: 4, i32: 2 }]), [input])).toEqual([2, 5]);
  });
});

describe('CAST / QUANTIZE / DEQUANTIZE', () => {
  it('CAST float32 -> int32 truncates toward zero; int8 -> float32 is exact', () => {
    const m: TestModel = {
      tensors: [
        { shape: [4], dtype: 'float32' },
        { shape: [4], dtype: 'int32' },
      ],
      ops: [{ op: 'CAST', inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    };
    expect(runModel(m, [[1.9, -1.9, 100.5, -0.2]])).toEqual([1, -1, 100, 0]);
  });
  it('CAST uint32 <-> int32 keeps the bits (static_cast wraps modulo 2^32), as the audio front-ends use it', () => {
    const cast = (from: 'uint32' | 'int32', to: 'uint32' | 'int32', values: number[]): number[] =>
      runModel(
        {
          tensors: [
            { shape: [values.length], dtype: from },
            { shape: [values.length], dtype: to },
          ],
          ops: [{ op: 'CAST', inputs: [0], outputs: [1] }],
          inputs: [0],
          outputs: [1],
        },
        [values],
      );
    expect(cast('uint32', 'int32', [0, 1, 2 ** 31, 2 ** 32 - 1])).toEqual([0, 1, -(2 ** 31), -1]);
    expect(cast('int32', 'uint32', [-1, 5, -(2 ** 31)])).toEqual([2 ** 32 - 1, 5, 2 ** 31]);
  });
  it('QUANTIZE rounds half away from zero and clamps (quantize_test)', () => {
    const m: TestModel = {
      tensors: [
        { shape: [6], dtype: 'float32' },
        { shape: [6], dtype: 'int8', scale: 0.5, zeroPoint: -1 },
      ],
      ops: [{ op: 'QUANTIZE', inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    };
    expect(runModel(m, [[-63.5, -63, -1, 0.25, 1, 100]])).toEqual([-128, -127, -3, 0, 1, 127]);
  });
  it('QUANTIZE int8 -> int8 requantizes', () => {
    const m: TestModel = {
      tensors: [
        { shape: [4], dtype: 'int8', scale: 1, zeroPoint: 0 },
        { shape: [4], dtype: 'int8', scale: 0.5, zeroPoint: 3 },
      ],
      ops: [{ op: 'QUANTIZE', inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    };
    expect(runModel(m, [[-2, 0, 5, 100]])).toEqual([-1, 3, 13, 127]);
  });
  it.each([
    // quantize_test-style requantization; -0.5 rounds to 0 (SaturatingRoundingDoublingHighMul's nudge).
    ['int32 -> int16', 'int32', 'int16', [-70000, -3, 0, 3, 70000], [1, 0], [0.5, 0], [-32768, -6, 0, 6, 32767]],
    ['int32 -> int8', 'int32', 'int8', [-1000, -5, 0, 7, 1000], [1, 0], [4, 2], [-128, 1, 2, 4, 127]],
    ['int16 -> int32', 'int16', 'int32', [-32768, -1, 0, 1, 32767], [1, 0], [2, 0], [-16384, 0, 0, 1, 16384]],
  ] as const)('QUANTIZE %s requantizes and saturates', (_n, from, to, x, inQ, outQ, want) => {
    const m: TestModel = {
      tensors: [
        { shape: [5], dtype: from, scale: inQ[0], zeroPoint: inQ[1] },
        { shape: [5], dtype: to, scale: outQ[0], zeroPoint: outQ[1] },
      ],
      ops: [{ op: 'QUANTIZE', inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    };
    expect(runModel(m, [x])).toEqual(want);
  });
  it('DEQUANTIZE computes scale * (q - zero_point)', () => {
    const m: TestModel = {
      tensors: [
        { shape: [4], dtype: 'int8', scale: 0.5, zeroPoint: -1 },
        { shape: [4], dtype: 'float32' },
      ],
      ops: [{ op: 'DEQUANTIZE', inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    };
    expect(runModel(m, [[-128, -1, 0, 127]])).toEqual([-63.5, 0, 0.5, 64]);
  });
  // dequantize_test.cc DequantizeOpTestInt8 / Int16 / Uint8: the values are quantized by the test
  // (CreateQuantizedTensor), dequantized, and must come back (every value is a multiple of the scale: exact).
  const DEQUANTIZE_VALUES = [-63.5, -63, -62.5, -62, -61.5, 62, 62.5, 63, 63.5, 64];
  it.each([
    ['DequantizeOpTestInt8', 'int8', -1, -128, 127],
    ['DequantizeOpTestInt16', 'int16', -1, -32768, 32767],
    ['DequantizeOpTestUint8', 'uint8', 127, 0, 255],
  ] as const)('%s (dequantize_test)', (_name, dtype, zeroPoint, min, max) => {
    const m: TestModel = {
      tensors: [
        { shape: [5, 2], dtype, scale: 0.5, zeroPoint },
        { shape: [5, 2], dtype: 'float32' },
      ],
      ops: [{ op: 'DEQUANTIZE', inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    };
    expect(runModel(m, [quantize(DEQUANTIZE_VALUES, 0.5, zeroPoint, min, max)])).toEqual(DEQUANTIZE_VALUES);
  });
  // The 2020 TF-tree dequantize_test's DequantizeOpTestInt8ToInt32 / Int16ToInt32 (Requantize to int32).
  it.each([
    ['DequantizeOpTestInt8ToInt32', 'int8', -128, 127],
    ['DequantizeOpTestInt16ToInt32', 'int16', -32768, 32767],
  ] as const)('%s (the 2020 dequantize_test)', (_name, dtype, min, max) => {
    const m: TestModel = {
      tensors: [
        { shape: [5, 2], dtype, scale: 0.5, zeroPoint: -1 },
        { shape: [5, 2], dtype: 'int32', scale: 0.1, zeroPoint: 5 },
      ],
      ops: [{ op: 'DEQUANTIZE', inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    };
    expect(runModel(m, [quantize(DEQUANTIZE_VALUES, 0.5, -1, min, max)])).toEqual([
      -630, -625, -620, -615, -610, 625, 630, 635, 640, 645,
    ]);
  });
  it('DEQUANTIZE refuses uint8 -> int32 (no version requantizes uint8)', () => {
    const m: TestModel = {
      tensors: [
        { shape: [2], dtype: 'uint8', scale: 0.5, zeroPoint: 0 },
        { shape: [2], dtype: 'int32', scale: 0.25, zeroPoint: 0 },
      ],
      ops: [{ op: 'DEQUANTIZE', inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    };
    expect(() => runModel(m, [[1, 2]])).toThrow(/output/);
  });
  it('a float16 tensor (DEQUANTIZE float16 -> float32, which no TFLM dequantize accepts) fails at load', () => {
    const m: TestModel = {
      tensors: [
        { shape: [2], dtype: 'float16', data: [0x3c00, 0xc000] },
        { shape: [2], dtype: 'float32' },
      ],
      ops: [{ op: 'DEQUANTIZE', inputs: [0], outputs: [1] }],
      inputs: [],
      outputs: [1],
    };
    expect(() => loadModel(buildModel(m))).toThrow(ModelFormatError);
    expect(() => loadModel(buildModel(m))).toThrow(/FLOAT16/);
  });
});

describe('MEAN', () => {
  it('float32 over axes 1,2 (reduce_test MeanFloat4D)', () => {
    const m: TestModel = {
      tensors: [
        { shape: [1, 2, 2, 2], dtype: 'float32' },
        { shape: [2], dtype: 'int32', data: [1, 2] },
        { shape: [1, 1, 1, 2], dtype: 'float32' },
      ],
      ops: [{ op: 'MEAN', inputs: [0, 1], outputs: [2], options: [{ id: 0, bool: true }] }],
      inputs: [0],
      outputs: [2],
    };
    expect(runModel(m, [[1, 2, 3, 4, 5, 6, 7, 8]])).toEqual([4, 5]);
  });
  it('int8 folds 1/n into the rescale (QuantizedMeanOrSum) for equal and different quantization', () => {
    const m: TestModel = {
      tensors: [
        { shape: [1, 4], dtype: 'int8', scale: 0.5, zeroPoint: 0 },
        { shape: [1], dtype: 'int32', data: [1] },
        { shape: [1, 1], dtype: 'int8', scale: 0.5, zeroPoint: 0 },
      ],
      ops: [{ op: 'MEAN', inputs: [0, 1], outputs: [2] }],
      inputs: [0],
      outputs: [2],
    };
    // 11 / 4 = 2.75 rounds to 3 (TFLM 90b983c2 does not truncate here, see mean.kernel.ts).
    expect(runModel(m, [[1, 2, 3, 5]])).toEqual([3]);
    m.tensors[2] = { shape: [1, 1], dtype: 'int8', scale: 0.25, zeroPoint: 1 };
    expectNear(runModel(m, [[1, 2, 3, 5]]), [Math.round(((11 / 4) * 0.5) / 0.25) + 1], 1);
  });
});

describe('MINIMUM / MAXIMUM', () => {
  it.each([
    ['MINIMUM', [-1, 0, -1, 11, -3, -1.1]],
    ['MAXIMUM', [1, 0, 1, 12, -2, -1]],
  ])('%s with broadcasting (maximum_minimum_test)', (op, golden) => {
    const m: TestModel = {
      tensors: [
        { shape: [3, 1, 2], dtype: 'float32' },
        { shape: [3, 1, 2], dtype: 'float32' },
        { shape: [3, 1, 2], dtype: 'float32' },
      ],
      ops: [{ op: op as string, inputs: [0, 1], outputs: [2] }],
      inputs: [0, 1],
      outputs: [2],
    };
    const out = runModel(m, [
      [1, 0, -1, 11, -2, -1.44],
      [-1, 0, 1, 12, -3, -1],
    ]);
    expectNear(
      out,
      (golden as number[]).map((g) => (g === -1.1 ? Math.fround(-1.44) : g)),
      1e-6,
    );
  });
});

describe('RESHAPE int64', () => {
  it('copies all 8 bytes of every element (int64 tensors are byte views)', () => {
    const m: TestModel = {
      tensors: [
        { shape: [1, 2], dtype: 'int64' },
        { shape: [2], dtype: 'int64' },
      ],
      ops: [{ op: 'RESHAPE', inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    };
    const bytes = Array.from(new Uint8Array(BigInt64Array.from([-2n, 2n ** 40n + 7n]).buffer));
    expect(runModel(m, [bytes])).toEqual(bytes);
  });
});
