/**
 * CUSTOM:SignalOverlapAdd (signal/micro/kernels/overlap_add.cc, signal/src/overlap_add.cc): adds each frame of
 * frame_size samples onto a running buffer and emits its first frame_step samples, then shifts the buffer by
 * frame_step (the inverse of SignalFramer). int16 sums saturate; float32 sums round to float32. STATEFUL: one
 * buffer of frame_size samples per row (TFLM's persistent buffers), zeroed at prepare and by `reset()`.
 */
import type { StructLayout } from '../../memory/device-layout';
import type { Kernel, KernelIo, PrepareContext, Prepared } from '../kernel.types';
import { checkState, intOption, pointerArray } from './signal-common';

/** TensorType codes of schema.fbs (the op's "T" option). */
const TENSOR_TYPE_FLOAT32 = 0;
const TENSOR_TYPE_INT16 = 7;

/**
 * overlap_add.cc TFLMSignalOverlapAddParams<T> {frame_size, frame_step, outer_dims, n_frames, TfLiteType type,
 * state_buffers}, allocated in Init.
 */
const OVERLAP_ADD_PARAMS: StructLayout = {
  name: 'TFLMSignalOverlapAddParams',
  fields: ['i32', 'i32', 'i32', 'i32', 'i32', 'ptr'],
};

interface OverlapAddData {
  float: boolean;
  frameSize: number;
  frameStep: number;
  framesPerRow: number;
  buffers: (Int16Array | Float32Array)[];
}

const { fround } = Math;

function overlapAddInt16(
  input: Int16Array,
  i: number,
  buffer: Int16Array,
  output: Int16Array,
  o: number,
  step: number,
) {
  const size = buffer.length;
  for (let k = 0; k < size; k++) {
    const sum = input[i + k] + buffer[k];
    buffer[k] = sum < -32768 ? -32768 : sum > 32767 ? 32767 : sum;
  }
  for (let k = 0; k < step; k++) output[o + k] = buffer[k];
  buffer.copyWithin(0, step);
  buffer.fill(0, size - step);
}

function overlapAddFloat(
  input: Float32Array,
  i: number,
  buffer: Float32Array,
  output: Float32Array,
  o: number,
  step: number,
) {
  const size = buffer.length;
  for (let k = 0; k < size; k++) buffer[k] = fround(buffer[k] + input[i + k]);
  for (let k = 0; k < step; k++) output[o + k] = buffer[k];
  buffer.copyWithin(0, step);
  buffer.fill(0, size - step);
}

export const signalOverlapAddKernel: Kernel<OverlapAddData> = {
  op: 'CUSTOM:SignalOverlapAdd',
  types: ['int16', 'float32'],
  prepare(ctx: PrepareContext): Prepared<OverlapAddData> {
    if (ctx.inputCount() !== 1 || ctx.node.outputs.length !== 1) ctx.fail('expects 1 input and 1 output');
    const input = ctx.input(0);
    const output = ctx.output(0);
    const options = ctx.customOptions();
    const type = intOption(ctx, options, 'T', 0, 255);
    if (type !== TENSOR_TYPE_INT16 && type !== TENSOR_TYPE_FLOAT32)
      ctx.unsupported(`type ${type}: TFLM's OverlapAdd has int16 (T = 7) and float32 (T = 0) variants`);
    const dtype = type === TENSOR_TYPE_INT16 ? 'int16' : 'float32';
    ctx.expectType(input, [dtype], 'input');
    ctx.expectType(output, [dtype], 'output');
    if (input.shape.length < 2 || input.shape.length !== output.shape.length + 1)
      ctx.fail('input must have rank >= 2 and one dimension more than the output');
    const frameSize = input.shape[input.shape.length - 1];
    const framesPerRow = input.shape[input.shape.length - 2];
    if (frameSize === 0 || framesPerRow === 0) ctx.fail('empty frames');
    // frame_step > frame_size would shift the buffer by more than it holds (a negative memmove in TFLM).
    const frameStep = intOption(ctx, options, 'frame_step', 1, frameSize);
    const rows = input.elementCount / (frameSize * framesPerRow);
    if (output.elementCount !== rows * framesPerRow * frameStep)
      ctx.fail(`output holds ${output.elementCount} samples, expected ${rows * framesPerRow * frameStep}`);
    checkState(ctx, rows, rows * frameSize);
    ctx.opData(OVERLAP_ADD_PARAMS);
    ctx.opData(pointerArray('state_buffers', rows));
    const buffers: (Int16Array | Float32Array)[] = [];
    for (let i = 0; i < rows; i++)
      buffers.push(
        dtype === 'int16'
          ? ctx.persistentArray('int16', frameSize, 'overlap-add buffer')
          : ctx.persistentArray('float32', frameSize, 'overlap-add buffer'),
      );
    return {
      data: { float: dtype === 'float32', frameSize, frameStep, framesPerRow, buffers },
      macs: rows * framesPerRow * frameSize,
    };
  },
  eval(d: OverlapAddData, io: KernelIo): void {
    for (let row = 0; row < d.buffers.length; row++) {
      for (let frame = 0; frame < d.framesPerRow; frame++) {
        const k = row * d.framesPerRow + frame;
        if (d.float)
          overlapAddFloat(
            io.inputs[0] as Float32Array,
            k * d.frameSize,
            d.buffers[row] as Float32Array,
            io.outputs[0] as Float32Array,
            k * d.frameStep,
            d.frameStep,
          );
        else
          overlapAddInt16(
            io.inputs[0] as Int16Array,
            k * d.frameSize,
            d.buffers[row] as Int16Array,
            io.outputs[0] as Int16Array,
            k * d.frameStep,
            d.frameStep,
          );
      }
    }
  },
  reset(d: OverlapAddData): void {
    for (const buffer of d.buffers) buffer.fill(0);
  },
};
