/** Vectors from TFLM's depthwise_conv_test.cc (SimpleTest, depth multiplier 2). */
import { expectNear, quantize, runModel, TestModel } from '../testing/model-builder';

const INPUT = [1, 2, 7, 8, 3, 4, 9, 10, 5, 6, 11, 12];
const FILTER = [1, 2, 3, 4, -9, 10, -11, 12, 5, 6, 7, 8, 13, -14, 15, -16];
const BIAS = [1, 2, 3, 4];
const GOLDEN = [71, -34, 99, -20, 91, -26, 127, -4];
// DepthwiseConv2DOptions: VALID, stride 1x1, depth_multiplier 2.
const OPTIONS = [
  { id: 0, i8: 1 },
  { id: 1, i32: 1 },
  { id: 2, i32: 1 },
  { id: 3, i32: 2 },
];

describe('DEPTHWISE_CONV_2D', () => {
  it('float32 matches depthwise_conv_test SimpleTest', () => {
    const m: TestModel = {
      tensors: [
        { shape: [1, 3, 2, 2], dtype: 'float32' },
        { shape: [1, 2, 2, 4], dtype: 'float32', data: FILTER },
        { shape: [4], dtype: 'float32', data: BIAS },
        { shape: [1, 2, 1, 4], dtype: 'float32' },
      ],
      ops: [{ op: 'DEPTHWISE_CONV_2D', inputs: [0, 1, 2], outputs: [3], options: OPTIONS }],
      inputs: [0],
      outputs: [3],
    };
    expect(runModel(m, [INPUT])).toEqual(GOLDEN);
  });

  it('int8 per-channel matches the float golden within one step', () => {
    const inputScale = 0.5;
    const outputScale = 1;
    const filterScales = [16 / 127, 14 / 127, 15 / 127, 16 / 127];
    const filterQ = FILTER.map((w, i) => Math.round(w / filterScales[i % 4]));
    const biasQ = BIAS.map((b, c) => Math.round(b / (inputScale * filterScales[c])));
    const m: TestModel = {
      tensors: [
        { shape: [1, 3, 2, 2], dtype: 'int8', scale: inputScale, zeroPoint: 0 },
        {
          shape: [1, 2, 2, 4],
          dtype: 'int8',
          data: filterQ,
          scale: filterScales,
          zeroPoint: [0, 0, 0, 0],
          quantizedDimension: 3,
        },
        {
          shape: [4],
          dtype: 'int32',
          data: biasQ,
          scale: filterScales.map((s) => s * inputScale),
          zeroPoint: [0, 0, 0, 0],
        },
        { shape: [1, 2, 1, 4], dtype: 'int8', scale: outputScale, zeroPoint: 0 },
      ],
      ops: [{ op: 'DEPTHWISE_CONV_2D', inputs: [0, 1, 2], outputs: [3], options: OPTIONS }],
      inputs: [0],
      outputs: [3],
    };
    expectNear(runModel(m, [quantize(INPUT, inputScale, 0)]), quantize(GOLDEN, outputScale, 0), 1);
  });

  it('16x8 (int16 activations, int64 bias) matches SimpleTest exactly with exactly representable scales', () => {
    // Input scale 1/256 and filter scale 1/8 per channel represent every value exactly; output 1/64.
    const m: TestModel = {
      tensors: [
        { shape: [1, 3, 2, 2], dtype: 'int16', scale: 1 / 256, zeroPoint: 0 },
        {
          shape: [1, 2, 2, 4],
          dtype: 'int8',
          data: FILTER.map((w) => w * 8),
          scale: [1 / 8, 1 / 8, 1 / 8, 1 / 8],
          zeroPoint: [0, 0, 0, 0],
          quantizedDimension: 3,
        },
        {
          shape: [4],
          dtype: 'int64',
          data: BIAS.map((b) => b * 2048),
          scale: [1 / 2048, 1 / 2048, 1 / 2048, 1 / 2048],
        },
        { shape: [1, 2, 1, 4], dtype: 'int16', scale: 1 / 64, zeroPoint: 0 },
      ],
      ops: [{ op: 'DEPTHWISE_CONV_2D', inputs: [0, 1, 2], outputs: [3], options: OPTIONS }],
      inputs: [0],
      outputs: [3],
    };
    const q = (v: number[], s: number): number[] => quantize(v, s, 0, -32768, 32767);
    expect(runModel(m, [q(INPUT, 1 / 256)])).toEqual(q(GOLDEN, 1 / 64));
  });
});
