/**
 * MUL, int8, int16, int32 and float32 (TFLM reference_integer_ops::Mul / reference_ops::Mul with broadcasting;
 * int32 products wrap like the C++ int32 multiply). int16 is int8's arithmetic with zero points 0 (mul_common.cc
 * refuses others): the product of two int16 values fits the int32 it requantizes.
 */
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../quant/fixed-point';
import {
  activationRangeFloat,
  activationRangeInt32,
  activationRangeQuantized,
  scaleOf,
  zeroPointOf,
} from '../quant/quant-params';
import { BroadcastPlan, planBroadcast } from './broadcast';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

// Bound once at load: looking up the global `Math` inside hot loops is slow in vm sandboxes (e.g. Jest).
const { fround: mathFround, imul: mathImul } = Math;

const INPUT1 = 0;
const INPUT2 = 1;
const OUTPUT = 0;
const OPT_ACTIVATION = 0;

interface MulData {
  isFloat: boolean;
  isInt32: boolean;
  plan: BroadcastPlan;
  input1Offset: number;
  input2Offset: number;
  outputOffset: number;
  multiplier: number;
  shift: number;
  actMin: number;
  actMax: number;
}

export const mulKernel: Kernel<MulData> = {
  op: 'MUL',
  types: ['float32', 'int8', 'int16', 'int32'],
  prepare(ctx: PrepareContext): Prepared<MulData> {
    const in1 = ctx.input(INPUT1);
    const in2 = ctx.input(INPUT2);
    const out = ctx.output(OUTPUT);
    ctx.expectType(in1, ['int8', 'int16', 'int32', 'float32'], 'input1');
    if (in2.dtype !== in1.dtype || out.dtype !== in1.dtype) ctx.unsupported('mixed input/output types');
    if (in1.dtype === 'int16' && (zeroPointOf(in1) !== 0 || zeroPointOf(in2) !== 0 || zeroPointOf(out) !== 0))
      ctx.unsupported('int16 zero points must be 0');
    const activation = ctx.options?.i8(OPT_ACTIVATION) ?? 0;
    const isFloat = in1.dtype === 'float32';
    const isInt32 = in1.dtype === 'int32';
    ctx.builtinData(BUILTIN_DATA.mul);
    ctx.opData(OP_DATA.mul);
    const range = isFloat
      ? activationRangeFloat(activation)
      : isInt32
        ? activationRangeInt32(activation)
        : activationRangeQuantized(activation, out);
    if (!range) ctx.unsupported(`activation ${activation}`);
    const q =
      isFloat || isInt32
        ? { multiplier: 0, shift: 0 }
        : quantizeMultiplier((scaleOf(in1) * scaleOf(in2)) / scaleOf(out));
    return {
      data: {
        isFloat,
        isInt32,
        plan: planBroadcast(ctx, in1, in2, out),
        input1Offset: -zeroPointOf(in1),
        input2Offset: -zeroPointOf(in2),
        outputOffset: zeroPointOf(out),
        multiplier: q.multiplier,
        shift: q.shift,
        actMin: range[0],
        actMax: range[1],
      },
      macs: out.elementCount,
    };
  },
  eval(d: MulData, io: KernelIo): void {
    const in1 = io.inputs[INPUT1] as TensorData;
    const in2 = io.inputs[INPUT2] as TensorData;
    const out = io.outputs[OUTPUT];
    const { actMin, actMax } = d;
    const { size, same, index1, index2 } = d.plan;
    if (d.isFloat) {
      for (let o = 0; o < size; o++) {
        const v = mathFround(same ? in1[o] * in2[o] : in1[index1[o]] * in2[index2[o]]);
        out[o] = v < actMin ? actMin : v > actMax ? actMax : v;
      }
      return;
    }
    if (d.isInt32) {
      for (let o = 0; o < size; o++) {
        const v = same ? mathImul(in1[o], in2[o]) : mathImul(in1[index1[o]], in2[index2[o]]);
        out[o] = v < actMin ? actMin : v > actMax ? actMax : v;
      }
      return;
    }
    const { input1Offset, input2Offset, outputOffset, multiplier, shift } = d;
    for (let o = 0; o < size; o++) {
      const a = same ? in1[o] : in1[index1[o]];
      const b = same ? in2[o] : in2[index2[o]];
      let v = multiplyByQuantizedMultiplier((a + input1Offset) * (b + input2Offset), multiplier, shift) + outputOffset;
      if (v < actMin) v = actMin;
      else if (v > actMax) v = actMax;
      out[o] = v;
    }
  },
};
