/**
 * CUSTOM:SignalStacker (signal/micro/kernels/stacker.cc): stacks the last left_context + 1 + right_context
 * frames of num_channels values into one output vector, every stacker_step frames. STATEFUL: the frames live
 * in a ring buffer (TFLM's persistent buffer, allocated in Init) across invokes; the first frame is repeated
 * left_context times to pad the start. `reset()` empties the ring and forgets the first frame. Output 1 (bool
 * scalar) says whether this invoke produced a stack.
 */
import type { StructLayout } from '../../memory/device-layout';
import type { Kernel, KernelIo, PrepareContext, Prepared } from '../kernel.types';
import { CircularBufferInt16, circularBufferLayout } from './circular-buffer';
import { checkState, intOption } from './signal-common';

/**
 * stacker.cc TFLMSignalStackerParams {num_channels, stacker_left_context, stacker_right_context, stacker_step,
 * size_t buffer_size, size_t step_size, stacker_has_first_frame, state, circular_buffer}, allocated in Init
 * together with the ring.
 */
const STACKER_PARAMS: StructLayout = {
  name: 'TFLMSignalStackerParams',
  fields: ['i32', 'i32', 'i32', 'i32', 'ptr', 'ptr', 'i8', 'ptr', 'ptr'],
};

interface StackerData {
  channels: number;
  leftContext: number;
  /** Values per stack (TFLM's buffer_size) and values dropped after each stack (step_size). */
  stackSize: number;
  stepSize: number;
  hasFirstFrame: boolean;
  ring: CircularBufferInt16;
}

export const signalStackerKernel: Kernel<StackerData> = {
  op: 'CUSTOM:SignalStacker',
  types: ['int16'],
  prepare(ctx: PrepareContext): Prepared<StackerData> {
    if (ctx.inputCount() !== 1 || ctx.node.outputs.length !== 2) ctx.fail('expects 1 input and 2 outputs');
    const input = ctx.input(0);
    const output = ctx.output(0);
    const valid = ctx.output(1);
    ctx.expectType(input, ['int16'], 'input');
    ctx.expectType(output, ['int16'], 'output');
    ctx.expectType(valid, ['bool'], 'output_valid');
    if (input.shape.length !== 1 || output.shape.length !== 1 || valid.shape.length !== 0)
      ctx.fail('input and output must be rank 1, output_valid a scalar');
    const options = ctx.customOptions();
    const channels = intOption(ctx, options, 'num_channels', 1, 1 << 16);
    const leftContext = intOption(ctx, options, 'stacker_left_context', 0, 1 << 10);
    const rightContext = intOption(ctx, options, 'stacker_right_context', 0, 1 << 10);
    // A step of 0 would make TFLM discard nothing (its Discard asserts n > 0) and overflow the ring.
    const step = intOption(ctx, options, 'stacker_step', 1, 1 << 10);
    const stackSize = channels * (leftContext + rightContext + 1);
    if (input.elementCount < channels) ctx.fail(`input holds fewer than num_channels = ${channels} values`);
    if (output.elementCount < stackSize) ctx.fail(`output holds fewer than the ${stackSize} stacked values`);
    if (step > leftContext + rightContext + 1) ctx.fail(`stacker_step ${step} is longer than the stack`);
    checkState(ctx, 1, 2 * stackSize);
    ctx.opData(STACKER_PARAMS);
    ctx.opData(circularBufferLayout(stackSize));
    return {
      data: {
        channels,
        leftContext,
        stackSize,
        stepSize: channels * step,
        hasFirstFrame: false,
        ring: new CircularBufferInt16(stackSize),
      },
    };
  },
  eval(d: StackerData, io: KernelIo): void {
    const input = io.inputs[0] as Int16Array;
    const output = io.outputs[0] as Int16Array;
    const valid = io.outputs[1] as Uint8Array;
    d.ring.write(input, 0, d.channels);
    if (!d.hasFirstFrame) {
      d.ring.extend(d.channels, d.leftContext);
      d.hasFirstFrame = true;
    }
    if (d.ring.available() >= d.stackSize) {
      d.ring.get(d.stackSize, output, 0);
      d.ring.discard(d.stepSize);
      valid[0] = 1;
    } else {
      // TFLM leaves the output as the arena held it; zeros keep it independent of the memory plan.
      output.fill(0, 0, d.stackSize);
      valid[0] = 0;
    }
  },
  reset(d: StackerData): void {
    d.ring.reset();
    d.hasFirstFrame = false;
  },
};
