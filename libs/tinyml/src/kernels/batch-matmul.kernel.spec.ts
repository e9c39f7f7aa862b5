/** BATCH_MATMUL: the vectors of TFLM's batch_matmul_test.cc (float32 with adjoints and broadcasting, int8, int16). */
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, quantize, runModel, TestDType, TestModel } from '../testing/model-builder';

type Q = { scale: number; zeroPoint: number };

function matmul(
  lhsShape: number[],
  rhsShape: number[],
  outShape: number[],
  adj: [boolean, boolean] = [false, false],
  dtype: TestDType = 'float32',
  quant: [Q, Q, Q] | null = null,
  constantRhs?: number[],
): TestModel {
  const q = (k: number): Partial<Q> => (quant ? quant[k] : {});
  return {
    tensors: [
      { shape: lhsShape, dtype, ...q(0) },
      { shape: rhsShape, dtype, ...q(1), data: constantRhs },
      { shape: outShape, dtype, ...q(2) },
    ],
    ops: [
      {
        op: 'BATCH_MATMUL',
        inputs: [0, 1],
        outputs: [2],
        options: [
          { id: 0, bool: adj[0] },
          { id: 1, bool: adj[1] },
        ],
      },
    ],
    inputs: constantRhs ? [0] : [0, 1],
    outputs: [2],
  };
}

const iota = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => i + from);
const simple = [74, 80, 86, 92, 173, 188, 203, 218];
const broadcast = [74, 80, 86, 92, 173, 188, 203, 218, 272, 296, 320, 344, 371, 404, 437, 470];
const broadcast2 = [
  29, 32, 35, 38, 65, 72, 79, 86, 101, 112, 123, 134, 53, 56, 59, 62, 121, 128, 135, 142, 189, 200, 211, 222, 77, 80,
  83, 86, 177, 184, 191, 198, 277, 288, 299, 310, 137, 152, 167, 182, 173, 192, 211, 230, 209, 232, 255, 278, 257, 272,
  287, 302, 325, 344, 363, 382, 393, 416, 439, 462, 377, 392, 407, 422, 477, 496, 515, 534, 577, 600, 623, 646,
];
const rhsAdjoint2 = [7, 11, 8, 12, 9, 13, 10, 14, 15, 19, 16, 20, 17, 21, 18, 22, 23, 27, 24, 28, 25, 29, 26, 30];
const lhsAdjoint2 = [1, 3, 5, 2, 4, 6, 7, 9, 11, 8, 10, 12];

