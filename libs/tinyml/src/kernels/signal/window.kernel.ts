/** CUSTOM:SignalWindow (signal/micro/kernels/window.cc): int16 samples times an int16 window, >> shift, saturated. */
import type { StructLayout } from '../../memory/device-layout';
import type { Kernel, KernelIo, PrepareContext, Prepared } from '../kernel.types';
import { intOption } from './signal-common';

/** window.cc TFLMSignalWindowParams {shift, input_size}, allocated in Init. */
const WINDOW_PARAMS: StructLayout = { name: 'TFLMSignalWindowParams', fields: ['i32', 'i32'] };

interface WindowData {
  size: number;
  windowLength: number;
  shift: number;
}

export const signalWindowKernel: Kernel<WindowData> = {
  op: 'CUSTOM:SignalWindow',
  types: ['int16'],
  prepare(ctx: PrepareContext): Prepared<WindowData> {
    if (ctx.inputCount() !== 2) ctx.fail('expects 2 inputs');
    const input = ctx.input(0);
    const weights = ctx.input(1);
    const output = ctx.output(0);
    for (const [t, what] of [
      [input, 'input'],
      [weights, 'weights'],
      [output, 'output'],
    ] as const)
      ctx.expectType(t, ['int16'], what);
    if (input.shape.length < 1 || weights.shape.length !== 1 || input.shape.length !== output.shape.length)
      ctx.fail('input must have rank >= 1, weights rank 1, output the rank of the input');
    ctx.expectSameCount(input, output, 'input/output');
    const windowLength = weights.shape[0];
    if (windowLength === 0 || input.elementCount % windowLength !== 0)
      ctx.fail(`input of ${input.elementCount} samples is not a whole number of ${windowLength}-sample windows`);
    const shift = intOption(ctx, ctx.customOptions(), 'shift', 0, 31);
    ctx.opData(WINDOW_PARAMS);
    return { data: { size: input.elementCount, windowLength, shift } };
  },
  eval(d: WindowData, io: KernelIo): void {
    const input = io.inputs[0] as Int16Array;
    const weights = io.inputs[1] as Int16Array;
    const output = io.outputs[0] as Int16Array;
    const n = d.windowLength;
    for (let i = 0; i < d.size; i++) {
      // |sample * weight| <= 2^30: exact in int32, and >> is the arithmetic shift C++ uses.
      const raw = (input[i] * weights[i % n]) >> d.shift;
      output[i] = raw < -32768 ? -32768 : raw > 32767 ? 32767 : raw;
    }
  },
};
