/** CUSTOM:SignalEnergy (signal/src/energy.cc): re^2 + im^2 of int16 complex bins [start_index, end_index). */
import type { StructLayout } from '../../memory/device-layout';
import type { Kernel, KernelIo, PrepareContext, Prepared } from '../kernel.types';
import { intOption } from './signal-common';

/** energy.cc TFLMSignalEnergyParams {end_index, start_index}, allocated in Init. */
const ENERGY_PARAMS: StructLayout = { name: 'TFLMSignalEnergyParams', fields: ['i32', 'i32'] };

interface EnergyData {
  start: number;
  end: number;
}

export const signalEnergyKernel: Kernel<EnergyData> = {
  op: 'CUSTOM:SignalEnergy',
  types: ['int16'],
  prepare(ctx: PrepareContext): Prepared<EnergyData> {
    if (ctx.inputCount() !== 1) ctx.fail('expects 1 input');
    const input = ctx.input(0);
    const output = ctx.output(0);
    ctx.expectType(input, ['int16'], 'input');
    ctx.expectType(output, ['uint32'], 'output');
    if (input.shape.length !== 1 || output.shape.length !== 1) ctx.fail('input and output must be rank 1');
    const bins = Math.min(input.elementCount >> 1, output.elementCount);
    const options = ctx.customOptions();
    const end = intOption(ctx, options, 'end_index', 0, bins);
    const start = intOption(ctx, options, 'start_index', 0, end);
    ctx.opData(ENERGY_PARAMS);
    return { data: { start, end }, macs: 2 * (end - start) };
  },
  eval(d: EnergyData, io: KernelIo): void {
    const spectrum = io.inputs[0] as Int16Array;
    const output = io.outputs[0] as Uint32Array;
    // TFLM writes only [start, end) and leaves the rest as the arena held it; zero them so the output does
    // not depend on the memory plan (the recorded TFLM intermediates hold zeros there too).
    output.fill(0, 0, d.start);
    output.fill(0, d.end);
    for (let i = d.start; i < d.end; i++) {
      const re = spectrum[2 * i];
      const im = spectrum[2 * i + 1];
      // The int32 sum wraps only for (-32768, -32768): 2^31, stored as uint32 2^31 like the C++ code.
      output[i] = re * re + im * im;
    }
  },
};
