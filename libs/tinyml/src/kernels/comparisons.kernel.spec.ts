/**
 * EQUAL, NOT_EQUAL, GREATER, GREATER_EQUAL, LESS, LESS_EQUAL on the vectors of TFLM's comparisons_test.cc (bool,
 * float32, int32, broadcast, quantized int8 with different scales and broadcast), and LOGICAL_AND / LOGICAL_OR on
 * those of logical_test.cc. Outputs are bools, so every check is exact. comparisons_test.cc has no int64 case: int64
 * runs its int32 vectors, plus values only a 64-bit comparison orders (beyond 2^32 and 2^53, both signs), against
 * BigInt's comparison.
 */
import { UnsupportedOpError } from '../errors';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, quantize, runModel, TestDType, TestModel } from '../testing/model-builder';

interface Q {
  scale: number;
  zeroPoint: number;
}

function compareModel(op: string, dtype: TestDType, shape1: number[], shape2: number[], q1?: Q, q2?: Q): TestModel {
  const outShape = shape1.length >= shape2.length ? shape1 : shape2;
  return {
    tensors: [
      { shape: shape1, dtype, ...(q1 ?? {}) },
      { shape: shape2, dtype, ...(q2 ?? {}) },
      { shape: outShape, dtype: 'bool' },
    ],
    ops: [{ op, inputs: [0, 1], outputs: [2] }],
    inputs: [0, 1],
    outputs: [2],
  };
}

const bools = (v: boolean[]): number[] => v.map((b) => (b ? 1 : 0));
const T = true;
const F = false;
const S4 = [1, 1, 1, 4];

describe('comparisons, float32 / int32 / bool (comparisons_test.cc)', () => {
  const fa = [0.1, 0.9, 0.7, 0.3];
  const fb = [0.1, 0.2, 0.6, 0.5];
  const ia = [-1, 9, 7, 3];
  const ib = [1, 2, 7, 5];
  it.each([
    ['EQUAL', [T, F, F, F], [F, F, T, F]],
    ['NOT_EQUAL', [F, T, T, T], [T, T, F, T]],
    ['GREATER', [F, T, T, F], [F, T, F, F]],
    ['GREATER_EQUAL', [T, T, T, F], [F, T, T, F]],
    ['LESS', [F, F, F, T], [T, F, F, T]],
    ['LESS_EQUAL', [T, F, F, T], [T, F, T, T]],
  ])('%s Float and Int', (op, floatGolden, intGolden) => {
    expect(runModel(compareModel(op, 'float32', S4, S4), [fa, fb])).toEqual(bools(floatGolden));
    // LessInt uses a 6 where the others use a 7.
    const b = op === 'LESS' ? [1, 2, 6, 5] : ib;
    expect(runModel(compareModel(op, 'int32', S4, S4), [ia, b])).toEqual(bools(intGolden));
  });
  it.each([
    ['EQUAL', [F, F, T, F], [F, F, F, F, F, F, T, F]],
    ['NOT_EQUAL', [T, T, F, T], [T, T, T, T, T, T, F, T]],
    ['GREATER', [F, T, F, F], [F, T, T, F, F, T, F, T]],
    ['GREATER_EQUAL', [F, T, T, F], [F, T, T, F, F, T, T, T]],
    ['LESS', [T, F, F, T], [T, F, F, T, T, F, F, F]],
    ['LESS_EQUAL', [T, F, T, T], [T, F, F, T, T, F, T, F]],
  ])('%s Broadcast and BroadcastTwoD', (op, golden, goldenTwoD) => {
    expect(runModel(compareModel(op, 'int32', S4, [1, 1, 1, 1]), [ia, [7]])).toEqual(bools(golden));
    const twoD = op === 'LESS' ? [-1, 9, 7, 3, 2, 4, 6, 8] : [-1, 9, 7, 3, 2, 4, 2, 8];
    expect(runModel(compareModel(op, 'int32', [1, 1, 2, 4], S4), [twoD, [7, 1, 2, 4]])).toEqual(bools(goldenTwoD));
  });
  it('EQUAL / NOT_EQUAL bool (EqualBool, NotEqualBool)', () => {
    const a = bools([T, F, T, F]);
    const b = bools([T, T, F, F]);
    expect(runModel(compareModel('EQUAL', 'bool', S4, S4), [a, b])).toEqual(bools([T, F, F, T]));
    expect(runModel(compareModel('NOT_EQUAL', 'bool', S4, S4), [a, b])).toEqual(bools([F, T, T, F]));
  });
  it('refuses bool for ordered comparisons and a non-bool output', () => {
    const model = loadModel(buildModel(compareModel('GREATER', 'bool', S4, S4)));
    expect(() => new Interpreter(model).allocate()).toThrow(UnsupportedOpError);
    const m = compareModel('EQUAL', 'int32', S4, S4);
    m.tensors[2].dtype = 'int32';
    expect(() => new Interpreter(loadModel(buildModel(m))).allocate()).toThrow(UnsupportedOpError);
  });
});

