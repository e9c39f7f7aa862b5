/** RELU6: clamp to [0, 6]; int8 clamps to the quantized 0 and 6 of the output without rescaling (TFLM Relu6). */
import { OP_DATA } from '../memory/device-layout';
import { roundHalfAwayFromZero } from '../quant/fixed-point';
import { scaleOf, zeroPointOf } from '../quant/quant-params';
import { INPUT, OUTPUT, unaryTensors } from './elementwise-common';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

interface Relu6Data {
  count: number;
  lower: number;
  upper: number;
}

export const relu6Kernel: Kernel<Relu6Data> = {
  op: 'RELU6',
  types: ['float32', 'int8'],
  prepare(ctx: PrepareContext): Prepared<Relu6Data> {
    const { input, output } = unaryTensors(ctx, ['int8', 'float32']);
    ctx.opData(OP_DATA.relu6);
    if (input.dtype === 'float32') return { data: { count: input.elementCount, lower: 0, upper: 6 } };
    const zp = zeroPointOf(output);
    const six = zp + roundHalfAwayFromZero(Math.fround(6 / Math.fround(scaleOf(output))));
    return { data: { count: input.elementCount, lower: zp, upper: Math.max(-128, Math.min(127, six)) } };
  },
  eval(d: Relu6Data, io: KernelIo): void {
    const input = io.inputs[INPUT] as Int8Array | Float32Array;
    const output = io.outputs[OUTPUT];
    const { lower, upper } = d;
    for (let i = 0; i < d.count; i++) {
      const v = input[i];
      output[i] = v > upper ? upper : v < lower ? lower : v;
    }
  },
};
