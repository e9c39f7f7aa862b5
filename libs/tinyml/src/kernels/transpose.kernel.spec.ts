/** TRANSPOSE: TFLM transpose_test.cc style permutations (2-D, 3-D, 4-D NCHW -> NHWC, 6-D), and the types it refuses. */
import { UnsupportedOpError } from '../errors';
import { runModel, TestModel } from '../testing/model-builder';

function transpose(shape: number[], perm: number[], dtype: 'int8' | 'float32' | 'int16' = 'int8'): TestModel {
  const q = dtype === 'float32' ? {} : { scale: 1, zeroPoint: 0 };
  return {
    tensors: [
      { shape, dtype, ...q },
      { shape: [perm.length], dtype: 'int32', data: perm },
      { shape: perm.map((p) => shape[p]), dtype, ...q },
    ],
    ops: [{ op: 'TRANSPOSE', inputs: [0, 1], outputs: [2] }],
    inputs: [0],
    outputs: [2],
  };
}

/** The reference: output[multi-index o] = input[o permuted back], by explicit index arithmetic. */
function oracle(shape: number[], perm: number[], x: number[]): number[] {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out: number[] = [];
  const idx = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < x.length; o++) {
    out.push(x[idx.reduce((acc, v, k) => acc + v * inStrides[perm[k]], 0)]);
    for (let k = outShape.length - 1; k >= 0 && ++idx[k] === outShape[k]; k--) idx[k] = 0;
  }
  return out;
}

const seq = (n: number): number[] => Array.from({ length: n }, (_, i) => (i % 250) - 120);

describe('TRANSPOSE', () => {
  it('2-D matrix transpose (transpose_test 2D)', () => {
    expect(runModel(transpose([3, 2], [1, 0], 'float32'), [[0, 1, 2, 3, 4, 5]])).toEqual([0, 2, 4, 1, 3, 5]);
  });
  it.each([
    [
      [2, 3, 4],
      [2, 0, 1],
    ],
    [
      [1, 3, 4, 5],
      [0, 2, 3, 1],
    ],
    [
      [2, 3, 2, 2, 2, 3],
      [5, 0, 4, 1, 3, 2],
    ],
  ])('shape %j with permutation %j moves every element to its place', (shape, perm) => {
    const x = seq(shape.reduce((a, b) => a * b, 1));
    expect(runModel(transpose(shape, perm), [x])).toEqual(oracle(shape, perm, x));
    expect(runModel(transpose(shape, perm, 'int16'), [x])).toEqual(oracle(shape, perm, x));
  });
  it('refuses a permutation that repeats an axis', () => {
    expect(() => runModel(transpose([2, 2], [0, 0]), [[1, 2, 3, 4]])).toThrow(/permutation/);
  });
  it.each(['uint8', 'int32', 'bool'] as const)(
    'refuses %s (TransposeEval has float32, int8 and int16 only)',
    (dtype) => {
      const m = transpose([2, 2], [1, 0]);
      for (const t of m.tensors)
        if (t.dtype === 'int8') Object.assign(t, { dtype, scale: undefined, zeroPoint: undefined });
      expect(() => runModel(m, [[1, 0, 1, 1]])).toThrow(UnsupportedOpError);
    },
  );
});
