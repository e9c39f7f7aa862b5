/**
 * SQUARED_DIFFERENCE (squared_difference.cc), with broadcasting. float32: d = x - y, d * d, each rounded to float;
 * int32: the same with int32 wrap-around. int8 / int16 (zero points 0): both inputs rescaled to twice the larger
 * input scale after a left shift (7 for int8, 0 for int16) by QuantizeMultiplierSmallerThanOneExp multipliers,
 * the int32 difference squared, then requantized by (2 max scale)^2 / (2^(2 shift) * output scale).
 */
import { OP_DATA } from '../memory/device-layout';
import {
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '../quant/fixed-point';
import { scaleOf, typeRange, zeroPointOf } from '../quant/quant-params';
import { BroadcastPlan, planBroadcast } from './broadcast';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

const { fround: mathFround, imul: mathImul, max: mathMax } = Math;

interface SquaredDifferenceData {
  dtype: string;
  plan: BroadcastPlan;
  leftShift: number;
  offset1: number;
  offset2: number;
  outputOffset: number;
  multiplier1: number;
  shift1: number;
  multiplier2: number;
  shift2: number;
  outputMultiplier: number;
  outputShift: number;
  qMin: number;
  qMax: number;
}

const TYPES = ['float32', 'int32', 'int8', 'int16'];

function prepare(ctx: PrepareContext): Prepared<SquaredDifferenceData> {
  const a = ctx.input(0);
  const b = ctx.input(1);
  const out = ctx.output(0);
  ctx.expectType(a, TYPES, 'input1');
  if (b.dtype !== a.dtype || out.dtype !== a.dtype) ctx.unsupported('mixed input/output types');
  ctx.opData(OP_DATA.squaredDifference);
  const data: SquaredDifferenceData = {
    dtype: a.dtype,
    plan: planBroadcast(ctx, a, b, out),
    leftShift: 0,
    offset1: 0,
    offset2: 0,
    outputOffset: 0,
    multiplier1: 0,
    shift1: 0,
    multiplier2: 0,
    shift2: 0,
    outputMultiplier: 0,
    outputShift: 0,
    qMin: 0,
    qMax: 0,
  };
  if (a.dtype !== 'int8' && a.dtype !== 'int16') return { data };
  if (a.dtype === 'int16' && (zeroPointOf(a) !== 0 || zeroPointOf(b) !== 0 || zeroPointOf(out) !== 0))
    ctx.unsupported('int16 zero points must be 0');
  const s1 = mathFround(scaleOf(a));
  const s2 = mathFround(scaleOf(b));
  const sOut = mathFround(scaleOf(out));
  if (!(s1 > 0) || !(s2 > 0) || !(sOut > 0)) ctx.fail('inputs and output need positive quantization scales');
  data.leftShift = a.dtype === 'int8' ? 7 : 0;
  const twiceMaxInputScale = 2 * mathMax(s1, s2);
  const q1 = quantizeMultiplier(s1 / twiceMaxInputScale);
  const q2 = quantizeMultiplier(s2 / twiceMaxInputScale);
  // (1 << 2 shift) * output scale is a float product in the reference; a power of two keeps it exact.
  const qOut = quantizeMultiplier(
    (twiceMaxInputScale * twiceMaxInputScale) / mathFround((1 << (2 * data.leftShift)) * sOut),
  );
  data.offset1 = -zeroPointOf(a);
  data.offset2 = -zeroPointOf(b);
  data.outputOffset = zeroPointOf(out);
  data.multiplier1 = q1.multiplier;
  data.shift1 = q1.shift;
  data.multiplier2 = q2.multiplier;
  data.shift2 = q2.shift;
  data.outputMultiplier = qOut.multiplier;
  data.outputShift = qOut.shift;
  [data.qMin, data.qMax] = typeRange(a.dtype);
  return { data };
}

/** MultiplyByQuantizedMultiplierSmallerThanOneExp of ((offset + x) << leftShift). */
function rescale(x: number, offset: number, leftShift: number, multiplier: number, shift: number): number {
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul((offset + x) << leftShift, multiplier), -shift);
}

function evalSquaredDifference(d: SquaredDifferenceData, io: KernelIo): void {
  const a = io.inputs[0] as TensorData;
  const b = io.inputs[1] as TensorData;
  const out = io.outputs[0];
  const { size, same, index1, index2 } = d.plan;
  const quantized = d.dtype === 'int8' || d.dtype === 'int16';
  const isInt32 = d.dtype === 'int32';
  for (let o = 0; o < size; o++) {
    const x = same ? a[o] : a[index1[o]];
    const y = same ? b[o] : b[index2[o]];
    if (quantized) {
      const diff =
        rescale(x, d.offset1, d.leftShift, d.multiplier1, d.shift1) -
        rescale(y, d.offset2, d.leftShift, d.multiplier2, d.shift2);
      const v = multiplyByQuantizedMultiplier(mathImul(diff, diff), d.outputMultiplier, d.outputShift) + d.outputOffset;
      out[o] = v < d.qMin ? d.qMin : v > d.qMax ? d.qMax : v;
    } else if (isInt32) {
      const diff = (x - y) | 0;
      out[o] = mathImul(diff, diff);
    } else {
      const diff = mathFround(x - y);
      out[o] = diff * diff;
    }
  }
}

export const squaredDifferenceKernel: Kernel<SquaredDifferenceData> = {
  op: 'SQUARED_DIFFERENCE',
  types: TYPES,
  prepare,
  eval: evalSquaredDifference,
};
