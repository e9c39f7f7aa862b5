/**
 * PRELU (prelu.cc, prelu_common.cc), alpha broadcast against the input. float32: x >= 0 ? x : x * alpha (one float
 * multiply). int8: x - zero point >= 0 is requantized by input / output scale; below, (x - zp)(alpha - alpha zp)
 * by input · alpha / output scale (doubles, QuantizeMultiplier); plus the output zero point, clamped.
 */
import { OP_DATA } from '../memory/device-layout';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../quant/fixed-point';
import { scaleOf, zeroPointOf } from '../quant/quant-params';
import { BroadcastPlan, planBroadcast } from './broadcast';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

const { fround: mathFround } = Math;

interface PreluData {
  isFloat: boolean;
  plan: BroadcastPlan;
  inputOffset: number;
  alphaOffset: number;
  outputOffset: number;
  multiplier1: number;
  shift1: number;
  multiplier2: number;
  shift2: number;
}

function prepare(ctx: PrepareContext): Prepared<PreluData> {
  const input = ctx.input(0);
  const alpha = ctx.input(1);
  const output = ctx.output(0);
  ctx.expectType(input, ['float32', 'int8'], 'input');
  if (alpha.dtype !== input.dtype || output.dtype !== input.dtype) ctx.unsupported('mixed input/alpha/output types');
  ctx.opData(OP_DATA.prelu);
  const data: PreluData = {
    isFloat: input.dtype === 'float32',
    plan: planBroadcast(ctx, input, alpha, output),
    inputOffset: 0,
    alphaOffset: 0,
    outputOffset: 0,
    multiplier1: 0,
    shift1: 0,
    multiplier2: 0,
    shift2: 0,
  };
  if (data.isFloat) return { data };
  const inputScale = mathFround(scaleOf(input));
  const alphaScale = mathFround(scaleOf(alpha));
  const outputScale = mathFround(scaleOf(output));
  if (!(inputScale > 0) || !(alphaScale > 0) || !(outputScale > 0))
    ctx.fail('int8 input, alpha and output need positive quantization scales');
  const q1 = quantizeMultiplier(inputScale / outputScale);
  const q2 = quantizeMultiplier((inputScale * alphaScale) / outputScale);
  data.inputOffset = -zeroPointOf(input);
  data.alphaOffset = -zeroPointOf(alpha);
  data.outputOffset = zeroPointOf(output);
  data.multiplier1 = q1.multiplier;
  data.shift1 = q1.shift;
  data.multiplier2 = q2.multiplier;
  data.shift2 = q2.shift;
  return { data };
}

function evalPrelu(d: PreluData, io: KernelIo): void {
  const input = io.inputs[0] as Float32Array | Int8Array;
  const alpha = io.inputs[1] as Float32Array | Int8Array;
  const output = io.outputs[0];
  const { size, same, index1, index2 } = d.plan;
  for (let o = 0; o < size; o++) {
    const x = same ? input[o] : input[index1[o]];
    const a = same ? alpha[o] : alpha[index2[o]];
    if (d.isFloat) {
      output[o] = x >= 0 ? x : x * a;
      continue;
    }
    const inputValue = d.inputOffset + x;
    const v =
      (inputValue >= 0
        ? multiplyByQuantizedMultiplier(inputValue, d.multiplier1, d.shift1)
        : multiplyByQuantizedMultiplier(inputValue * (d.alphaOffset + a), d.multiplier2, d.shift2)) + d.outputOffset;
    output[o] = v < -128 ? -128 : v > 127 ? 127 : v;
  }
}

export const preluKernel: Kernel<PreluData> = { op: 'PRELU', types: ['float32', 'int8'], prepare, eval: evalPrelu };
