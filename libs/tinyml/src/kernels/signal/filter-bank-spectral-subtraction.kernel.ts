/**
 * CUSTOM:SignalFilterBankSpectralSubtraction (signal/src/filter_bank_spectral_subtraction.cc): subtracts a
 * running noise estimate from each channel. STATEFUL: the estimate persists across invokes (TFLM keeps it in
 * a persistent buffer, zeroed at prepare and by Reset), and is also written to the second output.
 */
import type { StructLayout } from '../../memory/device-layout';
import type { Kernel, KernelIo, PrepareContext, Prepared } from '../kernel.types';
import { boolOption, intOption } from './signal-common';

/**
 * filter_bank_spectral_subtraction.cc TFLMSignalSpectralSubtractionParams: SpectralSubtractionConfig (eight
 * 32-bit fields and the clamping bool), the noise_estimate pointer and its size_t byte size; Init allocates it
 * and then the num_channels uint32 noise estimate.
 */
const SPECTRAL_SUBTRACTION_PARAMS: StructLayout = {
  name: 'TFLMSignalSpectralSubtractionParams',
  fields: [['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i8'], 'ptr', 'ptr'],
};

interface SpectralSubtractionData {
  channels: number;
  smoothing: number;
  oneMinusSmoothing: number;
  alternateSmoothing: number;
  alternateOneMinusSmoothing: number;
  minSignalRemaining: number;
  smoothingBits: number;
  /** 2^smoothing_bits and 2^spectral_subtraction_bits, for exact shifts of values beyond 32 bits. */
  smoothingScale: number;
  subtractionScale: number;
  clamping: boolean;
  noiseEstimate: Uint32Array;
}

export const signalFilterBankSpectralSubtractionKernel: Kernel<SpectralSubtractionData> = {
  op: 'CUSTOM:SignalFilterBankSpectralSubtraction',
  types: ['uint32'],
  prepare(ctx: PrepareContext): Prepared<SpectralSubtractionData> {
    if (ctx.inputCount() !== 1 || ctx.node.outputs.length !== 2) ctx.fail('expects 1 input and 2 outputs');
    const input = ctx.input(0);
    const output = ctx.output(0);
    const noise = ctx.output(1);
    for (const [t, what] of [
      [input, 'input'],
      [output, 'output'],
      [noise, 'noise estimate'],
    ] as const) {
      ctx.expectType(t, ['uint32'], what);
      if (t.shape.length !== 1) ctx.fail(`${what} must be rank 1`);
    }
    const o = ctx.customOptions();
    const channels = intOption(ctx, o, 'num_channels', 1, 1 << 16);
    if (input.elementCount < channels || output.elementCount < channels || noise.elementCount < channels)
      ctx.fail(`tensors hold fewer than num_channels = ${channels} values`);
    // Coefficients are Q(spectral_subtraction_bits) fractions; 16 bits keeps every product below 2^53.
    const coefficient = (key: string): number => intOption(ctx, o, key, 0, 65535);
    const smoothingBits = intOption(ctx, o, 'smoothing_bits', 0, 31);
    const subtractionBits = intOption(ctx, o, 'spectral_subtraction_bits', 0, 31);
    ctx.opData(SPECTRAL_SUBTRACTION_PARAMS);
    return {
      data: {
        channels,
        smoothing: coefficient('smoothing'),
        oneMinusSmoothing: coefficient('one_minus_smoothing'),
        alternateSmoothing: coefficient('alternate_smoothing'),
        alternateOneMinusSmoothing: coefficient('alternate_one_minus_smoothing'),
        minSignalRemaining: coefficient('min_signal_remaining'),
        smoothingBits,
        smoothingScale: 2 ** smoothingBits,
        subtractionScale: 2 ** subtractionBits,
        clamping: boolOption(ctx, o, 'clamping'),
        noiseEstimate: ctx.persistentArray('uint32', channels, 'noise_estimate'),
      },
      macs: 3 * channels,
    };
  },
  eval(d: SpectralSubtractionData, io: KernelIo): void {
    const input = io.inputs[0] as Uint32Array;
    const output = io.outputs[0] as Uint32Array;
    const noiseOut = io.outputs[1] as Uint32Array;
    const noise = d.noiseEstimate;
    for (let i = 0; i < d.channels; i++) {
      const even = (i & 1) === 0;
      const smoothing = even ? d.smoothing : d.alternateSmoothing;
      const oneMinus = even ? d.oneMinusSmoothing : d.alternateOneMinusSmoothing;
      // uint32 << smoothing_bits drops the high bits, as in C++.
      const signalScaledUp = (input[i] << d.smoothingBits) >>> 0;
      // (uint64 sum) >> bits: both products are < 2^48, so the sum and the floor division are exact.
      noise[i] = Math.floor((signalScaledUp * smoothing + noise[i] * oneMinus) / d.subtractionScale);
      let estimate = noise[i];
      if (estimate > signalScaledUp) {
        estimate = signalScaledUp;
        if (d.clamping) noise[i] = estimate;
      }
      const floor = Math.floor((input[i] * d.minSignalRemaining) / d.subtractionScale) >>> 0;
      const subtracted = Math.floor((signalScaledUp - estimate) / d.smoothingScale);
      output[i] = subtracted > floor ? subtracted : floor;
    }
    noiseOut.set(noise);
  },
  reset(d: SpectralSubtractionData): void {
    d.noiseEstimate.fill(0);
  },
};