const int64Bytes = (values: bigint[]): Uint8Array => new Uint8Array(BigInt64Array.from(values).buffer);

describe('comparisons, int64', () => {
  const ops: [string, (x: bigint, y: bigint) => boolean][] = [
    ['EQUAL', (x, y) => x === y],
    ['NOT_EQUAL', (x, y) => x !== y],
    ['GREATER', (x, y) => x > y],
    ['GREATER_EQUAL', (x, y) => x >= y],
    ['LESS', (x, y) => x < y],
    ['LESS_EQUAL', (x, y) => x <= y],
  ];
  it.each([
    ['EQUAL', [F, F, T, F]],
    ['NOT_EQUAL', [T, T, F, T]],
    ['GREATER', [F, T, F, F]],
    ['GREATER_EQUAL', [F, T, T, F]],
    ['LESS', [T, F, F, T]],
    ['LESS_EQUAL', [T, F, T, T]],
  ])('%s on the int32 vectors of comparisons_test.cc', (op, golden) => {
    const a = int64Bytes([-1n, 9n, 7n, 3n]);
    const b = int64Bytes([1n, 2n, 7n, 5n]);
    expect(runModel(compareModel(op, 'int64', S4, S4), [a, b])).toEqual(bools(golden));
  });
  // Pairs that share a low or a high word, straddle zero or 2^31 in the low word, or differ only above 2^53.
  const x = [2n ** 32n, -1n, -(2n ** 32n), 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n, 0x80000000n, 5n];
  const y = [1n, 0n, -(2n ** 32n) + 1n, 2n ** 53n, 2n ** 63n - 1n, -(2n ** 63n), 0x7fffffffn, 5n + 2n ** 32n];
  it.each(ops)('%s orders full 64-bit values (signed high word, unsigned low word)', (op, fn) => {
    const out = runModel(compareModel(op, 'int64', [8], [8]), [int64Bytes(x), int64Bytes(y)]);
    expect(out).toEqual(bools(x.map((v, i) => fn(v, y[i]))));
  });
  it.each(ops)('%s broadcasts an int64 scalar', (op, fn) => {
    const scalar = 2n ** 40n + 3n;
    const values = [2n ** 40n + 2n, 2n ** 40n + 3n, 2n ** 40n + 4n, -(2n ** 40n) - 3n];
    const out = runModel(compareModel(op, 'int64', [1, 4], [1, 1]), [int64Bytes(values), int64Bytes([scalar])]);
    expect(out).toEqual(bools(values.map((v) => fn(v, scalar))));
  });
});

