/**
 * PAD / PADV2 on the cases of TFLM's pad_test.cc (every type, with and without constant_values, and the two
 * refusals), then what pad.cc / pad_common.cc do beyond the test: an int16 zero point is not the pad value, a
 * runtime constant_values is read at invoke, and inputs above rank 5 are refused.
 */
import { runModel, TestDType, TestModel, TestTensor } from '../testing/model-builder';

const PAD_2D = [1, 1, 0, 0, 1, 1, 0, 0];

interface PadCase {
  dtype: TestDType;
  /** PADV2's constant_values tensor (input 2), or none for PAD. */
  constant?: TestTensor;
  quant?: { scale: number; zeroPoint: number };
  inShape?: number[];
  paddings?: number[];
  outShape?: number[];
}

function pad({ dtype, constant, quant, inShape = [1, 2, 2, 1], paddings = PAD_2D, outShape = [3, 2, 4, 1] }: PadCase) {
  const q = quant ?? (dtype === 'float32' ? {} : { scale: 1, zeroPoint: 0 });
  const m: TestModel = {
    tensors: [
      { shape: inShape, dtype, ...q },
      { shape: [inShape.length, 2], dtype: 'int32', data: paddings },
      { shape: outShape, dtype, ...q },
    ],
    ops: [{ op: constant ? 'PADV2' : 'PAD', inputs: [0, 1], outputs: [2] }],
    inputs: [0],
    outputs: [2],
  };
  if (constant) {
    m.tensors.push(constant);
    m.ops[0].inputs.push(3);
    if (!constant.data) m.inputs.push(3);
  }
  return m;
}

// Test2D*: [1, 2, 2, 1] padded by one on both sides of dimensions 0 and 2.
const golden2D = (v: number): number[] => [v, v, v, v, v, v, v, v, v, 1, 2, v, v, 3, 4, v, v, v, v, v, v, v, v, v];

describe('PAD (pad_test.cc)', () => {
  it.each(['float32', 'int8', 'int16', 'int32'] as const)('Test2D %s pads with 0', (dtype) => {
    expect(runModel(pad({ dtype }), [[1, 2, 3, 4]])).toEqual(golden2D(0));
  });
  it('Test4DFloat: one element padded by one on every side of 4 dimensions', () => {
    const out = runModel(
      pad({ dtype: 'float32', inShape: [1, 1, 1, 1], paddings: new Array(8).fill(1), outShape: [3, 3, 3, 3] }),
      [[42]],
    );
    expect(out).toEqual(Array.from({ length: 81 }, (_, i) => (i === 40 ? 42 : 0)));
  });
  it('Test2DInt8ExpectFailureQuantizationRangeExcludesZero: an output zero point of 129 is refused', () => {
    expect(() => runModel(pad({ dtype: 'int8', quant: { scale: 1, zeroPoint: 129 } }), [[1, 2, 3, 4]])).toThrow(
      /zero point/,
    );
  });
});

describe('PADV2 (pad_test.cc)', () => {
  it.each([
    ['Test2DFloatV2', 'float32'],
    ['Test2DInt8V2', 'int8'],
    ['Test2DInt16V2', 'int16'],
    ['Test2DInt32V2', 'int32'],
  ] as const)('%s pads with constant_values 42', (_n, dtype) => {
    const q = dtype === 'float32' ? {} : { scale: 1, zeroPoint: 0 };
    const constant: TestTensor = { shape: [1], dtype, ...q, data: [42] };
    expect(runModel(pad({ dtype, constant }), [[1, 2, 3, 4]])).toEqual(golden2D(42));
  });
  it('Test2DInt8V2ExpectFailurePadValueQuantizationMismatch: constant_values scale 0.5 vs output 1', () => {
    const constant: TestTensor = { shape: [1], dtype: 'int8', scale: 0.5, zeroPoint: 0, data: [84] };
    expect(() => runModel(pad({ dtype: 'int8', constant }), [[1, 2, 3, 4]])).toThrow(/scale and zero point/);
  });
});

describe('PAD / PADV2 beyond pad_test', () => {
  it('int16 pads with 0 whatever the output zero point (only int8 pads with it)', () => {
    const quant = { scale: 1, zeroPoint: 7 };
    expect(runModel(pad({ dtype: 'int16', quant }), [[1, 2, 3, 4]])).toEqual(golden2D(0));
    expect(runModel(pad({ dtype: 'int8', quant }), [[1, 2, 3, 4]])).toEqual(golden2D(7));
  });
  it('reads a runtime (non-constant) constant_values at every invoke', () => {
    const constant: TestTensor = { shape: [1], dtype: 'int32' };
    expect(runModel(pad({ dtype: 'int32', constant }), [[1, 2, 3, 4], [-9]])).toEqual(golden2D(-9));
  });
  it('refuses a rank-6 input (PadKernelMaxDimensionCount is 5)', () => {
    const shape = [1, 1, 1, 1, 1, 1];
    const m = pad({ dtype: 'float32', inShape: shape, paddings: new Array(12).fill(0), outShape: shape });
    expect(() => runModel(m, [[1]])).toThrow(/rank 6/);
  });
});
