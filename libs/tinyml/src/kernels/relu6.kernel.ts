/**
 * RELU6 (activations.cc Relu6Eval): float clamp to [0, 6]; int8 and int16 Relu6Quantized clamp the raw values to
 * the input's zero point and its quantized 6.0 (Relu6Prepare: FloatToQuantizedType on the input's scale and zero
 * point, saturated to the type) without rescaling.
 */
import { OP_DATA } from '../memory/device-layout';
import { roundHalfAwayFromZero } from '../quant/fixed-point';
import { scaleOf, typeRange, zeroPointOf } from '../quant/quant-params';
import { INPUT, OUTPUT, unaryTensors } from './elementwise-common';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

interface Relu6Data {
  count: number;
  lower: number;
  upper: number;
}

export const relu6Kernel: Kernel<Relu6Data> = {
  op: 'RELU6',
  types: ['float32', 'int8', 'int16'],
  prepare(ctx: PrepareContext): Prepared<Relu6Data> {
    const { input } = unaryTensors(ctx, ['float32', 'int8', 'int16']);
    ctx.opData(OP_DATA.relu6);
    if (input.dtype === 'float32') return { data: { count: input.elementCount, lower: 0, upper: 6 } };
    const [min, max] = typeRange(input.dtype);
    const zp = zeroPointOf(input);
    const six = zp + roundHalfAwayFromZero(Math.fround(6 / Math.fround(scaleOf(input))));
    return { data: { count: input.elementCount, lower: zp, upper: Math.max(min, Math.min(max, six)) } };
  },
  eval(d: Relu6Data, io: KernelIo): void {
    const input = io.inputs[INPUT] as Int8Array | Int16Array | Float32Array;
    const output = io.outputs[OUTPUT];
    const { lower, upper } = d;
    for (let i = 0; i < d.count; i++) {
      const v = input[i];
      output[i] = v > upper ? upper : v < lower ? lower : v;
    }
  },
};
