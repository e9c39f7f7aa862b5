/**
 * CUSTOM:SignalRfft (signal/micro/kernels/rfft.cc): real FFT of each input frame, zero-padded to fft_length,
 * into fft_length / 2 + 1 complex bins, for the three types TFLM registers. int16 and int32 run KISS FFT's
 * fixed-point arithmetic bit for bit (the output scaled by 1 / fft_length through the per-stage divisions);
 * float32 is unscaled, every operation rounded to float32.
 */
import type { StructLayout } from '../../memory/device-layout';
import type { Kernel, KernelIo, PrepareContext, Prepared } from '../kernel.types';
import { RealFftInt16, kissFftrStateLayout } from './kiss-fft-int16';
import { RealFftFloat, RealFftInt32 } from './kiss-fft-int32-float';
import { intOption } from './signal-common';

/** TensorType codes of schema.fbs (the op's "T" option). */
const TENSOR_TYPE: Record<number, 'float32' | 'int16' | 'int32'> = { 0: 'float32', 2: 'int32', 7: 'int16' };
const STATE_SCALAR = { int16: 'i16', int32: 'i32', float32: 'f32' } as const;

/**
 * rfft.cc TfLiteAudioFrontendRfftParams<T>: fft_length, input_size, input_length, output_length, fft_type,
 * work_area pointer, scratch_buffer_index, state pointer. Init allocates it, then the KISS FFT state.
 */
const RFFT_PARAMS: StructLayout = {
  name: 'TfLiteAudioFrontendRfftParams',
  fields: ['i32', 'i32', 'i32', 'i32', 'i32', 'ptr', 'i32', 'ptr'],
};

interface RfftData {
  dtype: 'float32' | 'int16' | 'int32';
  /** Host form of the device's KISS FFT state (twiddles, work buffer). */
  fft: RealFftInt16 | RealFftInt32 | RealFftFloat;
  fftLength: number;
  frameLength: number;
  frames: number;
  outputStride: number;
  /** io.scratch index of the zero-padded frame (fft_length values, TFLM's work_area). */
  work: number;
}

export const signalRfftKernel: Kernel<RfftData> = {
  op: 'CUSTOM:SignalRfft',
  types: ['int16', 'int32', 'float32'],
  prepare(ctx: PrepareContext): Prepared<RfftData> {
    if (ctx.inputCount() !== 1) ctx.fail('expects 1 input');
    const input = ctx.input(0);
    const output = ctx.output(0);
    const options = ctx.customOptions();
    const dtype = TENSOR_TYPE[intOption(ctx, options, 'T', 0, 255)];
    if (dtype === undefined) ctx.unsupported('T must be int16 (7), int32 (2) or float32 (0), the types TFLM registers');
    ctx.expectType(input, [dtype], 'input');
    ctx.expectType(output, [dtype], 'output');
    if (input.shape.length < 1 || input.shape.length !== output.shape.length)
      ctx.fail('input and output must have the same rank >= 1');
    const fftLength = intOption(ctx, options, 'fft_length', 4, 1 << 16);
    if ((fftLength & (fftLength - 1)) !== 0) ctx.unsupported(`fft_length ${fftLength} is not a power of two`);
    const frameLength = input.shape[input.shape.length - 1];
    const outputLength = output.shape[output.shape.length - 1];
    if (frameLength === 0 || frameLength > fftLength)
      ctx.fail(`frame of ${frameLength} samples does not fit fft_length ${fftLength}`);
    const bins = fftLength / 2 + 1;
    if (outputLength !== 2 * bins) ctx.fail(`output's last dimension is ${outputLength}, expected ${2 * bins}`);
    const frames = input.elementCount / frameLength;
    if (output.elementCount !== frames * outputLength) ctx.fail('output does not hold one spectrum per frame');
    ctx.opData(RFFT_PARAMS);
    ctx.opData(kissFftrStateLayout(fftLength, STATE_SCALAR[dtype]));
    const fft =
      dtype === 'int16'
        ? new RealFftInt16(fftLength)
        : dtype === 'int32'
          ? new RealFftInt32(fftLength)
          : new RealFftFloat(fftLength);
    return {
      data: {
        dtype,
        fft,
        fftLength,
        frameLength,
        frames,
        outputStride: outputLength,
        work: ctx.requestScratch(dtype, fftLength, 'work_area'),
      },
      // n log2 n butterfly multiplies of the complex half-size FFT plus the split.
      macs: frames * fftLength * Math.log2(fftLength),
    };
  },
  eval(d: RfftData, io: KernelIo): void {
    const input = io.inputs[0] as Int16Array | Int32Array | Float32Array;
    const output = io.outputs[0];
    const work = io.scratch[d.work] as Int16Array | Int32Array | Float32Array;
    for (let f = 0; f < d.frames; f++) {
      // The arena scratch holds other ops' data between invokes: copy the frame and zero-pad every time.
      const base = f * d.frameLength;
      for (let i = 0; i < d.frameLength; i++) work[i] = input[base + i];
      work.fill(0, d.frameLength, d.fftLength);
      if (d.dtype === 'int16')
        (d.fft as RealFftInt16).apply(work as Int16Array, output as Int16Array, f * d.outputStride);
      else if (d.dtype === 'int32')
        (d.fft as RealFftInt32).apply(work as Int32Array, output as Int32Array, f * d.outputStride);
      else (d.fft as RealFftFloat).apply(work as Float32Array, output as Float32Array, f * d.outputStride);
    }
  },
};
