/**
 * CONCATENATION beyond float32 (data-movement.kernel.spec.ts has TwoInputsAllAxesCombinations): the same vectors
 * as int64 (whole 8-byte elements move), concatenation_test's bool and five-dimension cases, TFLM's Prepare
 * limits (10 inputs, rank 5) and the int8 per-input scale and zero-point arrays its Prepare allocates.
 */
import { UnsupportedOpError } from '../errors';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, runModel, TestDType, TestModel } from '../testing/model-builder';

function concatModel(dtype: TestDType, shapes: number[][], outShape: number[], axis: number): TestModel {
  const q = dtype === 'int8' || dtype === 'int16' ? { scale: 0.5, zeroPoint: 1 } : {};
  return {
    tensors: [...shapes.map((shape) => ({ shape, dtype, ...q })), { shape: outShape, dtype, ...q }],
    ops: [
      {
        op: 'CONCATENATION',
        inputs: shapes.map((_, i) => i),
        outputs: [shapes.length],
        options: [{ id: 0, i32: axis }],
      },
    ],
    inputs: shapes.map((_, i) => i),
    outputs: [shapes.length],
  };
}

const int64Bytes = (values: bigint[]): number[] => Array.from(new Uint8Array(BigInt64Array.from(values).buffer));
const fromInt64Bytes = (bytes: number[]): bigint[] => Array.from(new BigInt64Array(new Uint8Array(bytes).buffer));

describe('CONCATENATION', () => {
  it('int64 along axis 1 and axis -2 (TwoInputsAllAxesCombinations values, beyond 2^32)', () => {
    const big = 2n ** 40n;
    const a = [1n, 2n, 3n, 4n, 5n, 6n].map((v) => v + big);
    const b = [7n, 8n, 9n, 10n, 11n, 12n].map((v) => -v - big);
    const run = (outShape: number[], axis: number) =>
      fromInt64Bytes(
        runModel(
          concatModel(
            'int64',
            [
              [2, 3],
              [2, 3],
            ],
            outShape,
            axis,
          ),
          [int64Bytes(a), int64Bytes(b)],
        ),
      );
    expect(run([2, 6], 1)).toEqual([a[0], a[1], a[2], b[0], b[1], b[2], a[3], a[4], a[5], b[3], b[4], b[5]]);
    expect(run([4, 3], -2)).toEqual([...a, ...b]);
  });
  it('int16 and int8 copy the raw values (same quantization in and out)', () => {
    expect(
      runModel(
        concatModel(
          'int16',
          [
            [1, 2],
            [1, 1],
          ],
          [1, 3],
          1,
        ),
        [[-32768, 32767], [5]],
      ),
    ).toEqual([-32768, 32767, 5]);
    expect(
      runModel(
        concatModel(
          'int8',
          [
            [2, 1],
            [2, 1],
          ],
          [2, 2],
          1,
        ),
        [
          [-128, 127],
          [3, 4],
        ],
      ),
    ).toEqual([-128, 3, 127, 4]);
  });
  it('int8 keeps every input scale (float) and zero point (int32) as TFLM Prepare allocates them', () => {
    const memory = (dtype: TestDType) => {
      const interpreter = new Interpreter(
        loadModel(
          buildModel(
            concatModel(
              dtype,
              [
                [1, 2],
                [1, 2],
                [1, 2],
              ],
              [1, 6],
              1,
            ),
          ),
        ),
      );
      interpreter.allocate();
      return interpreter.memory.ops[0].persistentBytes;
    };
    // Two 16-byte-aligned persistent buffers of 3 x 4 bytes each.
    expect(memory('int8') - memory('int16')).toBe(32);
    expect(memory('int16')).toBe(memory('float32'));
  });
  it('BoolTypeOneInput / BoolTypeTwoInputs (concatenation_test)', () => {
    expect(runModel(concatModel('bool', [[2, 1, 2]], [2, 1, 2], 1), [[1, 0, 0, 1]])).toEqual([1, 0, 0, 1]);
    const two = concatModel(
      'bool',
      [
        [2, 1, 2],
        [2, 3, 2],
      ],
      [2, 4, 2],
      1,
    );
    expect(runModel(two, [[0, 0, 0, 0], new Array(12).fill(1)])).toEqual([
      0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1,
    ]);
  });
  const seq = (from: number): number[] => Array.from({ length: 12 }, (_, i) => from + i);
  it.each([
    [0, [4, 1, 2, 1, 3], seq(1).concat(seq(13))],
    [4, [2, 1, 2, 1, 6], [1, 2, 3, 13, 14, 15, 4, 5, 6, 16, 17, 18, 7, 8, 9, 19, 20, 21, 10, 11, 12, 22, 23, 24]],
    [-2, [2, 1, 2, 2, 3], [1, 2, 3, 13, 14, 15, 4, 5, 6, 16, 17, 18, 7, 8, 9, 19, 20, 21, 10, 11, 12, 22, 23, 24]],
  ])('TwoInputsFiveDimensionsAllAxesCombinations axis %d', (axis, outShape, golden) => {
    const shape = [2, 1, 2, 1, 3];
    expect(runModel(concatModel('float32', [shape, shape], outShape, axis), [seq(1), seq(13)])).toEqual(golden);
  });
  it('TwoInputsQuantizedInt8FiveDimensions', () => {
    const shape = [2, 1, 2, 1, 3];
    expect(runModel(concatModel('int8', [shape, shape], [2, 1, 4, 1, 3], 2), [seq(1), seq(13)])).toEqual([
      1, 2, 3, 4, 5, 6, 13, 14, 15, 16, 17, 18, 7, 8, 9, 10, 11, 12, 19, 20, 21, 22, 23, 24,
    ]);
  });
  it('copies int8 inputs whose scale and zero point differ from the output unchanged (no rescaling in TFLM)', () => {
    const m = concatModel('int8', [[2], [2]], [4], 0);
    m.tensors[1] = { ...m.tensors[1], scale: 0.25, zeroPoint: -7 };
    expect(
      runModel(m, [
        [-128, 1],
        [2, 127],
      ]),
    ).toEqual([-128, 1, 2, 127]);
  });
  it('refuses more than 10 inputs and inputs of rank 6 (TFLM Prepare)', () => {
    const eleven = Array.from({ length: 11 }, () => [1]);
    const many = loadModel(buildModel(concatModel('float32', eleven, [11], 0)));
    expect(() => new Interpreter(many).allocate()).toThrow(UnsupportedOpError);
    const rank6 = loadModel(
      buildModel(
        concatModel(
          'float32',
          [
            [1, 1, 1, 1, 1, 1],
            [1, 1, 1, 1, 1, 1],
          ],
          [1, 1, 1, 1, 1, 2],
          5,
        ),
      ),
    );
    expect(() => new Interpreter(rank6).allocate()).toThrow(UnsupportedOpError);
  });
});
