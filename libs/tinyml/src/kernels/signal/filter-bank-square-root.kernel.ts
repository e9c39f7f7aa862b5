/** CUSTOM:SignalFilterBankSquareRoot (signal/src/filter_bank_square_root.cc): sqrt of uint64 channels >> scale bits. */
import type { Kernel, KernelIo, PrepareContext, Prepared } from '../kernel.types';
import { Uint64Words, sqrt64 } from './signal-common';

interface SquareRootData {
  channels: number;
  input: Uint64Words;
}

export const signalFilterBankSquareRootKernel: Kernel<SquareRootData> = {
  op: 'CUSTOM:SignalFilterBankSquareRoot',
  types: ['uint64'],
  prepare(ctx: PrepareContext): Prepared<SquareRootData> {
    if (ctx.inputCount() !== 2) ctx.fail('expects 2 inputs');
    const input = ctx.input(0);
    const scaleBits = ctx.input(1);
    const output = ctx.output(0);
    ctx.expectType(input, ['uint64'], 'input');
    ctx.expectType(scaleBits, ['int32'], 'scale bits');
    ctx.expectType(output, ['uint32'], 'output');
    if (input.shape.length !== 1 || scaleBits.shape.length !== 0 || output.shape.length !== 1)
      ctx.fail('input and output must be rank 1, scale bits a scalar');
    ctx.expectSameCount(input, output, 'input/output');
    return { data: { channels: input.shape[0], input: new Uint64Words() } };
  },
  eval(d: SquareRootData, io: KernelIo): void {
    const words = d.input.of(io.inputs[0] as Uint8Array);
    // The shift comes from SignalFftAutoScale at run time; C++ shifts a uint32 by it (0..15 in practice).
    const shift = (io.inputs[1] as Int32Array)[0] & 31;
    const output = io.outputs[0] as Uint32Array;
    for (let i = 0; i < d.channels; i++) output[i] = sqrt64(words[2 * i + 1], words[2 * i]) >>> shift;
  },
};
