/** EMBEDDING_LOOKUP: the vectors of TFLM's embedding_lookup_test.cc (float32, int8 and int8 -> float32 hybrid). */
import { InvokeError } from '../errors';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, expectNear, quantize, runModel, TestModel } from '../testing/model-builder';

function lookup(
  tableShape: number[],
  tableType: 'float32' | 'int8',
  outType: 'float32' | 'int8',
  scale = 1,
  constantTable?: number[],
): TestModel {
  const q = (t: 'float32' | 'int8'): { scale?: number; zeroPoint?: number } =>
    t === 'int8' ? { scale, zeroPoint: 0 } : {};
  return {
    tensors: [
      { shape: [3], dtype: 'int32' },
      { shape: tableShape, dtype: tableType, ...q(tableType), data: constantTable },
      { shape: [3, ...tableShape.slice(1)], dtype: outType, ...q(outType) },
    ],
    ops: [{ op: 'EMBEDDING_LOOKUP', inputs: [0, 1], outputs: [2] }],
    inputs: constantTable ? [0] : [0, 1],
    outputs: [2],
  };
}

const table = [
  [0.0, 0.01, 0.02, 0.03, 0.1, 0.11, 0.12, 0.13],
  [1.0, 1.01, 1.02, 1.03, 1.1, 1.11, 1.12, 1.13],
  [2.0, 2.01, 2.02, 2.03, 2.1, 2.11, 2.12, 2.13],
];
const ids = [1, 0, 2];

describe('EMBEDDING_LOOKUP (embedding_lookup_test.cc)', () => {
  it('EmbeddingLookupOpTestSimpleFloat', () => {
    const out = runModel(lookup([3, 2, 4], 'float32', 'float32'), [ids, table.flat()]);
    expect(out).toEqual([table[1], table[0], table[2]].flat().map((v) => Math.fround(v)));
  });
  it('EmbeddingLookupOpTestSimpleInt8', () => {
    const rows = [
      [0, 1, 2, 3, 10, 11, 12, 13],
      [100, 101, 102, 103, 110, 111, 112, 113],
      [-56, -55, -54, -53, -46, -45, -44, -43],
    ];
    expect(runModel(lookup([3, 2, 4], 'int8', 'int8'), [ids, rows.flat()])).toEqual([rows[1], rows[0], rows[2]].flat());
  });
  it.each([
    ['Simple2DTestInt8', [3, 8]],
    ['Simple3DTestInt8', [3, 2, 4]],
    ['Simple4DTestInt8', [3, 2, 2, 2]],
  ])('HybridEmbeddingLookupHybridOpTest%s', (_name, tableShape) => {
    const hybrid = table.map((r) => [...r]);
    hybrid[1][1] = -1.01;
    // SymmetricScaleFromMinMax<int8_t>: max |value| / 127, zero point 0.
    const scale = Math.fround(2.13 / 127);
    const q = quantize(hybrid.flat(), scale, 0);
    const out = runModel(lookup(tableShape, 'int8', 'float32', scale), [ids, q]);
    const rowsOf = (v: number[]): number[][] => [v.slice(0, 8), v.slice(8, 16), v.slice(16)];
    // The reference's dequantization exactly, and the real values within one quantization step.
    expect(out).toEqual([rowsOf(q)[1], rowsOf(q)[0], rowsOf(q)[2]].flat().map((v) => Math.fround(v * scale)));
    expectNear(out, [hybrid[1], hybrid[0], hybrid[2]].flat(), scale);
  });
  it('raises InvokeError for an id outside the table', () => {
    expect(() => runModel(lookup([3, 8], 'float32', 'float32'), [[1, 3, 0], table.flat()])).toThrow(InvokeError);
    expect(() => runModel(lookup([3, 8], 'float32', 'float32'), [[-1, 0, 0], table.flat()])).toThrow(/outside/);
  });
  it('keeps the relocated output dims (4 + 4 x 3 B) and OpData (8 B at 32-bit pointers), both 16-aligned', () => {
    const interpreter = new Interpreter(
      loadModel(buildModel(lookup([3, 2, 4], 'float32', 'float32', 1, table.flat()))),
    );
    interpreter.allocate();
    expect(interpreter.memory.ops[0].persistentBytes).toBe(16 + 16);
  });
});
