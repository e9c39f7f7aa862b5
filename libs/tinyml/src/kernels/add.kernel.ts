/**
 * ADD and SUB, int8, int16 and float32 (TFLM reference_integer_ops::Add / reference_ops::Sub with broadcasting),
 * int32 ADD (add.cc: wrapping sum, clamped to the full int32 range whatever the fused activation) and int32 SUB
 * (sub.cc EvalSub: SubWithActivation / BroadcastSubSlow, the wrapping difference clamped to the fused
 * activation's int32 range).
 */
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../quant/fixed-point';
import {
  activationRangeFloat,
  activationRangeInt32,
  activationRangeQuantized,
  scaleOf,
  typeRange,
  zeroPointOf,
} from '../quant/quant-params';
import { BroadcastPlan, planBroadcast } from './broadcast';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

// Bound once at load: looking up the global `Math` inside hot loops is slow in vm sandboxes (e.g. Jest).
const { fround: mathFround, max: mathMax } = Math;

const INPUT1 = 0;
const INPUT2 = 1;
const OUTPUT = 0;
const OPT_ACTIVATION = 0;
/**
 * Inputs are shifted left before rescaling so the sum keeps precision: 20 bits for int8, 15 for int16 (add_common.cc
 * / sub_common.cc, so a 16-bit value still fits in int32 after the shift).
 */
const LEFT_SHIFT_INT8 = 20;
const LEFT_SHIFT_INT16 = 15;

export interface AddSubData {
  isFloat: boolean;
  isInt32: boolean;
  isInt16: boolean;
  subtract: boolean;
  leftShift: number;
  plan: BroadcastPlan;
  input1Offset: number;
  input2Offset: number;
  outputOffset: number;
  input1Multiplier: number;
  input1Shift: number;
  input2Multiplier: number;
  input2Shift: number;
  outputMultiplier: number;
  outputShift: number;
  actMin: number;
  actMax: number;
  /** int8: the output for every (input1, input2) pair, index ((a + 128) << 8) | (b + 128). */
  table: Int8Array;
}

export function prepareAddSub(ctx: PrepareContext, subtract: boolean): Prepared<AddSubData> {
  const in1 = ctx.input(INPUT1);
  const in2 = ctx.input(INPUT2);
  const out = ctx.output(OUTPUT);
  ctx.expectType(in1, ['int8', 'int16', 'int32', 'float32'], 'input1');
  if (in2.dtype !== in1.dtype || out.dtype !== in1.dtype) ctx.unsupported('mixed input/output types');
  const activation = ctx.options?.i8(OPT_ACTIVATION) ?? 0;
  const isFloat = in1.dtype === 'float32';
  const isInt32 = in1.dtype === 'int32';
  ctx.builtinData(subtract ? BUILTIN_DATA.sub : BUILTIN_DATA.add);
  ctx.opData(subtract ? OP_DATA.sub : OP_DATA.add);
  const range = isFloat
    ? activationRangeFloat(activation)
    : isInt32
      ? subtract
        ? activationRangeInt32(activation)
        : typeRange('int32')
      : activationRangeQuantized(activation, out);
  if (!range) ctx.unsupported(`activation ${activation}`);
  const data: AddSubData = {
    isFloat,
    isInt32,
    isInt16: in1.dtype === 'int16',
    subtract,
    leftShift: in1.dtype === 'int16' ? LEFT_SHIFT_INT16 : LEFT_SHIFT_INT8,
    plan: planBroadcast(ctx, in1, in2, out),
    input1Offset: -zeroPointOf(in1),
    input2Offset: -zeroPointOf(in2),
    outputOffset: zeroPointOf(out),
    input1Multiplier: 0,
    input1Shift: 0,
    input2Multiplier: 0,
    input2Shift: 0,
    outputMultiplier: 0,
    outputShift: 0,
    actMin: range[0],
    actMax: range[1],
    table: new Int8Array(0),
  };
  if (!isFloat && !isInt32) {
    if (data.plan.size === 0) return { data, macs: 0 };
    const s1 = scaleOf(in1);
    const s2 = scaleOf(in2);
    const so = scaleOf(out);
    if (!(s1 > 0 && s2 > 0 && so > 0)) ctx.fail('inputs and output need positive scales');
    // add_common.cc forms the real multipliers in double; sub_common.cc divides in float32 first, then widens.
    const twiceMaxInputScale = 2 * mathMax(s1, s2);
    const ratio = subtract
      ? (x: number, y: number): number => mathFround(x / y)
      : (x: number, y: number): number => x / y;
    const q1 = quantizeMultiplier(ratio(s1, twiceMaxInputScale));
    const q2 = quantizeMultiplier(ratio(s2, twiceMaxInputScale));
    const qo = quantizeMultiplier(ratio(twiceMaxInputScale, mathFround((1 << data.leftShift) * so)));
    if (q1.shift > 0 || q2.shift > 0 || qo.shift > 0) ctx.unsupported('rescale multiplier above one');
    data.input1Multiplier = q1.multiplier;
    data.input1Shift = q1.shift;
    data.input2Multiplier = q2.multiplier;
    data.input2Shift = q2.shift;
    data.outputMultiplier = qo.multiplier;
    data.outputShift = qo.shift;
    // The device computes each element; the int8 table is a host speed-up (int16 computes each element too).
    if (!data.isInt16) data.table = ctx.hostOnly(buildTable(data), 'int8 result table');
  }
  return { data, macs: out.elementCount };
}

