/**
 * CUSTOM:SignalIrfft (signal/micro/kernels/irfft.cc): inverse real FFT of each frame of fft_length / 2 + 1
 * complex bins into fft_length samples, for the three types TFLM registers: int16 and int32 with KISS FFT's
 * fixed-point arithmetic (output scaled by 1 / fft_length through the per-stage divisions), float32 divided by
 * fft_length after the transform (IrfftFloatApply). Power-of-two lengths only.
 */
import type { StructLayout } from '../../memory/device-layout';
import type { Kernel, KernelIo, PrepareContext, Prepared } from '../kernel.types';
import { InverseRealFftInt16, kissFftrStateLayout } from './kiss-fft-int16';
import { InverseRealFftFloat, InverseRealFftInt32 } from './kiss-fft-int32-float';
import { intOption } from './signal-common';

const { fround } = Math;

/** TensorType codes of schema.fbs (the op's "T" option). */
const TENSOR_TYPE: Record<number, 'float32' | 'int16' | 'int32'> = { 0: 'float32', 2: 'int32', 7: 'int16' };

/**
 * irfft.cc TfLiteAudioFrontendIrfftParams {fft_length, input_size, input_length, output_length, TfLiteType
 * fft_type, state}, allocated in Init, then the state of IrfftInt16/Int32/FloatGetNeededMemory.
 */
const IRFFT_PARAMS: StructLayout = {
  name: 'TfLiteAudioFrontendIrfftParams',
  fields: ['i32', 'i32', 'i32', 'i32', 'i32', 'ptr'],
};

/** irfft_float.cc IrfftFloatState {fft_length, kiss_fftr_cfg}, followed by the float kiss_fftr state. */
function floatStateLayout(fftLength: number): StructLayout {
  const kiss = kissFftrStateLayout(fftLength, 'f32');
  return { name: `IrfftFloatState + ${kiss.name}`, fields: [['i32', 'ptr'], ...kiss.fields] };
}

interface IrfftData {
  dtype: 'float32' | 'int16' | 'int32';
  fft: InverseRealFftInt16 | InverseRealFftInt32 | InverseRealFftFloat;
  fftLength: number;
  frames: number;
  /** Scalars per input frame (2 per complex bin) and per output frame. */
  inputStride: number;
}

export const signalIrfftKernel: Kernel<IrfftData> = {
  op: 'CUSTOM:SignalIrfft',
  types: ['int16', 'int32', 'float32'],
  prepare(ctx: PrepareContext): Prepared<IrfftData> {
    if (ctx.inputCount() !== 1 || ctx.node.outputs.length !== 1) ctx.fail('expects 1 input and 1 output');
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
    const inputStride = input.shape[input.shape.length - 1];
    const outputLength = output.shape[output.shape.length - 1];
    // TFLM checks neither: a shorter frame would make kiss_fftri read or write past it.
    if (inputStride < fftLength + 2 || inputStride % 2 !== 0)
      ctx.fail(`input frame of ${inputStride} values does not hold ${fftLength / 2 + 1} complex bins`);
    if (outputLength !== fftLength) ctx.fail(`output's last dimension is ${outputLength}, expected ${fftLength}`);
    const frames = input.elementCount / inputStride;
    if (output.elementCount !== frames * fftLength) ctx.fail('output does not hold one frame per input frame');
    ctx.opData(IRFFT_PARAMS);
    ctx.opData(
      dtype === 'float32'
        ? floatStateLayout(fftLength)
        : kissFftrStateLayout(fftLength, dtype === 'int16' ? 'i16' : 'i32'),
    );
    const fft =
      dtype === 'int16'
        ? new InverseRealFftInt16(fftLength)
        : dtype === 'int32'
          ? new InverseRealFftInt32(fftLength)
          : new InverseRealFftFloat(fftLength);
    return {
      data: { dtype, fft, fftLength, frames, inputStride },
      // n log2 n butterfly multiplies of the complex half-size FFT plus the split.
      macs: frames * fftLength * Math.log2(fftLength),
    };
  },
  eval(d: IrfftData, io: KernelIo): void {
    const n = d.fftLength;
    for (let f = 0; f < d.frames; f++) {
      if (d.dtype === 'int16')
        (d.fft as InverseRealFftInt16).apply(
          io.inputs[0] as Int16Array,
          f * d.inputStride,
          io.outputs[0] as Int16Array,
          f * n,
        );
      else if (d.dtype === 'int32')
        (d.fft as InverseRealFftInt32).apply(
          io.inputs[0] as Int32Array,
          f * d.inputStride,
          io.outputs[0] as Int32Array,
          f * n,
        );
      else {
        const output = io.outputs[0] as Float32Array;
        (d.fft as InverseRealFftFloat).apply(io.inputs[0] as Float32Array, f * d.inputStride, output, f * n);
        // KISS FFT's float inverse is unscaled: IrfftFloatApply divides each sample by fft_length in float.
        for (let i = f * n; i < (f + 1) * n; i++) output[i] = fround(output[i] / n);
      }
    }
  },
};
