/**
 * CUSTOM:SignalFramer (signal/micro/kernels/framer.cc): cuts a stream of int16 samples, frame_step new samples
 * at a time, into overlapping frames of frame_size. STATEFUL: each row of the input (every dimension but the
 * innermost) has its own ring buffer that carries the last frame_size - frame_step samples into the next
 * invoke (TFLM's persistent buffers), cleared at prepare and by `reset()`; with `prefill` the ring starts with
 * that many zeros, so the first frame is ready at once. Output 1 (bool scalar) says whether every frame of
 * this invoke was ready.
 */
import type { StructLayout } from '../../memory/device-layout';
import type { Kernel, KernelIo, PrepareContext, Prepared } from '../kernel.types';
import { CircularBufferInt16, circularBufferLayout } from './circular-buffer';
import { boolOption, checkState, intOption, pointerArray } from './signal-common';

/**
 * framer.cc TFLMSignalFramerParams {frame_size, frame_step, outer_dims, n_frames, prefill, state_buffers,
 * circular_buffers}, allocated in Init.
 */
const FRAMER_PARAMS: StructLayout = {
  name: 'TFLMSignalFramerParams',
  fields: ['i32', 'i32', 'i32', 'i32', 'i8', 'ptr', 'ptr'],
};

interface FramerData {
  frameSize: number;
  frameStep: number;
  framesPerRow: number;
  prefill: boolean;
  rings: CircularBufferInt16[];
}

function resetRings(d: FramerData): void {
  for (const ring of d.rings) {
    ring.reset();
    if (d.prefill) ring.writeZeros(d.frameSize - d.frameStep);
  }
}

export const signalFramerKernel: Kernel<FramerData> = {
  op: 'CUSTOM:SignalFramer',
  types: ['int16'],
  prepare(ctx: PrepareContext): Prepared<FramerData> {
    if (ctx.inputCount() !== 1 || ctx.node.outputs.length !== 2) ctx.fail('expects 1 input and 2 outputs');
    const input = ctx.input(0);
    const output = ctx.output(0);
    const valid = ctx.output(1);
    ctx.expectType(input, ['int16'], 'input');
    ctx.expectType(output, ['int16'], 'output');
    ctx.expectType(valid, ['bool'], 'output_valid');
    if (input.shape.length < 1 || output.shape.length !== input.shape.length + 1)
      ctx.fail('output must have one dimension more than the input (rank >= 1)');
    if (valid.shape.length !== 0) ctx.fail('output_valid must be a scalar');
    const options = ctx.customOptions();
    const frameStep = intOption(ctx, options, 'frame_step', 1, 1 << 20);
    // frame_size < frame_step would make TFLM's prefill write a negative count of zeros.
    const frameSize = intOption(ctx, options, 'frame_size', frameStep, 1 << 20);
    const prefill = boolOption(ctx, options, 'prefill');
    const innermost = input.shape[input.shape.length - 1];
    if (innermost < frameStep || innermost % frameStep !== 0)
      ctx.fail(`innermost dimension ${innermost} is not a positive multiple of frame_step ${frameStep}`);
    const rows = input.elementCount / innermost;
    const framesPerRow = innermost / frameStep;
    if (output.elementCount !== rows * framesPerRow * frameSize)
      ctx.fail(`output holds ${output.elementCount} samples, expected ${rows * framesPerRow * frameSize}`);
    ctx.opData(FRAMER_PARAMS);
    // Prepare: the state_buffers and circular_buffers pointer arrays, then one ring per row. The capacity is
    // frame_size rounded up to a multiple of frame_step (framer.cc's choice: less than frame_size + frame_step).
    ctx.opData(pointerArray('state_buffers', rows));
    ctx.opData(pointerArray('circular_buffers', rows));
    const capacity = Math.ceil(frameSize / frameStep) * frameStep;
    checkState(ctx, rows, 2 * rows * capacity);
    const rings: CircularBufferInt16[] = [];
    for (let i = 0; i < rows; i++) {
      ctx.opData(circularBufferLayout(capacity));
      rings.push(new CircularBufferInt16(capacity));
    }
    const data: FramerData = { frameSize, frameStep, framesPerRow, prefill, rings };
    resetRings(data);
    return { data };
  },
  eval(d: FramerData, io: KernelIo): void {
    const input = io.inputs[0] as Int16Array;
    const output = io.outputs[0] as Int16Array;
    const valid = io.outputs[1] as Uint8Array;
    let allReady = 1;
    for (let row = 0; row < d.rings.length; row++) {
      const ring = d.rings[row];
      for (let frame = 0; frame < d.framesPerRow; frame++) {
        const k = row * d.framesPerRow + frame;
        ring.write(input, k * d.frameStep, d.frameStep);
        if (ring.available() >= d.frameSize) {
          ring.get(d.frameSize, output, k * d.frameSize);
          ring.discard(d.frameStep);
        } else {
          // TFLM leaves a frame that is not ready as the arena held it; zeros keep the output independent of
          // the memory plan.
          output.fill(0, k * d.frameSize, (k + 1) * d.frameSize);
          allReady = 0;
        }
      }
    }
    valid[0] = allReady;
  },
  reset(d: FramerData): void {
    resetRings(d);
  },
};
