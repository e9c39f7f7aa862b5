/**
 * CUSTOM:SignalFilterBankLog (signal/src/filter_bank_log.cc, log.cc): fixed-point natural log of each channel
 * (x << input_correction_bits), times output_scale / 2^16, saturated to int16; 0 for inputs <= 1.
 */
import type { StructLayout } from '../../memory/device-layout';
import type { Kernel, KernelIo, PrepareContext, Prepared } from '../kernel.types';
import { intOption, mostSignificantBit32 } from './signal-common';

/** filter_bank_log.cc TFLMSignalLogParams {input_correction_bits, output_scale}, allocated in Init. */
const LOG_PARAMS: StructLayout = { name: 'TFLMSignalLogParams', fields: ['i32', 'i32'] };

/** kLogLut of signal/src/log.cc: log2(1 + x) - x correction at 128 segments, scale 2^16 (data, not code). */
const LOG_LUT = new Int32Array([
  0, 224, 442, 654, 861, 1063, 1259, 1450, 1636, 1817, 1992, 2163, 2329, 2490, 2646, 2797, 2944, 3087, 3224, 3358, 3487,
  3611, 3732, 3848, 3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633, 4714, 4791, 4864, 4934, 5001, 5063, 5123, 5178,
  5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507, 5533, 5557, 5578, 5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638,
  5633, 5626, 5615, 5602, 5586, 5568, 5547, 5524, 5498, 5470, 5439, 5406, 5370, 5332, 5291, 5249, 5203, 5156, 5106,
  5054, 5000, 4944, 4885, 4825, 4762, 4697, 4630, 4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935, 3848, 3759,
  3668, 3575, 3481, 3384, 3286, 3186, 3084, 2981, 2875, 2768, 2659, 2549, 2437, 2323, 2207, 2090, 1971, 1851, 1729,
  1605, 1480, 1353, 1224, 1094, 963, 830, 695, 559, 421, 282, 142, 0, 0,
]);
const LOG_SCALE_LOG2 = 16;
const LOG_SEGMENTS_LOG2 = 7;
const LOG_COEFF = 45426; // round(2^16 * ln 2)

/** Log32(x, outScale) for x >= 2. */
export function log32(x: number, outScale: number): number {
  const integer = mostSignificantBit32(x) - 1;
  // Log2FractionPart32, in int32 like the C++ code.
  let frac = (x - 2 ** integer) | 0;
  frac = integer < LOG_SCALE_LOG2 ? frac << (LOG_SCALE_LOG2 - integer) : frac >> (integer - LOG_SCALE_LOG2);
  const baseSeg = frac >>> (LOG_SCALE_LOG2 - LOG_SEGMENTS_LOG2);
  const c0 = LOG_LUT[baseSeg];
  const c1 = LOG_LUT[baseSeg + 1];
  const segBase = (1 << (LOG_SCALE_LOG2 - LOG_SEGMENTS_LOG2)) * baseSeg;
  const relPos = ((c1 - c0) * (frac - segBase)) >> LOG_SCALE_LOG2;
  const fraction = (frac + c0 + relPos) >>> 0;
  const log2 = ((integer << LOG_SCALE_LOG2) + fraction) >>> 0;
  const round = 32768;
  // (uint64) kLogCoeff * log2 < 2^48: exact; the quotient fits in uint32.
  const loge = Math.floor((LOG_COEFF * log2 + round) / 65536) >>> 0;
  // out_scale * loge is a uint32 product in C++ (wraps), then + round, >> 16.
  return ((((Math.imul(outScale, loge) >>> 0) + round) >>> 0) >>> LOG_SCALE_LOG2) >>> 0;
}

interface FilterBankLogData {
  channels: number;
  outputScale: number;
  correctionBits: number;
}

export const signalFilterBankLogKernel: Kernel<FilterBankLogData> = {
  op: 'CUSTOM:SignalFilterBankLog',
  types: ['uint32'],
  prepare(ctx: PrepareContext): Prepared<FilterBankLogData> {
    if (ctx.inputCount() !== 1) ctx.fail('expects 1 input');
    const input = ctx.input(0);
    const output = ctx.output(0);
    ctx.expectType(input, ['uint32'], 'input');
    ctx.expectType(output, ['int16'], 'output');
    if (input.shape.length !== 1 || output.shape.length !== 1) ctx.fail('input and output must be rank 1');
    ctx.expectSameCount(input, output, 'input/output');
    const o = ctx.customOptions();
    ctx.opData(LOG_PARAMS);
    return {
      data: {
        channels: input.shape[0],
        correctionBits: intOption(ctx, o, 'input_correction_bits', 0, 31),
        outputScale: intOption(ctx, o, 'output_scale', 0, 2147483647),
      },
    };
  },
  eval(d: FilterBankLogData, io: KernelIo): void {
    const input = io.inputs[0] as Uint32Array;
    const output = io.outputs[0] as Int16Array;
    for (let i = 0; i < d.channels; i++) {
      const scaled = (input[i] << d.correctionBits) >>> 0;
      if (scaled > 1) {
        const v = log32(scaled, d.outputScale);
        output[i] = v < 32767 ? v : 32767;
      } else {
        output[i] = 0;
      }
    }
  },
};
