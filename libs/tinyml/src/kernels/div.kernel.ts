/**
 * DIV (div.cc DivEval): float32 and int32 (reference_ops::Div / BroadcastDivSlow, then the fused activation range)
 * and quantized int8 (reference_ops::DivElementwise on each broadcast pair). int32 is unquantized, as TFLM
 * requires, and divides like C++ (truncating toward zero); a zero divisor, which is undefined in C++, gives 0
 * (what Cortex-M's SDIV returns) and INT32_MIN / -1 wraps to INT32_MIN. int8: both inputs less their zero points,
 * the signs moved to the dividend, the divisor's reciprocal from GetReciprocal (normalised into [1, 2), gemmlowp's
 * one_over_one_plus_x_for_x_in_0_1), the dividend shifted up by its headroom, then s1 / (s2 * so) as a Q31
 * multiplier with the combined shift, the output zero point and the activation clamp. Device memory:
 * TfLiteDivParams and OpDataDiv, like TFLM.
 */
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import {
  multiplyByQuantizedMultiplierGreaterThanOne,
  quantizeMultiplier,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '../quant/fixed-point';
import { oneOverOnePlusXForXIn01 } from '../quant/gemmlowp';
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
const { clz32: mathClz32, fround: mathFround } = Math;

const INPUT1 = 0;
const INPUT2 = 1;
const OUTPUT = 0;
const OPT_ACTIVATION = 0;

/**
 * The largest output shift the int8 path takes: the dividend (|x| <= 255) always has 23 bits of headroom, so
 * total_shift = output_shift - recip_shift - headroom stays <= 0 and RoundingDivideByPOT never gets a negative
 * exponent (undefined in gemmlowp) — a real multiplier below 2^23.
 */
const MAX_INT8_OUTPUT_SHIFT = 23;

interface DivData {
  type: 'float32' | 'int32' | 'int8';
  plan: BroadcastPlan;
  actMin: number;
  actMax: number;
  input1Offset: number;
  input2Offset: number;
  outputOffset: number;
  outputMultiplier: number;
  outputShift: number;
}

/**
 * gemmlowp RoundingDivideByPOT as the x86-64 reference build runs it for every exponent. DivElementwise passes
 * exponents above 31 whenever the dividend is 0 or -1 (31 bits of headroom), outside gemmlowp's asserted range:
 * there the int32 mask `(1ll << e) - 1` is -1, so the remainder is x and the threshold -1 (x >= 0) or 0, and x86's
 * `sar` shifts by e mod 32. A dividend of 0 thus gives 1, not 0, before the output offset.
 */
function roundingDivideByPOTAnyExponent(x: number, exponent: number): number {
  if (exponent <= 31) return roundingDivideByPOT(x, exponent);
  const threshold = x < 0 ? 0 : -1;
  return (x >> (exponent & 31)) + (x > threshold ? 1 : 0);
}

/** CountLeadingSignBits (GCC's __builtin_clrsb; 31 for 0 and -1). */
function countLeadingSignBits(x: number): number {
  return mathClz32(x < 0 ? ~x : x) - 1;
}

/** reference_ops::DivElementwise for one int8 pair, before the output offset and clamp. */
function divInt8(x1: number, x2: number, d: DivData): number {
  let a = x1 + d.input1Offset;
  let b = x2 + d.input2Offset;
  if (b < 0) {
    a = -a;
    b = -b;
  }
  // GetReciprocal(b, 31): b = 2^recipShift * (1 + f) with f in [0, 1), and the Q31 inverse is 1 / (1 + f). A zero
  // divisor (undefined in the reference) follows x86's shift semantics: clz32(0) = 32 and `<< 32` keeps b.
  const headroomPlusOne = mathClz32(b);
  const recipShift = 31 - headroomPlusOne;
  const inverse = oneOverOnePlusXForXIn01(((b << headroomPlusOne) - 0x80000000) | 0);
  const headroom = countLeadingSignBits(a);
  const unscaled = multiplyByQuantizedMultiplierGreaterThanOne(a, inverse, headroom);
  // MultiplyByQuantizedMultiplierSmallerThanOneExp with left shift total_shift <= 0.
  const totalShift = d.outputShift - recipShift - headroom;
  return roundingDivideByPOTAnyExponent(saturatingRoundingDoublingHighMul(unscaled, d.outputMultiplier), -totalShift);
}

export const divKernel: Kernel<DivData> = {
  op: 'DIV',
  types: ['float32', 'int32', 'int8'],
  prepare(ctx: PrepareContext): Prepared<DivData> {
    const in1 = ctx.input(INPUT1);
    const in2 = ctx.input(INPUT2);
    const out = ctx.output(OUTPUT);
    ctx.expectType(in1, ['float32', 'int32', 'int8'], 'input1');
    if (in2.dtype !== in1.dtype || out.dtype !== in1.dtype) ctx.unsupported('mixed input/output types');
    const type = in1.dtype as DivData['type'];
    if (type === 'int32' && [in1, in2].some((t) => (t.quantization?.scales.length ?? 0) > 0))
      ctx.unsupported('int32 DIV inputs must be unquantized');
    const activation = ctx.options?.i8(OPT_ACTIVATION) ?? 0;
    const range =
      type === 'float32'
        ? activationRangeFloat(activation)
        : type === 'int32'
          ? activationRangeInt32(activation)
          : activationRangeQuantized(activation, out);
    if (!range) ctx.unsupported(`activation ${activation}`);
    ctx.builtinData(BUILTIN_DATA.div);
    ctx.opData(OP_DATA.div);
    const data: DivData = {
      type,
      plan: planBroadcast(ctx, in1, in2, out),
      actMin: range[0],
      actMax: range[1],
      input1Offset: 0,
      input2Offset: 0,
      outputOffset: 0,
      outputMultiplier: 0,
      outputShift: 0,
    };
    if (type === 'int8') {
      // CalculateOpDataDiv: input1->scale / (input2->scale * output->scale) in float, then QuantizeMultiplier.
      const s1 = mathFround(scaleOf(in1));
      const s2 = mathFround(scaleOf(in2));
      const so = mathFround(scaleOf(out));
      if (!(s1 > 0 && s2 > 0 && so > 0)) ctx.fail('int8 DIV needs positive quantization scales');
      const q = quantizeMultiplier(mathFround(s1 / mathFround(s2 * so)));
      if (q.shift > MAX_INT8_OUTPUT_SHIFT) ctx.unsupported(`int8 DIV real multiplier >= 2^${MAX_INT8_OUTPUT_SHIFT}`);
      data.input1Offset = -zeroPointOf(in1);
      data.input2Offset = -zeroPointOf(in2);
      data.outputOffset = zeroPointOf(out);
      data.outputMultiplier = q.multiplier;
      data.outputShift = q.shift;
    }
    return { data, macs: out.elementCount };
  },
  eval(d: DivData, io: KernelIo): void {
    const in1 = io.inputs[INPUT1] as TensorData;
    const in2 = io.inputs[INPUT2] as TensorData;
    const out = io.outputs[OUTPUT];
    const { actMin, actMax, type } = d;
    const { size, same, index1, index2 } = d.plan;
    for (let o = 0; o < size; o++) {
      const a = same ? in1[o] : in1[index1[o]];
      const b = same ? in2[o] : in2[index2[o]];
      // int32: |a / b| < 2^31 + 1, so the double quotient truncates to the C++ result; ToInt32 (| 0) maps
      // +-Infinity and NaN (zero divisor) to 0 and 2^31 (INT32_MIN / -1) to INT32_MIN.
      const v =
        type === 'float32' ? mathFround(a / b) : type === 'int32' ? (a / b) | 0 : d.outputOffset + divInt8(a, b, d);
      out[o] = v < actMin ? actMin : v > actMax ? actMax : v;
    }
  },
};