describe('comparisons, quantized int8 (comparisons_test.cc)', () => {
  const q1 = { scale: 0.5, zeroPoint: -5 };
  const q2 = { scale: 0.25, zeroPoint: 5 };
  const shape = [1, 2, 2, 1];
  it('EqualQuantizedInt8 / NotEqualQuantizedInt8: different scales compare real values', () => {
    const run = (op: string, a: number[], b: number[]) =>
      runModel(compareModel(op, 'int8', shape, shape, q1, q2), [
        quantize(a, q1.scale, q1.zeroPoint),
        quantize(b, q2.scale, q2.zeroPoint),
      ]);
    expect(run('EQUAL', [1, -9, 7, 3], [-1, 2, 7, 5])).toEqual(bools([F, F, T, F]));
    expect(run('NOT_EQUAL', [1, -9, 7, 3], [1, 2, 7, 5])).toEqual(bools([F, T, F, T]));
  });
  it.each([
    ['NOT_EQUAL', [T, T, T, F, T, T]],
    ['GREATER', [T, F, F, F, T, T]],
    ['GREATER_EQUAL', [T, F, F, T, T, T]],
    ['LESS', [F, T, T, F, F, F]],
    ['LESS_EQUAL', [F, T, T, T, F, F]],
  ])('%s QuantizedInt8WithBroadcast over four input shapes', (op, golden) => {
    const q = { scale: 0.5, zeroPoint: -9 };
    for (const shape1 of [[6], [2, 3], [2, 1, 3], [1, 3, 1, 2]]) {
      const out = runModel(compareModel(op, 'int8', shape1, [1], q, q), [
        quantize([20, -2, -71, 8, 11, 20], q.scale, q.zeroPoint),
        quantize([8], q.scale, q.zeroPoint),
      ]);
      expect(out).toEqual(bools(golden));
    }
  });
  it('refuses an int8 scale of 1 or more (TFLM aborts in QuantizeMultiplierSmallerThanOneExp)', () => {
    const q = { scale: 1, zeroPoint: 0 };
    const model = loadModel(buildModel(compareModel('LESS', 'int8', S4, S4, q, q)));
    expect(() => new Interpreter(model).allocate()).toThrow(UnsupportedOpError);
  });
});

describe('GREATER int16 (WithScaling, as comparisons.cc GreaterEval; no TFLM vector, the int8 ones rescaled)', () => {
  it('GreaterQuantizedInt8WithBroadcast values as int16 over four input shapes', () => {
    const q = { scale: 0.5, zeroPoint: -9 };
    for (const shape1 of [[6], [2, 3], [2, 1, 3], [1, 3, 1, 2]]) {
      const out = runModel(compareModel('GREATER', 'int16', shape1, [1], q, q), [
        quantize([20, -2, -71, 8, 11, 20], q.scale, q.zeroPoint, -32768, 32767),
        quantize([8], q.scale, q.zeroPoint, -32768, 32767),
      ]);
      expect(out).toEqual(bools([T, F, F, F, T, T]));
    }
  });
  it('compares real values across different scales, beyond the int8 range', () => {
    const q1 = { scale: 0.001, zeroPoint: 0 };
    const q2 = { scale: 0.004, zeroPoint: 100 };
    const a = [20, -20, 5.5, 0.002];
    const b = [19.996, -19.996, 5.5, 0];
    const out = runModel(compareModel('GREATER', 'int16', [4], [4], q1, q2), [
      quantize(a, q1.scale, q1.zeroPoint, -32768, 32767),
      quantize(b, q2.scale, q2.zeroPoint, -32768, 32767),
    ]);
    expect(out).toEqual(bools([T, F, F, T]));
  });
  it.each(['GREATER_EQUAL', 'LESS', 'LESS_EQUAL', 'EQUAL', 'NOT_EQUAL'])('%s has no int16 case', (op) => {
    const q = { scale: 0.5, zeroPoint: 0 };
    const model = loadModel(buildModel(compareModel(op, 'int16', S4, S4, q, q)));
    expect(() => new Interpreter(model).allocate()).toThrow(UnsupportedOpError);
  });
});

describe('LOGICAL_AND / LOGICAL_OR (logical_test.cc)', () => {
  const a = bools([T, F, F, T]);
  it('LogicalOr and LogicalOrBroadcast', () => {
    expect(runModel(compareModel('LOGICAL_OR', 'bool', S4, S4), [a, bools([T, F, T, F])])).toEqual(bools([T, F, T, T]));
    expect(runModel(compareModel('LOGICAL_OR', 'bool', S4, [1, 1, 1, 1]), [a, [0]])).toEqual(bools([T, F, F, T]));
  });
  it('LogicalAnd and LogicalAndBroadcast', () => {
    expect(runModel(compareModel('LOGICAL_AND', 'bool', S4, S4), [a, bools([T, F, T, F])])).toEqual(
      bools([T, F, F, F]),
    );
    expect(runModel(compareModel('LOGICAL_AND', 'bool', S4, [1, 1, 1, 1]), [a, [1]])).toEqual(bools([T, F, F, T]));
  });
});
