/** RELU: float max(0, x); int8 requantizes then clamps at the quantized zero (TFLM ReluQuantized). */
import { OP_DATA } from '../memory/device-layout';
import { multiplyByQuantizedMultiplier, quantizeMultiplier, roundHalfAwayFromZero } from '../quant/fixed-point';
import { scaleOf, zeroPointOf } from '../quant/quant-params';
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
  types: ['float32', 'int8'],
  prepare(ctx: PrepareContext): Prepared<ReluData> {
    const { input, output } = unaryTensors(ctx, ['int8', 'float32']);
    const isFloat = input.dtype === 'float32';
    ctx.opData(OP_DATA.relu);
    const q = isFloat ? { multiplier: 0, shift: 0 } : quantizeMultiplier(scaleOf(input) / scaleOf(output));
    const zp = zeroPointOf(output);
    return {
      data: {
        isFloat,
        count: input.elementCount,
        inputZeroPoint: zeroPointOf(input),
        outputZeroPoint: zp,
        multiplier: q.multiplier,
        shift: q.shift,
        actMin: isFloat ? 0 : Math.max(-128, zp + roundHalfAwayFromZero(0)),
        actMax: 127,
      },
    };
  },
  eval(d: ReluData, io: KernelIo): void {
    const input = io.inputs[INPUT] as Int8Array | Float32Array;
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
