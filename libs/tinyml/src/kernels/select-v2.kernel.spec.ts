/**
 * SELECT_V2: the vectors of TFLM's select_test.cc (same shapes for every type, then broadcasting, then the
 * flat-size-one inputs with a rank-0 operand). The first TFLM select_test (0ed11bec) ran the same-shape vectors
 * for bool, float32, uint8, int8, int16 and int32 and the broadcast ones for int32; later ones run them for
 * float32, int8 and int16 and the broadcast ones for int16. int64, which only the first select.cc registered,
 * gets the int32 vectors (SELECT_V2 is a pure element copy, so the values are type-independent).
 */
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, runModel, TestDType, TestModel } from '../testing/model-builder';

function select(
  dtype: TestDType,
  condShape: number[],
  xShape: number[],
  yShape: number[],
  outShape: number[],
): TestModel {
  const q = dtype === 'int8' || dtype === 'int16' ? { scale: 1, zeroPoint: 0 } : {};
  return {
    tensors: [
      { shape: condShape, dtype: 'bool' },
      { shape: xShape, dtype, ...q },
      { shape: yShape, dtype, ...q },
      { shape: outShape, dtype, ...q },
    ],
    ops: [{ op: 'SELECT_V2', inputs: [0, 1, 2], outputs: [3] }],
    inputs: [0, 1, 2],
    outputs: [3],
  };
}

const shape = [1, 1, 1, 4];

/** Little-endian bytes of int64 values: an int64 tensor is a raw byte view. */
const int64Bytes = (v: readonly number[]): number[] =>
  Array.from(new Uint8Array(BigInt64Array.from(v, (e) => BigInt(e)).buffer));

/** runModel with x and y (and the result) as values for every type, int64 included. */
function runSelect(m: TestModel, [c, x, y]: readonly (readonly number[])[]): number[] {
  if (m.tensors[1].dtype !== 'int64') return runModel(m, [c, x, y]);
  const out = runModel(m, [c, int64Bytes(x), int64Bytes(y)]);
  return Array.from(new BigInt64Array(new Uint8Array(out).buffer), Number);
}

describe('SELECT_V2 (select_test.cc)', () => {
  it.each([
    ['SelectBool', 'bool', [1, 0, 1, 0], [0, 0, 0, 0], [1, 1, 1, 1], [0, 1, 0, 1]],
    ['SelectFloat', 'float32', [1, 0, 1, 0], [0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8], [0.1, 0.6, 0.3, 0.8]],
    ['SelectUInt8', 'uint8', [0, 1, 0, 0], [1, 2, 3, 4], [5, 6, 7, 8], [5, 2, 7, 8]],
    ['SelectInt8', 'int8', [0, 1, 0, 0], [1, -2, 3, 4], [5, 6, 7, -8], [5, -2, 7, -8]],
    ['SelectInt16', 'int16', [0, 1, 0, 0], [1, 2, 3, 4], [5, 6, 7, 8], [5, 2, 7, 8]],
    ['SelectInt32', 'int32', [0, 1, 0, 0], [1, 2, 3, 4], [5, 6, 7, 8], [5, 2, 7, 8]],
    ['SelectInt64 (the int32 vector)', 'int64', [0, 1, 0, 0], [1, 2, 3, 4], [5, 6, 7, 8], [5, 2, 7, 8]],
  ] as const)('%s', (_name, dtype, c, x, y, golden) => {
    const out = runSelect(select(dtype, shape, shape, shape, shape), [c, x, y]);
    expect(out).toEqual(golden.map((v) => (dtype === 'float32' ? Math.fround(v) : v)));
  });
  type BroadcastVector = [string, ...number[][]];
  const broadcastVectors: BroadcastVector[] = [
    [
      'OneDimensionConditionWithSingleValue',
      [1],
      [1, 2, 2, 2, 1],
      [1, 2, 2, 1],
      [1, 2, 2, 2, 1],
      [0],
      [1, 2, 3, 4, 5, 6, 7, 8],
      [9, 10, 11, 12],
      [9, 10, 11, 12, 9, 10, 11, 12],
    ],
    ['LesserThan4D', [1, 2], [1, 2, 2], [1, 2, 2], [1, 2, 2], [0, 1], [1, 2, 3, 4], [5, 6, 7, 8], [5, 2, 7, 4]],
    ['OnFalseValue', [1], [1, 2, 2], [1, 2, 2], [1, 2, 2], [0], [1, 2, 3, 4], [5, 6, 7, 8], [5, 6, 7, 8]],
    ['Broadcast', [1, 2], [1, 2, 2], [1, 2, 2], [1, 2, 2], [0, 1], [1, 2, 3, 4], [5, 6, 7, 7], [5, 2, 7, 4]],
    [
      'OneDimensionConditionWithTwoValues',
      [2],
      [2, 1, 2, 1],
      [2, 1, 2, 1],
      [2, 1, 2, 2],
      [0, 1],
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [5, 1, 6, 2, 7, 3, 8, 4],
    ],
  ];
  it.each((['int16', 'int32', 'int64'] as const).flatMap((dtype) => broadcastVectors.map((v) => ({ dtype, v }))))(
    'BroadcastSelect $dtype $v.0',
    ({ dtype, v: [, cs, xs, ys, os, c, x, y, golden] }) => {
      expect(runSelect(select(dtype, cs, xs, ys, os), [c, x, y])).toEqual(golden);
    },
  );
  // MixedFlatSizeOneInputs*: every operand has one element and the output keeps its rank-0 shape.
  it.each([
    ['WithScalarInputConditionTensor', [], [1], [1], [0], [5]],
    ['WithScalarInputXTensor', [1], [], [1], [1], [1]],
    ['WithScalarInputYTensor', [1], [1], [], [0], [5]],
  ])('MixedFlatSizeOneInputs %s (int16)', (_name, cs, xs, ys, c, golden) => {
    expect(runModel(select('int16', cs, xs, ys, []), [c, [1], [5]])).toEqual(golden);
  });
  it('selects whole int64 elements (8-byte views), with broadcasting', () => {
    const bytes = (v: bigint[]): number[] => Array.from(new Uint8Array(BigInt64Array.from(v).buffer));
    const out = runModel(select('int64', [2], [2, 2], [2, 2], [2, 2]), [
      [0, 1],
      bytes([1n, -2n, 3n, 2n ** 40n]),
      bytes([5n, 6n, -(2n ** 40n), 8n]),
    ]);
    expect(Array.from(new BigInt64Array(new Uint8Array(out).buffer))).toEqual([5n, -2n, -(2n ** 40n), 2n ** 40n]);
  });
  it('keeps the 2-byte OpData (Init, 16-aligned) on the device', () => {
    const interpreter = new Interpreter(loadModel(buildModel(select('int8', shape, shape, shape, shape))));
    interpreter.allocate();
    expect(interpreter.memory.ops[0].persistentBytes).toBe(16);
  });
  it('refuses shapes that do not broadcast at allocate()', () => {
    expect(() =>
      runModel(select('int32', [3], [2], [2], [2]), [
        [1, 0, 1],
        [1, 2],
        [3, 4],
      ]),
    ).toThrow(/broadcast/);
  });
});
