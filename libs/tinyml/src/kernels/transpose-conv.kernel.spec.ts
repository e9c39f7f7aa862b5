/**
 * TRANSPOSE_CONV: TFLM transpose_conv_test.cc SimpleTestFloat (input 1..16, filter 1..9, SAME, stride 1) and
 * its quantized per-channel / 16x8 variants (within one step, as TFLM's own tests allow), plus stride 2.
 */
import { expectNear, quantize, runModel, TestModel } from '../testing/model-builder';

const INPUT = Array.from({ length: 16 }, (_, i) => i + 1);
const FILTER = Array.from({ length: 9 }, (_, i) => i + 1);
const GOLDEN = [29, 62, 83, 75, 99, 192, 237, 198, 207, 372, 417, 330, 263, 446, 485, 365];
// TransposeConvOptions: padding SAME (0), stride 1x1.
const SAME_1 = [
  { id: 0, i8: 0 },
  { id: 1, i32: 1 },
  { id: 2, i32: 1 },
];

function model(dtype: 'float32' | 'int8' | 'int16', q: { input: number; filter: number; output: number }): TestModel {
  const quantized = dtype !== 'float32';
  const biasType = dtype === 'int16' ? 'int64' : dtype === 'int8' ? 'int32' : 'float32';
  return {
    tensors: [
      { shape: [4], dtype: 'int32', data: [1, 4, 4, 1] },
      {
        shape: [1, 3, 3, 1],
        dtype: quantized ? 'int8' : 'float32',
        data: quantized ? FILTER.map((w) => Math.round(w / q.filter)) : FILTER,
        ...(quantized ? { scale: [q.filter], zeroPoint: [0] } : {}),
      },
      { shape: [1, 4, 4, 1], dtype, ...(quantized ? { scale: q.input, zeroPoint: 0 } : {}) },
      { shape: [1], dtype: biasType, data: [0], ...(quantized ? { scale: [q.input * q.filter] } : {}) },
      { shape: [1, 4, 4, 1], dtype, ...(quantized ? { scale: q.output, zeroPoint: 0 } : {}) },
    ],
    ops: [{ op: 'TRANSPOSE_CONV', inputs: [0, 1, 2, 3], outputs: [4], options: SAME_1 }],
    inputs: [2],
    outputs: [4],
  };
}

describe('TRANSPOSE_CONV', () => {
  it('float32 matches SimpleTestFloat', () => {
    expect(runModel(model('float32', { input: 1, filter: 1, output: 1 }), [INPUT])).toEqual(GOLDEN);
  });

  it('int8 per-channel matches the float golden within one step', () => {
    const q = { input: 16 / 127, filter: 9 / 127, output: 485 / 127 };
    const got = runModel(model('int8', q), [quantize(INPUT, q.input, 0)]);
    expectNear(got, quantize(GOLDEN, q.output, 0), 1);
  });

  it('16x8 (int16 activations, int64 bias) matches the float golden within one step', () => {
    // Input and filter scales that represent 1..16 and 1..9 exactly, so only the output rounds.
    const q = { input: 1 / 1024, filter: 1 / 14, output: 485 / 32767 };
    const got = runModel(model('int16', q), [quantize(INPUT, q.input, 0, -32768, 32767)]);
    expectNear(got, quantize(GOLDEN, q.output, 0, -32768, 32767), 1);
  });

  it('float32 stride 2, VALID: each input element scatters a scaled copy of the filter', () => {
    const m: TestModel = {
      tensors: [
        { shape: [4], dtype: 'int32', data: [1, 5, 5, 1] },
        { shape: [1, 3, 3, 1], dtype: 'float32', data: FILTER },
        { shape: [1, 2, 2, 1], dtype: 'float32' },
        { shape: [1, 5, 5, 1], dtype: 'float32' },
      ],
      ops: [
        {
          op: 'TRANSPOSE_CONV',
          inputs: [0, 1, 2],
          outputs: [3],
          options: [
            { id: 0, i8: 1 },
            { id: 1, i32: 2 },
            { id: 2, i32: 2 },
          ],
        },
      ],
      inputs: [2],
      outputs: [3],
    };
    const want = new Array<number>(25).fill(0);
    [1, 10, 100, 1000].forEach((x, k) => {
      const [iy, ix] = [k >> 1, k & 1];
      for (let fy = 0; fy < 3; fy++)
        for (let fx = 0; fx < 3; fx++) want[(2 * iy + fy) * 5 + 2 * ix + fx] += x * FILTER[fy * 3 + fx];
    });
    expect(runModel(m, [[1, 10, 100, 1000]])).toEqual(want);
  });

  it('refuses a fused activation (TFLM clamps to the full range whatever the option says)', () => {
    const m = model('float32', { input: 1, filter: 1, output: 1 });
    m.ops[0].options = [...SAME_1, { id: 3, i8: 1 }];
    expect(() => runModel(m, [INPUT])).toThrow(/fused activation 1/);
  });
});
