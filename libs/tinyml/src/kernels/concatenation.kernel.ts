/**
 * CONCATENATION (concatenation.cc) along one axis: a copy for float32, int8, int16, int32, int64 (raw byte views,
 * 8 view elements per element) and bool, at most 10 inputs of rank <= 5 (RuntimeShape::kMaxSmallSize; older
 * TFLM took rank 4, the same copy). Quantized inputs are copied as they are, whatever their scale and zero point
 * (TFLM's Eval is reference_ops::Concatenation, not ConcatenationWithScaling). Device memory:
 * TfLiteConcatenationParams and OpData; for int8 Prepare also keeps every input's scale (float) and zero point
 * (int32), which Eval never reads.
 */
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import { viewUnits } from './copy-common';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

const OPT = { axis: 0, activation: 1 };
/** concatenation.cc kMaxInputNum, and its limit on input ranks with static allocation. */
const MAX_INPUTS = 10;
const MAX_RANK = 5;

interface ConcatData {
  outer: number;
  /** Elements each input contributes per outer step. */
  chunks: number[];
}

export const concatenationKernel: Kernel<ConcatData> = {
  op: 'CONCATENATION',
  types: ['float32', 'int8', 'int16', 'int32', 'int64', 'bool'],
  prepare(ctx: PrepareContext): Prepared<ConcatData> {
    const output = ctx.output(0);
    ctx.builtinData(BUILTIN_DATA.concatenation);
    ctx.opData(OP_DATA.concatenation);
    const inputCount = ctx.inputCount();
    if (inputCount > MAX_INPUTS) ctx.unsupported(`${inputCount} inputs (TFLM takes at most ${MAX_INPUTS})`);
    if (output.dtype === 'int8') {
      ctx.persistentArray('float32', inputCount, 'input scales');
      ctx.persistentArray('int32', inputCount, 'input zero points');
    }
    const rank = output.shape.length;
    let axis = ctx.options?.i32(OPT.axis) ?? 0;
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank) ctx.fail(`axis ${axis} out of range for rank ${rank}`);
    if ((ctx.options?.i8(OPT.activation) ?? 0) !== 0) ctx.unsupported('fused activation');
    const outer = output.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const inner = output.shape.slice(axis + 1).reduce((p, d) => p * d, 1) * viewUnits(output.dtype);
    const chunks: number[] = [];
    let axisTotal = 0;
    for (let k = 0; k < inputCount; k++) {
      const t = ctx.input(k);
      if (t.dtype !== output.dtype) ctx.unsupported('mixed types');
      if (t.shape.length > MAX_RANK)
        ctx.unsupported(`input ${k} has rank ${t.shape.length} (TFLM takes at most ${MAX_RANK})`);
      if (t.shape.length !== rank || t.shape.some((d, i) => i !== axis && d !== output.shape[i])) {
        ctx.fail(`input ${k} shape [${t.shape}] incompatible with output [${output.shape}]`);
      }
      axisTotal += t.shape[axis];
      chunks.push(t.shape[axis] * inner);
    }
    if (axisTotal !== output.shape[axis]) ctx.fail('input sizes along the axis do not add up to the output');
    return { data: { outer, chunks } };
  },
  eval(d: ConcatData, io: KernelIo): void {
    const out = io.outputs[0];
    let o = 0;
    for (let b = 0; b < d.outer; b++) {
      for (let k = 0; k < d.chunks.length; k++) {
        const n = d.chunks[k];
        const src = io.inputs[k] as typeof out;
        for (let i = b * n, end = b * n + n; i < end; i++) out[o++] = src[i];
      }
    }
  },
};