describe('BATCH_MATMUL (batch_matmul_test.cc), float32', () => {
  it.each([
    [
      'Ones',
      [3, 2, 1, 4],
      [3, 1, 4, 1],
      [3, 2, 1, 1],
      [false, false],
      iota(24),
      iota(12),
      [30, 70, 278, 382, 782, 950],
    ],
    [
      'Flatten',
      [3, 2, 2, 4],
      [3, 1, 4, 1],
      [3, 2, 2, 1],
      [false, false],
      iota(48),
      iota(12),
      [30, 70, 110, 150, 486, 590, 694, 798, 1454, 1622, 1790, 1958],
    ],
    ['Simple', [1, 2, 3], [1, 3, 4], [1, 2, 4], [false, false], iota(6), iota(12, 7), simple],
    [
      'SimpleRHSAdjoint',
      [1, 2, 3],
      [1, 4, 3],
      [1, 2, 4],
      [false, true],
      iota(6),
      [7, 11, 15, 8, 12, 16, 9, 13, 17, 10, 14, 18],
      simple,
    ],
    ['SimpleLHSAdjoint', [1, 3, 2], [1, 3, 4], [1, 2, 4], [true, false], [1, 4, 2, 5, 3, 6], iota(12, 7), simple],
    [
      'BatchSizeTwo',
      [2, 2, 3],
      [2, 3, 4],
      [2, 2, 4],
      [false, false],
      iota(12),
      iota(24, 7),
      [74, 80, 86, 92, 173, 188, 203, 218, 560, 584, 608, 632, 767, 800, 833, 866],
    ],
    ['Broadcast', [2, 2, 3], [3, 4], [2, 2, 4], [false, false], iota(12), iota(12, 7), broadcast],
    [
      'BroadcastLHSAdjoint',
      [2, 3, 2],
      [3, 4],
      [2, 2, 4],
      [true, false],
      [1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12],
      iota(12, 7),
      broadcast,
    ],
    ['Broadcast2', [2, 1, 3, 2], [3, 2, 4], [2, 3, 3, 4], [false, false], iota(12), iota(24, 7), broadcast2],
    [
      'Broadcast2LHSAdjoint',
      [2, 1, 2, 3],
      [3, 2, 4],
      [2, 3, 3, 4],
      [true, false],
      lhsAdjoint2,
      iota(24, 7),
      broadcast2,
    ],
    ['Broadcast2RHSAdjoint', [2, 1, 3, 2], [3, 4, 2], [2, 3, 3, 4], [false, true], iota(12), rhsAdjoint2, broadcast2],
    [
      'Broadcast2BothAdjoint',
      [2, 1, 2, 3],
      [3, 4, 2],
      [2, 3, 3, 4],
      [true, true],
      lhsAdjoint2,
      rhsAdjoint2,
      broadcast2,
    ],
    [
      'BroadcastFromRHS',
      [4, 5],
      [3, 1, 5, 2],
      [3, 1, 4, 2],
      [false, false],
      iota(20),
      iota(30, 7),
      [
        185, 200, 460, 500, 735, 800, 1010, 1100, 335, 350, 860, 900, 1385, 1450, 1910, 2000, 485, 500, 1260, 1300,
        2035, 2100, 2810, 2900,
      ],
    ],
  ] as [string, number[], number[], number[], [boolean, boolean], number[], number[], number[]][])(
    'BatchMatMulOpTestFloat32Test_%s',
    (_name, lhsShape, rhsShape, outShape, adj, lhs, rhs, golden) => {
      expect(runModel(matmul(lhsShape, rhsShape, outShape, adj), [lhs, rhs])).toEqual(golden);
    },
  );
  it('ConstRHSBatchMatMulOpModelRHSNotAdjoint (twice: the constant RHS stays right across invokes)', () => {
    const m = matmul([1, 6, 2], [2, 3], [1, 6, 3], [false, false], 'float32', null, [6, 3, 7, 4, 6, 9]);
    const interpreter = new Interpreter(loadModel(buildModel(m)));
    interpreter.allocate();
    const golden = [48, 36, 69, 58, 45, 85, 72, 72, 123, 36, 42, 68, 58, 45, 85, 46, 51, 84];
    for (let run = 0; run < 2; run++) {
      interpreter.input(0).data.set([6, 3, 7, 4, 6, 9, 2, 6, 7, 4, 3, 7]);
      interpreter.invoke();
      expect(Array.from(interpreter.output(0).data)).toEqual(golden);
    }
  });
  it('keeps what TFLM holds: params 3 B, OpDataBatchMatmul 15 -> 16 B, the transposed RHS copy, the output dims', () => {
    const interpreter = new Interpreter(loadModel(buildModel(matmul([1, 2, 3], [1, 3, 4], [1, 2, 4]))));
    interpreter.allocate();
    // 3 (params) + 16 (OpData) + [16 TfLiteEvalTensor + 16 dims (4 + 12) + 48 data (12 floats)] + 16 output dims.
    expect(interpreter.memory.ops[0].persistentBytes).toBe(3 + 16 + 16 + 16 + 48 + 16);
  });
});

describe('BATCH_MATMUL (batch_matmul_test.cc), quantized', () => {
  const lhs = [1, 2, 3, 4, 5, 6, 7, 8, -9, -10, 1, 2, 3, 4, 5, 6, 7, -8, 9, -10];
  const rhs = [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9, 10, 10, 10];
  it('QuantizedBatchMatMulOpTestSimpleTestQuantizedInt8', () => {
    // ScaleFromMinMax / ZeroPointFromMinMax of [-63.5, 64] and [-127, 128]: scale 0.5 / 1, zero point -1.
    const inQ = { scale: 0.5, zeroPoint: -1 };
    const outQ = { scale: 1, zeroPoint: -1 };
    const m = matmul([2, 10], [10, 3], [2, 3], [false, false], 'int8', [inQ, inQ, outQ]);
    expect(runModel(m, [quantize(lhs, 0.5, -1), quantize(rhs, 0.5, -1)])).toEqual([22, 22, 22, 56, 56, 56]);
  });
  it('QuantizedBatchMatMulOpTestSimpleTestQuantizedInt16', () => {
    const scale = Math.fround(10 / 32767);
    const inQ = { scale, zeroPoint: 0 };
    const m = matmul([2, 10], [10, 3], [2, 3], [false, false], 'int16', [inQ, inQ, { scale: 1, zeroPoint: 0 }]);
    const q16 = (v: number[]): number[] => quantize(v, scale, 0, -32768, 32767);
    expect(runModel(m, [q16(lhs), q16(rhs)])).toEqual([23, 23, 23, 57, 57, 57]);
  });
  it('refuses mismatched inner dimensions at allocate()', () => {
    expect(() => runModel(matmul([1, 2, 3], [1, 4, 4], [1, 2, 4]), [iota(6), iota(16)])).toThrow(/inner dimensions/);
  });
});
