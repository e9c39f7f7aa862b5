/**
 * GATHER_ND (gather_nd.cc): for each index vector (the last dimension of `indices`, at most 5 long) copies the
 * addressed element or slice of `params`; output shape = indices.shape[:-1] + params.shape[nd:]. float32 and int8
 * params with int32 indices, as TFLM's reference kernel. The indices are runtime data; like TFLM, eval() checks
 * the resulting flat position against the params tensor (not each index against its dimension: [0, 2] into a 2x2
 * reads element [1, 0] there too) and raises InvokeError outside it. No Init, no OpData, no builtin options.
 */
import type { OperatorInfo } from '../model/model.types';
import { dimsProduct, sameShape } from './copy-common';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';
import { invokeFailure } from './kernel.types';

const PARAMS = 0;
const INDICES = 1;
const OUTPUT = 0;
const MAX_INDICES_ND = 5;

interface GatherNdData {
  node: OperatorInfo;
  slices: number;
  sliceSize: number;
  nd: number;
  /** Flat stride of each indexed params dimension (TFLM's dims_to_count). */
  strides: Int32Array;
  paramsCount: number;
}

export const gatherNdKernel: Kernel<GatherNdData> = {
  op: 'GATHER_ND',
  types: ['float32', 'int8'],
  prepare(ctx: PrepareContext): Prepared<GatherNdData> {
    const params = ctx.input(PARAMS);
    const indices = ctx.input(INDICES);
    const output = ctx.output(OUTPUT);
    ctx.expectType(indices, ['int32'], 'indices');
    if (output.dtype !== params.dtype) ctx.fail(`output ${output.dtype} differs from params ${params.dtype}`);
    const paramsRank = params.shape.length;
    const indicesRank = indices.shape.length;
    if (paramsRank < 1 || indicesRank < 1) ctx.fail('params and indices must be at least vectors');
    const nd = indices.shape[indicesRank - 1];
    if (nd > paramsRank) ctx.fail(`index length ${nd} exceeds the params rank ${paramsRank}`);
    if (nd > MAX_INDICES_ND) ctx.unsupported(`index length ${nd} (at most ${MAX_INDICES_ND})`);
    const expected = [...indices.shape.slice(0, -1), ...params.shape.slice(nd)];
    if (!sameShape(output.shape, expected)) ctx.fail(`output shape [${output.shape}], expected [${expected}]`);
    const strides = new Int32Array(nd);
    for (let j = 0; j < nd; j++) strides[j] = dimsProduct(params.shape, j + 1, paramsRank);
    return {
      data: {
        node: ctx.node,
        slices: dimsProduct(indices.shape, 0, indicesRank - 1),
        sliceSize: dimsProduct(params.shape, nd, paramsRank),
        nd,
        strides,
        paramsCount: params.elementCount,
      },
    };
  },
  eval(d: GatherNdData, io: KernelIo): void {
    const params = io.inputs[PARAMS] as TensorData;
    const indices = io.inputs[INDICES] as Int32Array;
    const output = io.outputs[OUTPUT];
    const { nd, sliceSize, strides } = d;
    let o = 0;
    for (let i = 0; i < d.slices; i++) {
      let from = 0;
      for (let j = 0; j < nd; j++) from += indices[i * nd + j] * strides[j];
      if (from < 0 || from + sliceSize > d.paramsCount)
        invokeFailure(d.node, `index vector ${i} addresses element ${from} outside the ${d.paramsCount} params`);
      for (let k = from, end = from + sliceSize; k < end; k++) output[o++] = params[k];
    }
  },
};
