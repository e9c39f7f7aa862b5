/**
 * DIV, float32 and int32 (TFLM div.cc: reference_ops::Div / BroadcastDivSlow, then the fused activation range).
 * int32 is unquantized, as TFLM requires, and divides like C++ (truncating toward zero); a zero divisor, which
 * is undefined in C++, gives 0 (what Cortex-M's SDIV returns) and INT32_MIN / -1 wraps to INT32_MIN. The
 * quantized int8 DIV is not implemented. Device memory: TfLiteDivParams and OpDataDiv, like TFLM.
 */
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import { activationRangeFloat, activationRangeInt32 } from '../quant/quant-params';
import { BroadcastPlan, planBroadcast } from './broadcast';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

// Bound once at load: looking up the global `Math` inside hot loops is slow in vm sandboxes (e.g. Jest).
const { fround: mathFround } = Math;

const INPUT1 = 0;
const INPUT2 = 1;
const OUTPUT = 0;
const OPT_ACTIVATION = 0;

interface DivData {
  isFloat: boolean;
  plan: BroadcastPlan;
  actMin: number;
  actMax: number;
}

export const divKernel: Kernel<DivData> = {
  op: 'DIV',
  types: ['float32', 'int32'],
  prepare(ctx: PrepareContext): Prepared<DivData> {
    const in1 = ctx.input(INPUT1);
    const in2 = ctx.input(INPUT2);
    const out = ctx.output(OUTPUT);
    ctx.expectType(in1, ['int32', 'float32'], 'input1');
    if (in2.dtype !== in1.dtype || out.dtype !== in1.dtype) ctx.unsupported('mixed input/output types');
    const isFloat = in1.dtype === 'float32';
    if (!isFloat && [in1, in2].some((t) => (t.quantization?.scales.length ?? 0) > 0))
      ctx.unsupported('int32 DIV inputs must be unquantized');
    const activation = ctx.options?.i8(OPT_ACTIVATION) ?? 0;
    const range = isFloat ? activationRangeFloat(activation) : activationRangeInt32(activation);
    if (!range) ctx.unsupported(`activation ${activation}`);
    ctx.builtinData(BUILTIN_DATA.div);
    ctx.opData(OP_DATA.div);
    return {
      data: { isFloat, plan: planBroadcast(ctx, in1, in2, out), actMin: range[0], actMax: range[1] },
      macs: out.elementCount,
    };
  },
  eval(d: DivData, io: KernelIo): void {
    const in1 = io.inputs[INPUT1] as TensorData;
    const in2 = io.inputs[INPUT2] as TensorData;
    const out = io.outputs[OUTPUT];
    const { actMin, actMax } = d;
    const { size, same, index1, index2 } = d.plan;
    for (let o = 0; o < size; o++) {
      const a = same ? in1[o] : in1[index1[o]];
      const b = same ? in2[o] : in2[index2[o]];
      // int32: |a / b| < 2^31 + 1, so the double quotient truncates to the C++ result; ToInt32 (| 0) maps
      // +-Infinity and NaN (zero divisor) to 0 and 2^31 (INT32_MIN / -1) to INT32_MIN.
      const v = d.isFloat ? mathFround(a / b) : (a / b) | 0;
      out[o] = v < actMin ? actMin : v > actMax ? actMax : v;
    }
  },
};
