/**
 * CAST on cast_test.cc's vectors (float32 -> int8/int16, int8/int16 -> float32, int16 <-> int32, uint32 <-> int32,
 * bool -> float32), static_cast's wrap-around for the other input/output pairs of CastEval, the x86-64 result of
 * the undefined out-of-range float conversions, and the pairs TFLM's Eval leaves unwritten (uint8 in or out, bool
 * out), which are refused.
 */
import { UnsupportedOpError } from '../errors';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, runModel, TestDType, TestModel } from '../testing/model-builder';

function castModel(from: TestDType, to: TestDType, n: number): TestModel {
  return {
    tensors: [
      { shape: [n], dtype: from },
      { shape: [n], dtype: to },
    ],
    ops: [{ op: 'CAST', inputs: [0], outputs: [1] }],
    inputs: [0],
    outputs: [1],
  };
}

const cast = (from: TestDType, to: TestDType, values: number[]): number[] =>
  runModel(castModel(from, to, values.length), [values]);

describe('CAST (cast_test.cc)', () => {
  const small = [123, 0, 1, 2, 3, 4];
  it.each([
    ['CastFloatToInt8', 'float32', 'int8', [100, 1, 0, 0.4, 1.999, 1.1], [100, 1, 0, 0, 1, 1]],
    ['CastFloatToInt16', 'float32', 'int16', [100, 1, 0, 0.4, 1.999, 1.1], [100, 1, 0, 0, 1, 1]],
    ['CastInt8ToFloat', 'int8', 'float32', small, small],
    ['CastInt16ToFloat', 'int16', 'float32', small, small],
    ['CastInt16ToInt32', 'int16', 'int32', small, small],
    ['CastInt32ToInt16', 'int32', 'int16', small, small],
    ['CastUInt32ToInt32', 'uint32', 'int32', [100, 200, 300, 400, 500, 600], [100, 200, 300, 400, 500, 600]],
    ['CastInt32ToUInt32', 'int32', 'uint32', [100, 200, 300, 400, 500, 600], [100, 200, 300, 400, 500, 600]],
    ['CastBoolToFloat', 'bool', 'float32', [1, 1, 0, 1, 0, 1], [1, 1, 0, 1, 0, 1]],
  ] as const)('%s', (_, from, to, input, golden) => {
    expect(cast(from, to, [...input])).toEqual(golden);
  });
  it('static_cast truncates floats toward zero and wraps integers modulo 2^n', () => {
    expect(cast('float32', 'int32', [-1.9, -0.2, 2.5, 1e9])).toEqual([-1, 0, 2, 1e9]);
    expect(cast('float32', 'uint32', [3e9, 7.9])).toEqual([3e9, 7]);
    expect(cast('int32', 'int8', [127, 128, -129, 256 + 5])).toEqual([127, -128, 127, 5]);
    expect(cast('int16', 'uint32', [-1, 32767])).toEqual([2 ** 32 - 1, 32767]);
    expect(cast('uint32', 'int16', [65535, 2 ** 31 + 7])).toEqual([-1, 7]);
    expect(cast('bool', 'int32', [1, 0])).toEqual([1, 0]);
    expect(cast('int32', 'float32', [16777217, -3])).toEqual([16777216, -3]);
  });
  it("float32 outside the int32 range or NaN gives x86-64 cvttss2si's INT32_MIN (its low bits for int8/int16)", () => {
    const x = [3e9, -3e9, NaN, Infinity, -2147483648, 2147483520, -1e10, 300.5];
    expect(cast('float32', 'int32', x)).toEqual([
      -2147483648, -2147483648, -2147483648, -2147483648, -2147483648, 2147483520, -2147483648, 300,
    ]);
    expect(cast('float32', 'int16', x)).toEqual([0, 0, 0, 0, 0, -128, 0, 300]);
    expect(cast('float32', 'int8', x)).toEqual([0, 0, 0, 0, 0, -128, 0, 44]);
  });
  it('float32 -> uint32 keeps the low 32 bits of the truncation below 2^63 and gives 0 beyond (64-bit cvttss2si)', () => {
    expect(cast('float32', 'uint32', [3e9, -3e9, 5e9, -1, 1e20, NaN, 7.9])).toEqual([
      3e9, 1294967296, 705032704, 4294967295, 0, 0, 7,
    ]);
  });
  it.each([
    ['uint8', 'int32'],
    ['uint8', 'float32'],
    ['int32', 'uint8'],
    ['float32', 'bool'],
    ['int8', 'bool'],
    ['int64', 'int32'],
  ] as const)('refuses %s -> %s (CastEval has no case and leaves the output unwritten)', (from, to) => {
    const model = loadModel(buildModel(castModel(from, to, 2)));
    expect(() => new Interpreter(model).allocate()).toThrow(UnsupportedOpError);
  });
});
