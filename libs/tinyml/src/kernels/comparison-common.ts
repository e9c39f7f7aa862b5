/**
 * EQUAL, NOT_EQUAL, GREATER, GREATER_EQUAL, LESS, LESS_EQUAL (comparisons.cc), with broadcasting, to a bool
 * output. float32 / int32 / int64 / bool compare the raw values (NoScaling); int8, and int16 for GREATER only (the
 * one Eval with an int16 case), compare WithScaling: both inputs rescaled to a common fixed point, (x - zero point)
 * << 8 times QuantizeMultiplierSmallerThanOneExp(scale), so inputs of different quantization compare by real
 * value. int64 tensors are raw byte views (a double cannot hold every int64), compared word by word.
 */
import { OP_DATA } from '../memory/device-layout';
import { quantizeMultiplier, roundingDivideByPOT, saturatingRoundingDoublingHighMul } from '../quant/fixed-point';
import { scaleOf, zeroPointOf } from '../quant/quant-params';
import { BroadcastPlan, planBroadcast } from './broadcast';
import { compareInt64 } from './int64-common';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

/** The comparison itself, as a number so the eval loop has no per-element call. */
export const Cmp = { EQ: 0, NE: 1, GT: 2, GE: 3, LT: 4, LE: 5 } as const;
type CmpCode = (typeof Cmp)[keyof typeof Cmp];

const LEFT_SHIFT = 8;

interface ComparisonData {
  cmp: CmpCode;
  plan: BroadcastPlan;
  scaled: boolean;
  /** int64 inputs: `io.inputs` are raw little-endian byte views, compared word by word. */
  int64: boolean;
  offset1: number;
  multiplier1: number;
  shift1: number;
  offset2: number;
  multiplier2: number;
  shift2: number;
}

/** QuantizeMultiplierSmallerThanOneExp: TFLM aborts (TFLITE_CHECK) unless 0 < scale < 1; we refuse the model. */
function smallerThanOne(ctx: PrepareContext, scale: number, what: string): { multiplier: number; shift: number } {
  if (!(scale > 0 && scale < 1)) ctx.unsupported(`${what} scale ${scale} must be in (0, 1)`);
  return quantizeMultiplier(scale);
}

function prepareComparison(ctx: PrepareContext, cmp: CmpCode, types: readonly string[]): Prepared<ComparisonData> {
  const a = ctx.input(0);
  const b = ctx.input(1);
  const out = ctx.output(0);
  ctx.expectType(a, types, 'input1');
  if (b.dtype !== a.dtype) ctx.unsupported(`mixed input types ${a.dtype} / ${b.dtype}`);
  if (out.dtype !== 'bool') ctx.unsupported(`output type ${out.dtype}, expected bool`);
  ctx.opData(OP_DATA.comparison);
  const data: ComparisonData = {
    cmp,
    plan: planBroadcast(ctx, a, b, out),
    scaled: a.dtype === 'int8' || a.dtype === 'int16',
    int64: a.dtype === 'int64',
    offset1: 0,
    multiplier1: 0,
    shift1: 0,
    offset2: 0,
    multiplier2: 0,
    shift2: 0,
  };
  if (data.scaled) {
    const q1 = smallerThanOne(ctx, scaleOf(a), 'input1');
    const q2 = smallerThanOne(ctx, scaleOf(b), 'input2');
    data.offset1 = -zeroPointOf(a);
    data.offset2 = -zeroPointOf(b);
    data.multiplier1 = q1.multiplier;
    data.shift1 = q1.shift;
    data.multiplier2 = q2.multiplier;
    data.shift2 = q2.shift;
  }
  return { data };
}

/** MultiplyByQuantizedMultiplierSmallerThanOneExp of ((offset + x) << 8); |x| < 2^17 so the shift cannot wrap. */
function rescale(x: number, offset: number, multiplier: number, shift: number): number {
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul((offset + x) << LEFT_SHIFT, multiplier), -shift);
}

function evalComparison(d: ComparisonData, io: KernelIo): void {
  const a = io.inputs[0] as TensorData;
  const b = io.inputs[1] as TensorData;
  const out = io.outputs[0];
  const { size, same, index1, index2 } = d.plan;
  for (let o = 0; o < size; o++) {
    const i = same ? o : index1[o];
    const j = same ? o : index2[o];
    let x: number;
    let y: number;
    if (d.int64) {
      // x op y has the truth value of (a[i] op b[j]) for every comparison below.
      x = compareInt64(a, i, b, j);
      y = 0;
    } else if (d.scaled) {
      x = rescale(a[i], d.offset1, d.multiplier1, d.shift1);
      y = rescale(b[j], d.offset2, d.multiplier2, d.shift2);
    } else {
      x = a[i];
      y = b[j];
    }
    let r: boolean;
    switch (d.cmp) {
      case Cmp.EQ:
        r = x === y;
        break;
      case Cmp.NE:
        r = x !== y;
        break;
      case Cmp.GT:
        r = x > y;
        break;
      case Cmp.GE:
        r = x >= y;
        break;
      case Cmp.LT:
        r = x < y;
        break;
      default:
        r = x <= y;
    }
    out[o] = r ? 1 : 0;
  }
}

// In the order of comparisons.cc's Eval switches.
const ORDERED_TYPES = ['float32', 'int32', 'int64', 'int8'] as const;
const GREATER_TYPES = [...ORDERED_TYPES, 'int16'] as const;
const EQUALITY_TYPES = ['bool', 'float32', 'int32', 'int64', 'int8'] as const;

export function comparisonKernel(op: string, cmp: CmpCode): Kernel<ComparisonData> {
  const types = cmp === Cmp.EQ || cmp === Cmp.NE ? EQUALITY_TYPES : cmp === Cmp.GT ? GREATER_TYPES : ORDERED_TYPES;
  return { op, types, prepare: (ctx) => prepareComparison(ctx, cmp, types), eval: evalComparison };
}
