/**
 * ARG_MAX and ARG_MIN (arg_min_max.cc, reference_ops::ArgMinMax): the index along `axis` of the largest / smallest
 * value, the first one on ties (a strict comparison only replaces the running best; NaN never wins). float32 and
 * int8 input, and uint8 as the TF-tree kernel (2020; tflite-micro dropped it, the comparison is the same), int32
 * axis and output, as TFLM (no Prepare there; prepare() checks the shapes here). The axis may be a
 * runtime tensor, read per invoke: one outside the input rank or not matching the output raises InvokeError.
 * ParseArgMax / ParseArgMin keep TfLiteArgMaxParams / TfLiteArgMinParams (output_type).
 */
import { BUILTIN_DATA, type StructLayout } from '../memory/device-layout';
import type { OperatorInfo } from '../model/model.types';
import { dimsProduct } from './copy-common';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';
import { invokeFailure } from './kernel.types';

const INPUT = 0;
const AXIS = 1;
const OUTPUT = 0;

interface ArgMinMaxData {
  node: OperatorInfo;
  isMax: boolean;
  inShape: number[];
  outputCount: number;
}

function prepareArgMinMax(ctx: PrepareContext, options: StructLayout, isMax: boolean): Prepared<ArgMinMaxData> {
  ctx.builtinData(options);
  const input = ctx.input(INPUT);
  const axis = ctx.input(AXIS);
  const output = ctx.output(OUTPUT);
  ctx.expectType(axis, ['int32'], 'axis');
  ctx.expectType(output, ['int32'], 'output');
  if (axis.elementCount !== 1) ctx.fail(`axis must hold one value, has ${axis.elementCount}`);
  const data = { node: ctx.node, isMax, inShape: [...input.shape], outputCount: output.elementCount };
  if (axis.data) {
    let a = ctx.constantInt32(axis, 'axis')[0];
    if (a < 0) a += input.shape.length;
    const expected = [...input.shape.slice(0, a), ...input.shape.slice(a + 1)];
    if (!(a >= 0 && a < input.shape.length) || output.elementCount !== dimsProduct(expected, 0, expected.length))
      ctx.fail(`axis ${a} does not reduce input [${input.shape}] to output [${output.shape}]`);
  }
  return { data, macs: input.elementCount };
}

function evalArgMinMax(d: ArgMinMaxData, io: KernelIo): void {
  const input = io.inputs[INPUT] as TensorData;
  const output = io.outputs[OUTPUT];
  const rank = d.inShape.length;
  let axis = (io.inputs[AXIS] as Int32Array)[0];
  if (axis < 0) axis += rank;
  if (!(axis >= 0 && axis < rank)) invokeFailure(d.node, `axis ${axis} outside the input rank ${rank}`);
  const axisSize = d.inShape[axis];
  const outer = dimsProduct(d.inShape, 0, axis);
  const inner = dimsProduct(d.inShape, axis + 1, rank);
  if (outer * inner !== d.outputCount) invokeFailure(d.node, `axis ${axis} does not match the output size`);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * axisSize * inner + i;
      let best = input[base];
      let bestIndex = 0;
      for (let k = 1; k < axisSize; k++) {
        const v = input[base + k * inner];
        if (d.isMax ? v > best : v < best) {
          best = v;
          bestIndex = k;
        }
      }
      output[o * inner + i] = bestIndex;
    }
  }
}

export const argMaxKernel: Kernel<ArgMinMaxData> = {
  op: 'ARG_MAX',
  types: ['float32', 'int8', 'uint8'],
  prepare: (ctx) => prepareArgMinMax(ctx, BUILTIN_DATA.argMax, true),
  eval: evalArgMinMax,
};

export const argMinKernel: Kernel<ArgMinMaxData> = {
  op: 'ARG_MIN',
  types: ['float32', 'int8', 'uint8'],
  prepare: (ctx) => prepareArgMinMax(ctx, BUILTIN_DATA.argMin, false),
  eval: evalArgMinMax,
};
