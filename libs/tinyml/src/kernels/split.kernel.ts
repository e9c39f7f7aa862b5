/**
 * SPLIT (split.cc) and SPLIT_V (split_v.cc): cut the input along a constant `axis` into consecutive pieces, one
 * per output, sized by the outputs' shapes (SPLIT: equal pieces; SPLIT_V: the sizes in `size_splits`, whose -1 the
 * converter has already resolved into the output shape, which is what TFLM's Eval reads too). float32, int8,
 * int16 and int32, as TFLM's reference kernels; neither has Init or OpData.
 */
import { BUILTIN_DATA, type StructLayout } from '../memory/device-layout';
import type { TensorInfo } from '../model/model.types';
import { constantScalarInt32, dimsProduct, resolveAxis } from './copy-common';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

const OPT = { numSplits: 0 };
const TYPES = ['float32', 'int8', 'int16', 'int32'];

interface SplitData {
  input: number;
  outerSize: number;
  /** Elements output k takes per outer step. */
  copySizes: number[];
}

function prepareSplit(
  ctx: PrepareContext,
  inputIndex: number,
  axisIndex: number,
  options: StructLayout,
  equal: boolean,
): Prepared<SplitData> {
  ctx.builtinData(options);
  const input: TensorInfo = ctx.input(inputIndex);
  const rank = input.shape.length;
  const axis = resolveAxis(ctx, constantScalarInt32(ctx, axisIndex, 'axis'), rank);
  const count = ctx.node.outputs.length;
  const numSplits = ctx.options?.i32(OPT.numSplits) ?? count;
  if (numSplits !== count) ctx.fail(`num_splits ${numSplits} with ${count} outputs`);
  const inner = dimsProduct(input.shape, axis + 1, rank);
  const copySizes: number[] = [];
  let total = 0;
  for (let k = 0; k < count; k++) {
    const t = ctx.output(k);
    if (t.dtype !== input.dtype) ctx.unsupported(`output ${k} ${t.dtype} with input ${input.dtype}`, t.dtype);
    if (t.shape.length !== rank || t.shape.some((d, i) => i !== axis && d !== input.shape[i]))
      ctx.fail(`output ${k} shape [${t.shape}] does not fit input [${input.shape}] split on axis ${axis}`);
    if (equal && t.shape[axis] * count !== input.shape[axis]) ctx.fail(`output ${k} is not 1/${count} of the input`);
    total += t.shape[axis];
    copySizes.push(t.shape[axis] * inner);
  }
  if (total !== input.shape[axis]) ctx.fail(`pieces add up to ${total}, input dimension is ${input.shape[axis]}`);
  return { data: { input: inputIndex, outerSize: dimsProduct(input.shape, 0, axis), copySizes } };
}

function evalSplit(d: SplitData, io: KernelIo): void {
  const input = io.inputs[d.input] as TensorData;
  const { outerSize, copySizes } = d;
  let i = 0;
  for (let outer = 0; outer < outerSize; outer++) {
    for (let k = 0; k < copySizes.length; k++) {
      const output = io.outputs[k];
      const n = copySizes[k];
      for (let o = outer * n, end = o + n; o < end; o++) output[o] = input[i++];
    }
  }
}

/** SPLIT: input 0 is the axis, input 1 the data. */
export const splitKernel: Kernel<SplitData> = {
  op: 'SPLIT',
  types: TYPES,
  prepare: (ctx) => prepareSplit(ctx, 1, 0, BUILTIN_DATA.split, true),
  eval: evalSplit,
};

/** SPLIT_V: input 0 is the data, 1 size_splits, 2 the axis. */
export const splitVKernel: Kernel<SplitData> = {
  op: 'SPLIT_V',
  types: TYPES,
  prepare: (ctx) => prepareSplit(ctx, 0, 2, BUILTIN_DATA.splitV, false),
  eval: evalSplit,
};
