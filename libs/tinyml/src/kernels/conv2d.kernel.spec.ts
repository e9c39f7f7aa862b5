/** Vectors from TFLM's conv_test.cc (SimpleTestFloat / quantized per-channel variants). */
import { expectNear, quantize, runModel, TestModel } from '../testing/model-builder';

// Conv2DOptions: padding VALID(1), stride 2x2, no activation.
const VALID_STRIDE_2 = [
  { id: 0, i8: 1 },
  { id: 1, i32: 2 },
  { id: 2, i32: 2 },
];
const INPUT = [1, 1, 1, 1, 2, 2, 2, 2, 1, 2, 3, 4, 1, 2, 3, 4];
const FILTER = [1, 2, 3, 4, -1, 1, -1, 1, -1, -1, 1, 1];
const BIAS = [1, 2, 3];
const GOLDEN = [18, 2, 5, 18, 2, 5, 17, 4, 3, 37, 4, 3];

describe('CONV_2D', () => {
  it('float32 matches conv_test SimpleTestFloat', () => {
    const m: TestModel = {
      tensors: [
        { shape: [2, 2, 4, 1], dtype: 'float32' },
        { shape: [3, 2, 2, 1], dtype: 'float32', data: FILTER },
        { shape: [3], dtype: 'float32', data: BIAS },
        { shape: [2, 1, 2, 3], dtype: 'float32' },
      ],
      ops: [{ op: 'CONV_2D', inputs: [0, 1, 2], outputs: [3], options: VALID_STRIDE_2 }],
      inputs: [0],
      outputs: [3],
    };
    expect(runModel(m, [INPUT])).toEqual(GOLDEN);
  });

  it('int8 per-channel matches the float golden within one quantization step', () => {
    const inputScale = 0.5;
    const inputZp = 0;
    const outputScale = 1;
    const outputZp = 0;
    const filterScales = [0.1, 0.05, 0.02].map((s) => s);
    // TFLM's helper quantizes each channel symmetrically with scale max|w| / 127; use fixed scales here.
    const filterQ = FILTER.map((w, i) => Math.round(w / filterScales[Math.floor(i / 4)]));
    const biasQ = BIAS.map((b, c) => Math.round(b / (inputScale * filterScales[c])));
    const m: TestModel = {
      tensors: [
        { shape: [2, 2, 4, 1], dtype: 'int8', scale: inputScale, zeroPoint: inputZp },
        {
          shape: [3, 2, 2, 1],
          dtype: 'int8',
          data: filterQ,
          scale: filterScales,
          zeroPoint: [0, 0, 0],
          quantizedDimension: 0,
        },
        {
          shape: [3],
          dtype: 'int32',
          data: biasQ,
          scale: filterScales.map((s) => s * inputScale),
          zeroPoint: [0, 0, 0],
        },
        { shape: [2, 1, 2, 3], dtype: 'int8', scale: outputScale, zeroPoint: outputZp },
      ],
      ops: [{ op: 'CONV_2D', inputs: [0, 1, 2], outputs: [3], options: VALID_STRIDE_2 }],
      inputs: [0],
      outputs: [3],
    };
    expectNear(runModel(m, [quantize(INPUT, inputScale, inputZp)]), quantize(GOLDEN, outputScale, outputZp), 1);
  });

  it('int8 with SAME padding and RELU6 clamps to the quantized activation range', () => {
    const m: TestModel = {
      tensors: [
        { shape: [1, 3, 3, 1], dtype: 'int8', scale: 1, zeroPoint: 0 },
        { shape: [1, 3, 3, 1], dtype: 'int8', data: [1, 1, 1, 1, 1, 1, 1, 1, 1], scale: [1], zeroPoint: [0] },
        { shape: [1, 3, 3, 1], dtype: 'int8', scale: 1, zeroPoint: 0 },
      ],
      ops: [
        {
          op: 'CONV_2D',
          inputs: [0, 1, -1],
          outputs: [2],
          options: [
            { id: 0, i8: 0 },
            { id: 1, i32: 1 },
            { id: 2, i32: 1 },
            { id: 3, i8: 3 },
          ],
        },
      ],
      inputs: [0],
      outputs: [2],
    };
    // Sum of the 3x3 neighbourhood (zero padded), clamped to [0, 6].
    expect(runModel(m, [[1, 1, 1, 1, -9, 1, 1, 1, 1]])).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(runModel(m, [[1, 0, 0, 0, 1, 0, 0, 0, 1]])).toEqual([2, 2, 1, 2, 3, 2, 1, 2, 2]);
    expect(runModel(m, [[2, 2, 2, 2, 2, 2, 2, 2, 2]])).toEqual([6, 6, 6, 6, 6, 6, 6, 6, 6]);
  });

  it.each([['int64'], ['int32']] as const)(
    '16x8 (int16 activations, %s bias) matches conv_test SimpleTestQuantized16x8PerChannel within one step',
    (biasType) => {
      // TFLM's test: input scale 0.5, output scale 1, zero points 0, filter scales max|w| / 127 per channel.
      const inputScale = 0.5;
      const filterScales = [4 / 127, 1 / 127, 1 / 127];
      const filterQ = FILTER.map((w, i) => Math.round(w / filterScales[Math.floor(i / 4)]));
      const biasQ = BIAS.map((b, c) => Math.round(b / (inputScale * filterScales[c])));
      const m: TestModel = {
        tensors: [
          { shape: [2, 2, 4, 1], dtype: 'int16', scale: inputScale, zeroPoint: 0 },
          { shape: [3, 2, 2, 1], dtype: 'int8', data: filterQ, scale: filterScales, zeroPoint: [0, 0, 0] },
          { shape: [3], dtype: biasType, data: biasQ, scale: filterScales.map((s) => s * inputScale) },
          { shape: [2, 1, 2, 3], dtype: 'int16', scale: 1, zeroPoint: 0 },
        ],
        ops: [{ op: 'CONV_2D', inputs: [0, 1, 2], outputs: [3], options: VALID_STRIDE_2 }],
        inputs: [0],
        outputs: [3],
      };
      expectNear(runModel(m, [quantize(INPUT, inputScale, 0, -32768, 32767)]), GOLDEN, 1);
    },
  );

  it('16x8 refuses asymmetric int16 activations (TFLM requires zero point 0)', () => {
    const m: TestModel = {
      tensors: [
        { shape: [1, 1, 1, 1], dtype: 'int16', scale: 1, zeroPoint: 3 },
        { shape: [1, 1, 1, 1], dtype: 'int8', data: [1], scale: [1], zeroPoint: [0] },
        { shape: [1, 1, 1, 1], dtype: 'int16', scale: 1, zeroPoint: 0 },
      ],
      ops: [{ op: 'CONV_2D', inputs: [0, 1, -1], outputs: [2], options: VALID_STRIDE_2 }],
      inputs: [0],
      outputs: [2],
    };
    expect(() => runModel(m, [[1]])).toThrow(/zero point 0/);
  });
});
