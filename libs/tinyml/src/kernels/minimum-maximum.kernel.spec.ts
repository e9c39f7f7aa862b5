/**
 * MINIMUM / MAXIMUM on maximum_minimum_test.cc's Int8Test and Int32WithBroadcastTest vectors, the latter also as
 * int64 (the test has no int64 case), int64 values only a 64-bit comparison orders (against BigInt), int16, and
 * uint8, which maximum_minimum.cc's Eval has no case for.
 */
import { UnsupportedOpError } from '../errors';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, runModel, TestDType, TestModel } from '../testing/model-builder';

function minMaxModel(op: string, dtype: TestDType, shape1: number[], shape2: number[]): TestModel {
  const q = dtype === 'int8' || dtype === 'int16' ? { scale: 1, zeroPoint: 0 } : {};
  return {
    tensors: [
      { shape: shape1, dtype, ...q },
      { shape: shape2, dtype, ...q },
      { shape: shape1, dtype, ...q },
    ],
    ops: [{ op, inputs: [0, 1], outputs: [2] }],
    inputs: [0, 1],
    outputs: [2],
  };
}

const int64Bytes = (values: bigint[]): number[] => Array.from(new Uint8Array(BigInt64Array.from(values).buffer));
const fromInt64Bytes = (bytes: number[]): bigint[] => Array.from(new BigInt64Array(new Uint8Array(bytes).buffer));

describe('MINIMUM / MAXIMUM (maximum_minimum_test.cc)', () => {
  it('Int8Test', () => {
    const a = [1, 0, 2, 11, 2, 23];
    const b = [0, 0, 1, 12, 127, 1];
    expect(runModel(minMaxModel('MAXIMUM', 'int8', [3, 1, 2], [3, 1, 2]), [a, b])).toEqual([1, 0, 2, 12, 127, 23]);
    expect(runModel(minMaxModel('MINIMUM', 'int8', [3, 1, 2], [3, 1, 2]), [a, b])).toEqual([0, 0, 1, 11, 2, 1]);
  });
  it.each(['int32', 'int64'] as const)('Int32WithBroadcastTest as %s', (dtype) => {
    const a = [1, 0, -1, -2, 3, 11];
    const enc = (v: number[]) => (dtype === 'int64' ? int64Bytes(v.map(BigInt)) : v);
    const dec = (v: number[]) => (dtype === 'int64' ? fromInt64Bytes(v).map(Number) : v);
    const max = runModel(minMaxModel('MAXIMUM', dtype, [3, 1, 2], [1]), [enc(a), enc([2])]);
    const min = runModel(minMaxModel('MINIMUM', dtype, [3, 1, 2], [1]), [enc(a), enc([2])]);
    expect(dec(max)).toEqual([2, 2, 2, 2, 3, 11]);
    expect(dec(min)).toEqual([1, 0, -1, -2, 2, 2]);
  });
  it('int64 orders full 64-bit values and copies all 8 bytes of the winner', () => {
    const x = [2n ** 32n, -1n, -(2n ** 32n), 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n, 0x80000000n, 5n];
    const y = [1n, 0n, -(2n ** 32n) + 1n, 2n ** 53n, 2n ** 63n - 1n, -(2n ** 63n), 0x7fffffffn, 5n + 2n ** 32n];
    const run = (op: string) =>
      fromInt64Bytes(runModel(minMaxModel(op, 'int64', [8], [8]), [int64Bytes(x), int64Bytes(y)]));
    expect(run('MAXIMUM')).toEqual(x.map((v, i) => (v > y[i] ? v : y[i])));
    expect(run('MINIMUM')).toEqual(x.map((v, i) => (v < y[i] ? v : y[i])));
  });
  it('int16 keeps the extremes', () => {
    const a = [-32768, 32767, 5, -7];
    const b = [32767, -32768, 5, -8];
    expect(runModel(minMaxModel('MAXIMUM', 'int16', [4], [4]), [a, b])).toEqual([32767, 32767, 5, -7]);
    expect(runModel(minMaxModel('MINIMUM', 'int16', [4], [4]), [a, b])).toEqual([-32768, -32768, 5, -8]);
  });
  it.each(['MAXIMUM', 'MINIMUM'])('%s refuses uint8 (no case in the Eval switch)', (op) => {
    const model = loadModel(buildModel(minMaxModel(op, 'uint8', [2], [2])));
    expect(() => new Interpreter(model).allocate()).toThrow(UnsupportedOpError);
  });
});
