/**
 * LEAKY_RELU (leaky_relu.cc, reference_ops::LeakyRelu / QuantizeLeakyRelu): float32 x > 0 ? x : x * alpha;
 * int8 / int16 requantize x - zero point with the identity multiplier (x >= 0) or the alpha multiplier
 * (x < 0), add the output zero point and clamp to the type's range.
 */
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../quant/fixed-point';
import { scaleOf, typeRange, zeroPointOf } from '../quant/quant-params';
import { INPUT, OUTPUT, unaryTensors } from './elementwise-common';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

const { fround: mathFround } = Math;

// LeakyReluOptions field id.
const OPT_ALPHA = 0;

interface LeakyReluData {
  isFloat: boolean;
  count: number;
  alpha: number;
  inputZeroPoint: number;
  outputZeroPoint: number;
  alphaMultiplier: number;
  alphaShift: number;
  identityMultiplier: number;
  identityShift: number;
  qMin: number;
  qMax: number;
}

export const leakyReluKernel: Kernel<LeakyReluData> = {
  op: 'LEAKY_RELU',
  types: ['float32', 'int8', 'int16'],
  prepare(ctx: PrepareContext): Prepared<LeakyReluData> {
    const { input, output } = unaryTensors(ctx, ['float32', 'int8', 'int16']);
    const alpha = mathFround(ctx.options?.f32(OPT_ALPHA) ?? 0);
    ctx.builtinData(BUILTIN_DATA.leakyRelu);
    ctx.opData(OP_DATA.leakyRelu);
    const isFloat = input.dtype === 'float32';
    const data: LeakyReluData = {
      isFloat,
      count: input.elementCount,
      alpha,
      inputZeroPoint: 0,
      outputZeroPoint: 0,
      alphaMultiplier: 0,
      alphaShift: 0,
      identityMultiplier: 0,
      identityShift: 0,
      qMin: 0,
      qMax: 0,
    };
    if (!isFloat) {
      const inputScale = mathFround(scaleOf(input));
      const outputScale = mathFround(scaleOf(output));
      if (!(inputScale > 0) || !(outputScale > 0)) ctx.fail('input and output need a positive quantization scale');
      // TFLM forms both ratios in float32 (input scale * alpha / output scale), then widens to double.
      const a = quantizeMultiplier(mathFround(mathFround(inputScale * alpha) / outputScale));
      const id = quantizeMultiplier(mathFround(inputScale / outputScale));
      data.inputZeroPoint = zeroPointOf(input);
      data.outputZeroPoint = zeroPointOf(output);
      data.alphaMultiplier = a.multiplier;
      data.alphaShift = a.shift;
      data.identityMultiplier = id.multiplier;
      data.identityShift = id.shift;
      [data.qMin, data.qMax] = typeRange(output.dtype);
    }
    return { data };
  },
  eval(d: LeakyReluData, io: KernelIo): void {
    const input = io.inputs[INPUT] as Float32Array | Int8Array | Int16Array;
    const output = io.outputs[OUTPUT];
    if (d.isFloat) {
      for (let i = 0; i < d.count; i++) {
        const x = input[i];
        output[i] = x > 0 ? x : mathFround(x * d.alpha);
      }
      return;
    }
    for (let i = 0; i < d.count; i++) {
      const x = input[i] - d.inputZeroPoint;
      const v =
        d.outputZeroPoint +
        (x >= 0
          ? multiplyByQuantizedMultiplier(x, d.identityMultiplier, d.identityShift)
          : multiplyByQuantizedMultiplier(x, d.alphaMultiplier, d.alphaShift));
      output[i] = v < d.qMin ? d.qMin : v > d.qMax ? d.qMax : v;
    }
  },
};
