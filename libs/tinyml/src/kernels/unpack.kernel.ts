/**
 * UNPACK (unpack.cc): splits the input along `axis` into `num` outputs, each with that dimension removed.
 * float32, int8, int16 and int32, as TFLM's reference kernel (no Prepare there; the shapes are checked here).
 */
import { BUILTIN_DATA } from '../memory/device-layout';
import { dimsProduct, resolveAxis, sameShape } from './copy-common';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

const INPUT = 0;
const OPT = { num: 0, axis: 1 };

interface UnpackData {
  outerSize: number;
  /** Elements each output takes per outer step. */
  copySize: number;
}

export const unpackKernel: Kernel<UnpackData> = {
  op: 'UNPACK',
  types: ['float32', 'int8', 'int16', 'int32'],
  prepare(ctx: PrepareContext): Prepared<UnpackData> {
    ctx.builtinData(BUILTIN_DATA.unpack);
    const input = ctx.input(INPUT);
    const rank = input.shape.length;
    const axis = resolveAxis(ctx, ctx.options?.i32(OPT.axis) ?? 0, rank);
    const count = ctx.node.outputs.length;
    const num = ctx.options?.i32(OPT.num) ?? count;
    if (num !== count || count !== input.shape[axis])
      ctx.fail(`num ${num} with ${count} outputs and input dimension ${input.shape[axis]}`);
    const expected = [...input.shape.slice(0, axis), ...input.shape.slice(axis + 1)];
    for (let k = 0; k < count; k++) {
      const t = ctx.output(k);
      if (t.dtype !== input.dtype) ctx.unsupported(`output ${k} ${t.dtype} with input ${input.dtype}`, t.dtype);
      if (!sameShape(t.shape, expected)) ctx.fail(`output ${k} shape [${t.shape}], expected [${expected}]`);
    }
    return {
      data: { outerSize: dimsProduct(input.shape, 0, axis), copySize: dimsProduct(input.shape, axis + 1, rank) },
    };
  },
  eval(d: UnpackData, io: KernelIo): void {
    const input = io.inputs[INPUT] as TensorData;
    const { outerSize, copySize } = d;
    const count = io.outputs.length;
    for (let k = 0; k < count; k++) {
      const output = io.outputs[k];
      let o = 0;
      for (let outer = 0; outer < outerSize; outer++) {
        for (let i = (outer * count + k) * copySize, end = i + copySize; i < end; i++) output[o++] = input[i];
      }
    }
  },
};
