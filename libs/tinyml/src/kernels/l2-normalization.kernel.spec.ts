/**
 * L2_NORMALIZATION on the vectors of TFLM's l2norm_test.cc, compared exactly as TFLM does (EXPECT_EQ for float
 * and int8). The int8 tensors are quantized as the test's helpers: input [-2, 2] (ScaleFromMinMax,
 * ZeroPointFromMinMax), output [-1, 127/128].
 */
import { mulberry32 } from '@tinyfleet/random';
import { UnsupportedOpError } from '../errors';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, runModel, TestDType, TestModel } from '../testing/model-builder';

const { fround } = Math;

interface Q {
  scale: number;
  zeroPoint: number;
}

function l2Model(dtype: TestDType, shape: number[], activation = 0): TestModel {
  const q = dtype === 'int8';
  return {
    tensors: [
      { shape, dtype, ...(q ? int8FromMinMax(-2, 2) : {}) },
      { shape, dtype, ...(q ? int8FromMinMax(-1, 127 / 128) : {}) },
    ],
    ops: [{ op: 'L2_NORMALIZATION', inputs: [0], outputs: [1], options: [{ id: 0, i8: activation }] }],
    inputs: [0],
    outputs: [1],
  };
}

/** test_helpers.h ScaleFromMinMax<int8_t> and ZeroPointFromMinMax<int8_t> (the +0.5f truncation variant). */
function int8FromMinMax(min: number, max: number): Q {
  const scale = fround(fround(max - min) / 255);
  return { scale, zeroPoint: -128 + Math.trunc(fround(fround(-min / scale) + 0.5)) };
}

const FLOAT_INPUT = [-1.1, 0.6, 0.7, 1.2, -0.7, 0.1];
const FLOAT_GOLDEN = [-0.55, 0.3, 0.35, 0.6, -0.35, 0.05].map(fround);
const INT8_INPUT = [-71, 37, 44, 76, -46, 5];
const INT8_GOLDEN = [-70, 38, 45, 77, -45, 6];

describe('L2_NORMALIZATION float32', () => {
  it('SimpleFloatTest, SimpleFloatWithRankLessThanFourTest: exact', () => {
    expect(runModel(l2Model('float32', [1, 1, 1, 6]), [FLOAT_INPUT])).toEqual(FLOAT_GOLDEN);
    expect(runModel(l2Model('float32', [6]), [FLOAT_INPUT])).toEqual(FLOAT_GOLDEN);
  });
  it('ZerosVectorFloatTest: the epsilon keeps 0 / 0 away', () => {
    expect(runModel(l2Model('float32', [1, 1, 1, 6]), [[0, 0, 0, 0, 0, 0]])).toEqual([0, 0, 0, 0, 0, 0]);
  });
  it('MultipleBatchFloatTest: each row on its own', () => {
    const input = [...FLOAT_INPUT, ...FLOAT_INPUT.map((v) => 2 * v), ...FLOAT_INPUT];
    const out = runModel(l2Model('float32', [3, 1, 1, 6]), [input]);
    expect(out).toEqual([...FLOAT_GOLDEN, ...FLOAT_GOLDEN, ...FLOAT_GOLDEN]);
  });
});

describe('L2_NORMALIZATION int8', () => {
  it('SimpleInt8Test', () => {
    expect(runModel(l2Model('int8', [1, 1, 1, 6]), [INT8_INPUT])).toEqual(INT8_GOLDEN);
  });
  it('ZerosVectorInt8Test: inputs at the zero point give 0', () => {
    expect(int8FromMinMax(-2, 2).zeroPoint).toBe(-1);
    expect(runModel(l2Model('int8', [1, 1, 1, 6]), [[-1, -1, -1, -1, -1, -1]])).toEqual([0, 0, 0, 0, 0, 0]);
  });
  it('MultipleBatchInt8Test', () => {
    const out = runModel(l2Model('int8', [3, 6]), [[...INT8_INPUT, ...INT8_INPUT, ...INT8_INPUT]]);
    expect(out).toEqual([...INT8_GOLDEN, ...INT8_GOLDEN, ...INT8_GOLDEN]);
  });
  it('a single non-zero difference is the int8 extreme: ±1 in steps of 1/128, saturated to 127 above', () => {
    expect(runModel(l2Model('int8', [1, 4]), [[-1, 40, -1, -1]])).toEqual([0, 127, 0, 0]);
    expect(runModel(l2Model('int8', [1, 4]), [[-1, -1, -90, -1]])).toEqual([0, 0, -128, 0]);
  });
});

describe('L2_NORMALIZATION int8 on seeded rows', () => {
  it('stays within one step (1/128) of the real normalized value, whatever the input zero point', () => {
    const random = mulberry32(0x12);
    for (let trial = 0; trial < 60; trial++) {
      const depth = 1 + Math.floor(random() * 64);
      const zeroPoint = Math.floor(random() * 61) - 30;
      const row = Array.from({ length: depth }, () => Math.floor(random() * 256) - 128);
      const model = l2Model('int8', [1, depth]);
      model.tensors[0] = { ...model.tensors[0], zeroPoint };
      const out = runModel(model, [row]);
      const norm = Math.sqrt(row.reduce((sum, v) => sum + (v - zeroPoint) ** 2, 0));
      const want = row.map((v) =>
        norm === 0 ? 0 : Math.max(-128, Math.min(127, Math.round(((v - zeroPoint) / norm) * 128))),
      );
      out.forEach((v, i) => expect([trial, i, Math.abs(v - want[i]) <= 1]).toEqual([trial, i, true]));
    }
  });
});

describe('L2_NORMALIZATION refusals (Prepare)', () => {
  it('a fused activation, rank above 4, uint8', () => {
    const relu = loadModel(buildModel(l2Model('float32', [1, 6], 1)));
    expect(() => new Interpreter(relu).allocate()).toThrow(UnsupportedOpError);
    const rank5 = loadModel(buildModel(l2Model('float32', [1, 1, 1, 1, 6])));
    expect(() => new Interpreter(rank5).allocate()).toThrow(/rank 5/);
    const uint8 = loadModel(buildModel(l2Model('uint8', [1, 6])));
    expect(() => new Interpreter(uint8).allocate()).toThrow(
      expect.objectContaining({ op: 'L2_NORMALIZATION', type: 'uint8' }),
    );
  });
  it('keeps what TFLM holds: TfLiteL2NormParams 4 B and L2NormalizationParams 4 -> 16 B, for every type', () => {
    for (const dtype of ['float32', 'int8'] as const) {
      const interpreter = new Interpreter(loadModel(buildModel(l2Model(dtype, [1, 6]))));
      interpreter.allocate();
      expect(interpreter.memory.ops[0].persistentBytes).toBe(4 + 16);
    }
  });
});
