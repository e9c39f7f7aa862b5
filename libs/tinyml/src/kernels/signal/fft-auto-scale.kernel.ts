/**
 * CUSTOM:SignalFftAutoScale (signal/src/fft_auto_scale.cc): shifts an int16 frame left by as many bits as its
 * peak allows, and outputs that bit count (int32 scalar) for SignalFilterBankSquareRoot to undo.
 */
import type { Kernel, KernelIo, PrepareContext, Prepared } from '../kernel.types';
import { mostSignificantBit32 } from './signal-common';

interface FftAutoScaleData {
  size: number;
}

export const signalFftAutoScaleKernel: Kernel<FftAutoScaleData> = {
  op: 'CUSTOM:SignalFftAutoScale',
  types: ['int16'],
  prepare(ctx: PrepareContext): Prepared<FftAutoScaleData> {
    if (ctx.inputCount() !== 1 || ctx.node.outputs.length !== 2) ctx.fail('expects 1 input and 2 outputs');
    const input = ctx.input(0);
    const output = ctx.output(0);
    const scaleBits = ctx.output(1);
    ctx.expectType(input, ['int16'], 'input');
    ctx.expectType(output, ['int16'], 'output');
    ctx.expectType(scaleBits, ['int32'], 'scale bits output');
    if (input.shape.length !== 1 || output.shape.length !== 1 || scaleBits.shape.length !== 0)
      ctx.fail('input and output must be rank 1, scale bits a scalar');
    ctx.expectSameCount(input, output, 'input/output');
    return { data: { size: output.shape[0] } };
  },
  eval(d: FftAutoScaleData, io: KernelIo): void {
    const input = io.inputs[0] as Int16Array;
    const output = io.outputs[0] as Int16Array;
    // MaxAbs16 keeps its running maximum in an int16: -(-32768) wraps back to -32768, exactly as in C++.
    let max = 0;
    for (let i = 0; i < d.size; i++) {
      const v = input[i];
      if (v > max) max = v;
      else if (-v > max) max = (-v << 16) >> 16;
    }
    let scaleBits = 16 - mostSignificantBit32(max >>> 0) - 1;
    if (scaleBits <= 0) scaleBits = 0;
    const factor = 1 << scaleBits;
    for (let i = 0; i < d.size; i++) output[i] = input[i] * factor;
    (io.outputs[1] as Int32Array)[0] = scaleBits;
  },
};
