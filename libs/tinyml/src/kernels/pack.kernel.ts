/**
 * PACK (pack.cc): stacks `values_count` tensors of one shape along a new output dimension `axis`. float32, int8,
 * int16, int32 and int64, as TFLM's reference kernel. TFLM has no Prepare for PACK; the shape checks it leaves
 * to the converter are done here so a bad file fails at allocate().
 */
import { BUILTIN_DATA } from '../memory/device-layout';
import { dimsProduct, resolveAxis, sameShape, viewUnits } from './copy-common';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

const OUTPUT = 0;
const OPT = { valuesCount: 0, axis: 1 };

interface PackData {
  outerSize: number;
  /** View elements each input contributes per outer step. */
  copySize: number;
}

export const packKernel: Kernel<PackData> = {
  op: 'PACK',
  types: ['float32', 'int8', 'int16', 'int32', 'int64'],
  prepare(ctx: PrepareContext): Prepared<PackData> {
    ctx.builtinData(BUILTIN_DATA.pack);
    const output = ctx.output(OUTPUT);
    const count = ctx.inputCount();
    const valuesCount = ctx.options?.i32(OPT.valuesCount) ?? count;
    if (valuesCount !== count || count < 1) ctx.fail(`values_count ${valuesCount} with ${count} inputs`);
    const rank = output.shape.length;
    const axis = resolveAxis(ctx, ctx.options?.i32(OPT.axis) ?? 0, rank);
    const first = ctx.input(0);
    const expected = [...first.shape.slice(0, axis), count, ...first.shape.slice(axis)];
    if (!sameShape(output.shape, expected)) ctx.fail(`output shape [${output.shape}], expected [${expected}]`);
    for (let k = 0; k < count; k++) {
      const t = ctx.input(k);
      if (t.dtype !== output.dtype) ctx.unsupported(`input ${k} ${t.dtype} with output ${output.dtype}`, t.dtype);
      if (!sameShape(t.shape, first.shape)) ctx.fail(`input ${k} shape [${t.shape}] differs from [${first.shape}]`);
    }
    return {
      data: {
        outerSize: dimsProduct(output.shape, 0, axis),
        copySize: dimsProduct(output.shape, axis + 1, rank) * viewUnits(output.dtype),
      },
    };
  },
  eval(d: PackData, io: KernelIo): void {
    const output = io.outputs[OUTPUT];
    const { outerSize, copySize } = d;
    const count = io.inputs.length;
    for (let k = 0; k < count; k++) {
      const input = io.inputs[k] as TensorData;
      for (let outer = 0; outer < outerSize; outer++) {
        let o = (outer * count + k) * copySize;
        for (let i = outer * copySize, end = i + copySize; i < end; i++) output[o++] = input[i];
      }
    }
  },
};
