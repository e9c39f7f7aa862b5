/**
 * TRANSPOSE (transpose.cc, reference_ops::Transpose): output dimension k is input dimension perm[k], for up to 6
 * dimensions, for the types of TransposeEval's switch: float32, int8 and int16 (any other type fails TFLM's Eval).
 * The permutation must be a constant tensor here (TFLM reads it at eval; no model computes it). TFLM's kernel has
 * no Init and keeps no OpData.
 */
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

const INPUT = 0;
const PERM = 1;
const OUTPUT = 0;
const MAX_DIMS = 6;
const TYPES = ['float32', 'int8', 'int16'];

interface TransposeData {
  elementCount: number;
  rank: number;
  outShape: number[];
  /** Input stride of each output dimension (strides of the input, permuted). */
  strides: number[];
  /** The output multi-index while copying (allocation-free eval). */
  counter: Int32Array;
}

export const transposeKernel: Kernel<TransposeData> = {
  op: 'TRANSPOSE',
  types: TYPES,
  prepare(ctx: PrepareContext): Prepared<TransposeData> {
    const input = ctx.input(INPUT);
    const output = ctx.output(OUTPUT);
    if (input.dtype !== output.dtype) ctx.unsupported(`${input.dtype} -> ${output.dtype}`, input.dtype);
    ctx.expectType(input, TYPES, 'input');
    const perm = ctx.constantInt32(ctx.input(PERM), 'permutation');
    const rank = input.shape.length;
    if (rank < 1 || rank > MAX_DIMS) ctx.unsupported(`${rank} dimensions (1 to ${MAX_DIMS} supported)`);
    if (perm.length !== rank || output.shape.length !== rank) ctx.fail('permutation does not match the input rank');
    const seen = new Set<number>();
    for (let k = 0; k < rank; k++) {
      if (!(perm[k] >= 0 && perm[k] < rank) || seen.has(perm[k])) ctx.fail(`permutation [${[...perm]}] is invalid`);
      seen.add(perm[k]);
      if (output.shape[k] !== input.shape[perm[k]]) ctx.fail(`output dimension ${k} is not input dimension ${perm[k]}`);
    }
    const inStrides = new Array<number>(rank).fill(1);
    for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1] * input.shape[i + 1];
    return {
      data: {
        elementCount: input.elementCount,
        rank,
        outShape: [...output.shape],
        strides: Array.from(perm, (p) => inStrides[p]),
        counter: new Int32Array(rank),
      },
    };
  },
  eval(d: TransposeData, io: KernelIo): void {
    const input = io.inputs[INPUT];
    const output = io.outputs[OUTPUT];
    if (input === null) return;
    const { rank, outShape, strides, counter } = d;
    counter.fill(0);
    let src = 0;
    for (let o = 0; o < d.elementCount; o++) {
      output[o] = input[src];
      // Next output multi-index, innermost dimension first; src follows with the permuted input strides.
      for (let k = rank - 1; k >= 0; k--) {
        counter[k]++;
        src += strides[k];
        if (counter[k] < outShape[k]) break;
        src -= strides[k] * counter[k];
        counter[k] = 0;
      }
    }
  },
};
