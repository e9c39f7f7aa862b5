/**
 * CUSTOM:SignalDelay (signal/micro/kernels/delay.cc): delays every row of int16 samples (the innermost
 * dimension) by delay_length samples. STATEFUL: each row keeps a ring buffer of frame + delay_length samples
 * across invokes (TFLM's persistent buffers), primed with delay_length zeros at prepare and by `reset()`.
 */
import type { StructLayout } from '../../memory/device-layout';
import type { Kernel, KernelIo, PrepareContext, Prepared } from '../kernel.types';
import { CircularBufferInt16, circularBufferLayout } from './circular-buffer';
import { checkState, intOption, pointerArray } from './signal-common';

/**
 * delay.cc TFLMSignalFrontendDelayParams {frame_size, delay_length, outer_dims, state_buffers,
 * circular_buffers}, allocated in Init.
 */
const DELAY_PARAMS: StructLayout = {
  name: 'TFLMSignalFrontendDelayParams',
  fields: ['i32', 'i32', 'i32', 'ptr', 'ptr'],
};

interface DelayData {
  frameSize: number;
  delayLength: number;
  rings: CircularBufferInt16[];
}

function primeRings(d: DelayData): void {
  for (const ring of d.rings) {
    ring.reset();
    ring.writeZeros(d.delayLength);
  }
}

export const signalDelayKernel: Kernel<DelayData> = {
  op: 'CUSTOM:SignalDelay',
  types: ['int16'],
  prepare(ctx: PrepareContext): Prepared<DelayData> {
    if (ctx.inputCount() !== 1 || ctx.node.outputs.length !== 1) ctx.fail('expects 1 input and 1 output');
    const input = ctx.input(0);
    const output = ctx.output(0);
    ctx.expectType(input, ['int16'], 'input');
    ctx.expectType(output, ['int16'], 'output');
    if (input.shape.length < 1) ctx.fail('input must have rank >= 1');
    ctx.expectSameCount(input, output, 'input/output');
    const delayLength = intOption(ctx, ctx.customOptions(), 'delay_length', 0, 1 << 20);
    const frameSize = input.shape[input.shape.length - 1];
    if (frameSize === 0) ctx.fail('empty innermost dimension');
    const rows = input.elementCount / frameSize;
    checkState(ctx, rows, 2 * rows * (frameSize + delayLength));
    ctx.opData(DELAY_PARAMS);
    ctx.opData(pointerArray('state_buffers', rows));
    ctx.opData(pointerArray('circular_buffers', rows));
    const rings: CircularBufferInt16[] = [];
    for (let i = 0; i < rows; i++) {
      ctx.opData(circularBufferLayout(frameSize + delayLength));
      rings.push(new CircularBufferInt16(frameSize + delayLength));
    }
    const data: DelayData = { frameSize, delayLength, rings };
    primeRings(data);
    return { data };
  },
  eval(d: DelayData, io: KernelIo): void {
    const input = io.inputs[0] as Int16Array;
    const output = io.outputs[0] as Int16Array;
    for (let row = 0; row < d.rings.length; row++) {
      const ring = d.rings[row];
      const start = row * d.frameSize;
      ring.write(input, start, d.frameSize);
      ring.get(d.frameSize, output, start);
      ring.discard(d.frameSize);
    }
  },
  reset(d: DelayData): void {
    primeRings(d);
  },
};
