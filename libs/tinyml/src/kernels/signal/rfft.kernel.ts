/**
 * CUSTOM:SignalRfft (signal/micro/kernels/rfft.cc): real FFT of each input frame, zero-padded to fft_length,
 * into fft_length / 2 + 1 complex bins. int16 frames use TFLM's KISS FFT fixed-point arithmetic bit for bit.
 */
import type { StructLayout } from '../../memory/device-layout';
import type { Kernel, KernelIo, PrepareContext, Prepared } from '../kernel.types';
import { RealFftInt16, kissFftrStateLayout } from './kiss-fft-int16';
import { intOption } from './signal-common';

/** TensorType code of INT16 in schema.fbs (the op's "T" option). */
const TENSOR_TYPE_INT16 = 7;

/**
 * rfft.cc TfLiteAudioFrontendRfftParams<T>: fft_length, input_size, input_length, output_length, fft_type,
 * work_area pointer, scratch_buffer_index, state pointer. Init allocates it, then the KISS FFT state.
 */
const RFFT_PARAMS: StructLayout = {
  name: 'TfLiteAudioFrontendRfftParams',
  fields: ['i32', 'i32', 'i32', 'i32', 'i32', 'ptr', 'i32', 'ptr'],
};

interface RfftData {
  /** Host form of the device's KISS FFT state (twiddles, work buffer). */
  fft: RealFftInt16;
  fftLength: number;
  frameLength: number;
  frames: number;
  outputStride: number;
  /** io.scratch index of the zero-padded frame (fft_length int16, TFLM's work_area). */
  work: number;
}

export const signalRfftKernel: Kernel<RfftData> = {
  op: 'CUSTOM:SignalRfft',
  types: ['int16'],
  prepare(ctx: PrepareContext): Prepared<RfftData> {
    if (ctx.inputCount() !== 1) ctx.fail('expects 1 input');
    const input = ctx.input(0);
    const output = ctx.output(0);
    const options = ctx.customOptions();
    const type = intOption(ctx, options, 'T', 0, 255);
    if (type !== TENSOR_TYPE_INT16) ctx.unsupported(`FFT type ${type}: only int16 (T = 7) is implemented`);
    ctx.expectType(input, ['int16'], 'input');
    ctx.expectType(output, ['int16'], 'output');
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
    ctx.opData(kissFftrStateLayout(fftLength));
    return {
      data: {
        fft: new RealFftInt16(fftLength),
        fftLength,
        frameLength,
        frames,
        outputStride: outputLength,
        work: ctx.requestScratch('int16', fftLength, 'work_area'),
      },
      // n log2 n butterfly multiplies of the complex half-size FFT plus the split.
      macs: frames * fftLength * Math.log2(fftLength),
    };
  },
  eval(d: RfftData, io: KernelIo): void {
    const input = io.inputs[0] as Int16Array;
    const output = io.outputs[0] as Int16Array;
    const work = io.scratch[d.work] as Int16Array;
    for (let f = 0; f < d.frames; f++) {
      // The arena scratch holds other ops' data between invokes: copy the frame and zero-pad every time.
      const base = f * d.frameLength;
      for (let i = 0; i < d.frameLength; i++) work[i] = input[base + i];
      work.fill(0, d.frameLength, d.fftLength);
      d.fft.apply(work, output, f * d.outputStride);
    }
  },
};