/**
 * An int8 binary op is a function of two int8 values, so prepare() tabulates all 65536 results with the exact
 * reference arithmetic and eval() is a lookup (bit-exact by construction).
 */
function buildTable(d: AddSubData): Int8Array {
  // The rescaled operands depend on one input each: 2 x 256 multiplications, then one per table entry.
  const scaled1 = new Int32Array(256);
  const scaled2 = new Int32Array(256);
  for (let x = -128; x < 128; x++) {
    scaled1[x + 128] = multiplyByQuantizedMultiplier(
      (x + d.input1Offset) << d.leftShift,
      d.input1Multiplier,
      d.input1Shift,
    );
    scaled2[x + 128] = multiplyByQuantizedMultiplier(
      (x + d.input2Offset) << d.leftShift,
      d.input2Multiplier,
      d.input2Shift,
    );
  }
  const table = new Int8Array(65536);
  for (let i = 0; i < 256; i++) {
    for (let j = 0; j < 256; j++) {
      const raw = d.subtract ? (scaled1[i] - scaled2[j]) | 0 : (scaled1[i] + scaled2[j]) | 0;
      const v = multiplyByQuantizedMultiplier(raw, d.outputMultiplier, d.outputShift) + d.outputOffset;
      table[(i << 8) | j] = v < d.actMin ? d.actMin : v > d.actMax ? d.actMax : v;
    }
  }
  return table;
}

function evalAddSub(d: AddSubData, io: KernelIo): void {
  const in1 = io.inputs[INPUT1] as TensorData;
  const in2 = io.inputs[INPUT2] as TensorData;
  const out = io.outputs[OUTPUT];
  const { size, same, index1, index2 } = d.plan;
  if (d.isFloat) {
    const { actMin, actMax, subtract } = d;
    for (let o = 0; o < size; o++) {
      const a = same ? in1[o] : in1[index1[o]];
      const b = same ? in2[o] : in2[index2[o]];
      const v = mathFround(subtract ? a - b : a + b);
      out[o] = v < actMin ? actMin : v > actMax ? actMax : v;
    }
    return;
  }
  if (d.isInt32 && !d.subtract) {
    // Int32Array stores wrap modulo 2^32, like the C++ int32 sum; the range clamp is a no-op.
    for (let o = 0; o < size; o++) out[o] = same ? in1[o] + in2[o] : in1[index1[o]] + in2[index2[o]];
    return;
  }
  if (d.isInt32) {
    const { actMin, actMax } = d;
    for (let o = 0; o < size; o++) {
      // The C++ int32 difference wraps (| 0) before ActivationFunctionWithMinMax clamps it.
      const v = ((same ? in1[o] : in1[index1[o]]) - (same ? in2[o] : in2[index2[o]])) | 0;
      out[o] = v < actMin ? actMin : v > actMax ? actMax : v;
    }
    return;
  }
  if (d.isInt16) {
    evalInt16(d, in1 as Int16Array, in2 as Int16Array, out as Int16Array);
    return;
  }
  const table = d.table;
  if (same) {
    for (let o = 0; o < size; o++) out[o] = table[((in1[o] + 128) << 8) | (in2[o] + 128)];
  } else {
    for (let o = 0; o < size; o++) out[o] = table[((in1[index1[o]] + 128) << 8) | (in2[index2[o]] + 128)];
  }
}

/** add.h / sub.h AddElementwise / SubElementwise for int16: rescale each operand, add or subtract, rescale. */
function evalInt16(d: AddSubData, in1: Int16Array, in2: Int16Array, out: Int16Array): void {
  const { size, same, index1, index2 } = d.plan;
  const { input1Offset, input2Offset, input1Multiplier, input1Shift, input2Multiplier, input2Shift } = d;
  const { outputMultiplier, outputShift, outputOffset, actMin, actMax, subtract, leftShift } = d;
  for (let o = 0; o < size; o++) {
    const a = (same ? in1[o] : in1[index1[o]]) + input1Offset;
    const b = (same ? in2[o] : in2[index2[o]]) + input2Offset;
    const scaled1 = multiplyByQuantizedMultiplier(a << leftShift, input1Multiplier, input1Shift);
    const scaled2 = multiplyByQuantizedMultiplier(b << leftShift, input2Multiplier, input2Shift);
    const raw = subtract ? (scaled1 - scaled2) | 0 : (scaled1 + scaled2) | 0;
    const v = multiplyByQuantizedMultiplier(raw, outputMultiplier, outputShift) + outputOffset;
    out[o] = v < actMin ? actMin : v > actMax ? actMax : v;
  }
}

export const addKernel: Kernel<AddSubData> = {
  op: 'ADD',
  types: ['float32', 'int8', 'int16', 'int32'],
  prepare: (ctx) => prepareAddSub(ctx, false),
  eval: evalAddSub,
};
