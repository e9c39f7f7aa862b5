/**
 * QUANTIZE on every pair quantize_common.cc's Eval has a case for, with quantize_test.cc's vectors: the float
 * values are quantized with the input parameters, requantized by the kernel and compared exactly with the same
 * values quantized with the output parameters (the test helpers' Quantize: round half away from zero, plus the zero
 * point, clamped). The other pairs fail TFLM's Eval and are refused at allocate().
 */
import { UnsupportedOpError } from '../errors';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { roundHalfAwayFromZero } from '../quant/fixed-point';
import { typeRange } from '../quant/quant-params';
import { buildModel, runModel, TestDType, TestModel } from '../testing/model-builder';

interface Q {
  scale: number;
  zeroPoint: number;
}

function quantizeModel(from: TestDType, to: TestDType, n: number, qIn: Q | null, qOut: Q): TestModel {
  return {
    tensors: [
      { shape: [2, n / 2], dtype: from, ...(qIn ?? {}) },
      { shape: [2, n / 2], dtype: to, ...qOut },
    ],
    ops: [{ op: 'QUANTIZE', inputs: [0], outputs: [1] }],
    inputs: [0],
    outputs: [1],
  };
}

/** test_helpers Quantize: round(value / scale) + zero point, clamped to the type (value / scale in float). */
function quantizeTo(dtype: TestDType, values: number[], q: Q): number[] {
  const [min, max] = typeRange(dtype);
  return values.map((v) =>
    Math.min(max, Math.max(min, roundHalfAwayFromZero(Math.fround(v / Math.fround(q.scale))) + q.zeroPoint)),
  );
}

const WIDE = [-64, -62, -60, -58, -56, 54, 56, 58, 60, 62];
const NARROW = [-32, -31, -30, -29, -28, 27, 28, 29, 30, 31];

describe('QUANTIZE (quantize_test.cc)', () => {
  it.each([
    ['QuantizeOpTestInt16', [-63.5, -63, -62.5, -62, -61.5, 62, 62.5, 63, 63.5, 64], { scale: 0.5, zeroPoint: -1 }],
    ['QuantizeOpTestInt16NoScale', [-128, -127, -126, -125, -124, 123, 124, 125, 126, 127], { scale: 1, zeroPoint: 0 }],
  ] as const)('%s: float32 -> int16', (_, values, q) => {
    const out = runModel(quantizeModel('float32', 'int16', 10, null, q), [values]);
    expect(out).toEqual(quantizeTo('int16', [...values], q));
  });
  it.each([
    ['Int16toInt16', 'int16', 'int16', WIDE, { scale: 2, zeroPoint: 0 }, { scale: 0.5, zeroPoint: 32 }],
    ['Int16toInt16NoZeroPoint', 'int16', 'int16', NARROW, { scale: 1, zeroPoint: 0 }, { scale: 0.5, zeroPoint: 0 }],
    ['Int8toInt8', 'int8', 'int8', WIDE, { scale: 2, zeroPoint: 0 }, { scale: 0.5, zeroPoint: 32 }],
    ['Int8toInt8NoZeroPoint', 'int8', 'int8', NARROW, { scale: 1, zeroPoint: 0 }, { scale: 0.5, zeroPoint: 0 }],
    ['Int8toInt16', 'int8', 'int16', WIDE, { scale: 2, zeroPoint: 0 }, { scale: 0.5, zeroPoint: 32 }],
    ['Int32toInt16', 'int32', 'int16', NARROW, { scale: 0.4, zeroPoint: 0 }, { scale: 1, zeroPoint: 0 }],
    ['Int32toInt8', 'int32', 'int8', NARROW, { scale: 0.4, zeroPoint: 0 }, { scale: 1, zeroPoint: 0 }],
    ['Int16toInt8 (scale 2 -> 0.5)', 'int16', 'int8', WIDE, { scale: 2, zeroPoint: 0 }, { scale: 0.5, zeroPoint: 0 }],
    ['Int8toInt32', 'int8', 'int32', NARROW, { scale: 1, zeroPoint: 0 }, { scale: 0.5, zeroPoint: 0 }],
    ['Int16toInt32', 'int16', 'int32', NARROW, { scale: 1, zeroPoint: 0 }, { scale: 0.5, zeroPoint: 0 }],
    ['Int16toInt8 (scale 0.4 -> 1)', 'int16', 'int8', NARROW, { scale: 0.4, zeroPoint: 0 }, { scale: 1, zeroPoint: 0 }],
  ] as const)('QuantizeOpTest%s', (_, from, to, values, qIn, qOut) => {
    const out = runModel(quantizeModel(from, to, 10, qIn, qOut), [quantizeTo(from, [...values], qIn)]);
    expect(out).toEqual(quantizeTo(to, [...values], qOut));
  });
  // Requantize's same-scale fast path for a zero-point difference of 128 flips the top bit; the general path
  // gives the same bytes, so both directions are checked against x + 128 / x - 128.
  it('int8 -> uint8 and uint8 -> int8 with the same scale and zero points 128 apart', () => {
    const int8 = [-128, -1, 0, 1, 127];
    const q8 = { scale: 0.5, zeroPoint: -3 };
    const qu8 = { scale: 0.5, zeroPoint: 125 };
    expect(runModel(quantizeModel('int8', 'uint8', 6, q8, qu8), [[...int8, 5]])).toEqual([0, 127, 128, 129, 255, 133]);
    expect(runModel(quantizeModel('uint8', 'int8', 6, qu8, q8), [[0, 127, 128, 129, 255, 133]])).toEqual([...int8, 5]);
  });
  it('uint8 -> int8 requantizes with a different scale', () => {
    const qIn = { scale: 1, zeroPoint: 128 };
    const qOut = { scale: 2, zeroPoint: 0 };
    expect(runModel(quantizeModel('uint8', 'int8', 4, qIn, qOut), [[0, 127, 129, 255]])).toEqual([-64, 0, 1, 64]);
  });
  it.each([
    ['float32', 'uint8'],
    ['float32', 'int32'],
    ['uint8', 'uint8'],
    ['uint8', 'int16'],
    ['uint8', 'int32'],
    ['int16', 'uint8'],
    ['int32', 'int32'],
    ['int32', 'uint8'],
  ] as const)('refuses %s -> %s (no case in EvalQuantizeReference)', (from, to) => {
    const q = { scale: 0.5, zeroPoint: 0 };
    const model = loadModel(buildModel(quantizeModel(from, to, 4, from === 'float32' ? null : q, q)));
    expect(() => new Interpreter(model).allocate()).toThrow(UnsupportedOpError);
  });
});
