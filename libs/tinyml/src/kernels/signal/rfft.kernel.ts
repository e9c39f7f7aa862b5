/**
 * CUSTOM:SignalRfft (signal/micro/kernels/rfft.cc): real FFT of each input frame, zero-padded to fft_length,
 * into fft_length / 2 + 1 complex bins. int16 frames use TFLM's KISS FFT fixed-point arithmetic bit for bit.
 */
import type { Kernel, KernelIo, PrepareContext, Prepared } from '../kernel.types';
import { RealFftInt16 } from './kiss-fft-int16';
import { intOption } from './signal-common';

/** TensorType code of INT16 in schema.fbs (the op's "T" option). */
const TENSOR_TYPE_INT16 = 7;

interface RfftData {
  fft: RealFftInt16;
  frameLength: number;
  frames: number;
  outputStride: number;
  /** The zero-padded frame (TFLM's scratch buffer). */
  work: Int16Array;
}

export const signalRfftKernel: Kernel<RfftData> = {
  op: 'CUSTOM:SignalRfft',
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
    return {
      data: {
        fft: new RealFftInt16(fftLength),
        frameLength,
        frames,
        outputStride: outputLength,
        work: new Int16Array(fftLength),
      },
      // n log2 n butterfly multiplies of the complex half-size FFT plus the split.
      macs: frames * fftLength * Math.log2(fftLength),
    };
  },
  eval(d: RfftData, io: KernelIo): void {
    const input = io.inputs[0] as Int16Array;
    const output = io.outputs[0] as Int16Array;
    for (let f = 0; f < d.frames; f++) {
      // The tail of the work buffer past frameLength is never written, so it stays the zero padding.
      const base = f * d.frameLength;
      for (let i = 0; i < d.frameLength; i++) d.work[i] = input[base + i];
      d.fft.apply(d.work, output, f * d.outputStride);
    }
  },
};
