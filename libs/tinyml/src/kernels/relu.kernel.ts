/**
 * RELU (activations.cc ReluEval): float max(0, x); int8 and int16 ReluQuantized: requantize by input / output
 * scale, then clamp at the output zero point (CalculateReluOpData). int16 needs zero points 0 (ReluPrepare).
 */
import { OP_DATA } from '../memory/device-layout';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../quant/fixed-point';
import { scaleOf, typeRange, zeroPointOf } from '../quant/quant-params';
import { INPUT, OUTPUT, unaryTensors } from './elementwise-common';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

interface ReluData {
  isFloat: boolean;
  count: number;
  inputZeroPoint: number;
  outputZeroPoint: number;
  multiplier: number;
  shift: number;
  actMin: number;
  actMax: number;
}

export const reluKernel: Kernel<ReluData> = {
  op: 'RELU',
  types: ['float32', 'int8', 'int16'],
  prepare(ctx: PrepareContext): Prepared<ReluData> {
    const { input, output } = unaryTensors(ctx, ['float32', 'int8', 'int16']);
    const isFloat = input.dtype === 'float32';
    ctx.opData(OP_DATA.relu);
    if (input.dtype === 'int16' && (zeroPointOf(input) !== 0 || zeroPointOf(output) !== 0))
      ctx.unsupported('int16 RELU needs zero points 0');
    const q = isFloat ? { multiplier: 0, shift: 0 } : quantizeMultiplier(scaleOf(input) / scaleOf(output));
    const zp = zeroPointOf(output);
    const [typeMin, typeMax] = isFloat ? [0, 0] : typeRange(input.dtype);
    return {
      data: {
        isFloat,
        count: input.elementCount,
        inputZeroPoint: zeroPointOf(input),
        outputZeroPoint: zp,
        multiplier: q.multiplier,
        shift: q.shift,
        // The quantized 0.0 (roundf(0 / scale) is 0) and the type's maximum.
        actMin: isFloat ? 0 : Math.max(typeMin, zp),
        actMax: typeMax,
      },
    };
  },
  eval(d: ReluData, io: KernelIo): void {
    const input = io.inputs[INPUT] as Int8Array | Int16Array | Float32Array;
    const output = io.outputs[OUTPUT];
    if (d.isFloat) {
      for (let i = 0; i < d.count; i++) output[i] = input[i] > 0 ? input[i] : 0;
      return;
    }
    for (let i = 0; i < d.count; i++) {
      let v = d.outputZeroPoint + multiplyByQuantizedMultiplier(input[i] - d.inputZeroPoint, d.multiplier, d.shift);
      if (v < d.actMin) v = d.actMin;
      else if (v > d.actMax) v = d.actMax;
      output[i] = v;
    }
  },
};
