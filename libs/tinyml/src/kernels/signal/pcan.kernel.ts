/**
 * CUSTOM:SignalPCAN (signal/src/pcan_argc_fixed.cc): per-channel automatic gain control. A gain from the
 * wide-dynamic-range LUT (indexed by the noise estimate's magnitude) scales each channel, then the "shrink"
 * curve compresses the SNR: x^2 / 4 below 2, x - 1 above (SNR in Q12, output in Q6).
 */
import type { StructLayout } from '../../memory/device-layout';
import type { Kernel, KernelIo, PrepareContext, Prepared } from '../kernel.types';
import { intOption, mostSignificantBit32 } from './signal-common';

/**
 * pcan.cc TfLitePcanParams {snr_shift}, allocated in Init: the kernel keeps no other state (the noise estimate
 * is an input tensor, the gain LUT a constant one).
 */
const PCAN_PARAMS: StructLayout = { name: 'TfLitePcanParams', fields: ['i32'] };

const SNR_BITS = 12;
const OUTPUT_BITS = 6;

interface PcanData {
  channels: number;
  lut: Int16Array;
  snrScale: number;
}

/** WideDynamicFunction: piecewise quadratic interpolation of the gain LUT, 4 entries per power of two. */
function wideDynamicFunction(x: number, lut: Int16Array): number {
  if (x <= 2) return lut[x];
  const interval = mostSignificantBit32(x);
  const base = 4 * interval - 6;
  const frac = (interval < 11 ? x << (11 - interval) : x >>> (interval - 11)) & 0x3ff;
  let result = (lut[base + 2] * frac) >> 5;
  result = (result + ((lut[base + 1] << 5) | 0)) | 0;
  result = Math.imul(result, frac);
  result = (result + (1 << 14)) >> 15;
  result += lut[base];
  return (result << 16) >> 16;
}

function shrink(x: number): number {
  if (x < 2 << SNR_BITS) return Math.imul(x, x) >>> (2 + 2 * SNR_BITS - OUTPUT_BITS);
  return ((x >>> (SNR_BITS - OUTPUT_BITS)) - (1 << OUTPUT_BITS)) >>> 0;
}

export const signalPcanKernel: Kernel<PcanData> = {
  op: 'CUSTOM:SignalPCAN',
  types: ['uint32'],
  prepare(ctx: PrepareContext): Prepared<PcanData> {
    if (ctx.inputCount() !== 3) ctx.fail('expects 3 inputs');
    const input = ctx.input(0);
    const noise = ctx.input(1);
    const lutTensor = ctx.input(2);
    const output = ctx.output(0);
    ctx.expectType(input, ['uint32'], 'input');
    ctx.expectType(noise, ['uint32'], 'noise estimate');
    ctx.expectType(lutTensor, ['int16'], 'gain LUT');
    ctx.expectType(output, ['uint32'], 'output');
    for (const t of [input, noise, lutTensor, output]) if (t.shape.length !== 1) ctx.fail('all tensors must be rank 1');
    if (
      input.elementCount === 0 ||
      noise.elementCount !== input.elementCount ||
      output.elementCount !== input.elementCount
    )
      ctx.fail('input, noise estimate and output must have the same number of channels');
    if (!lutTensor.data) ctx.unsupported('gain LUT must be a constant tensor');
    // x up to 2^32 - 1 reads lut[4 * 32 - 6 + 2] = lut[124].
    if (lutTensor.elementCount < 125) ctx.fail(`gain LUT has ${lutTensor.elementCount} entries, needs 125`);
    const snrShift = intOption(ctx, ctx.customOptions(), 'snr_shift', 0, 32);
    ctx.opData(PCAN_PARAMS);
    const lut = new Int16Array(lutTensor.data.buffer, lutTensor.data.byteOffset, lutTensor.elementCount);
    return { data: { channels: input.elementCount, lut, snrScale: 2 ** snrShift }, macs: 4 * input.elementCount };
  },
  eval(d: PcanData, io: KernelIo): void {
    const input = io.inputs[0] as Uint32Array;
    const noise = io.inputs[1] as Uint32Array;
    const output = io.outputs[0] as Uint32Array;
    for (let i = 0; i < d.channels; i++) {
      // The int16 gain is converted to uint32 (a negative gain wraps), then a uint64 product is shifted.
      const gain = wideDynamicFunction(noise[i], d.lut) >>> 0;
      // input * gain < 2^64: split the gain so each partial product stays exact, then shift (floor division).
      const gainHi = Math.floor(gain / 65536);
      const gainLo = gain - gainHi * 65536;
      const snr = uint64ShiftToUint32(input[i] * gainHi, input[i] * gainLo, d.snrScale);
      output[i] = shrink(snr);
    }
  },
};

/** ((hi * 2^16 + lo) / scale) truncated to uint32, for hi, lo < 2^48 and scale a power of two <= 2^32. */
function uint64ShiftToUint32(hi: number, lo: number, scale: number): number {
  if (hi === 0) return Math.floor(lo / scale) >>> 0;
  // value = hi * 2^16 + lo; only the low 32 bits of the quotient are kept, so (hi / scale) is taken mod 2^16.
  const q = (Math.floor(hi / scale) % 65536) * 65536 + Math.floor(((hi % scale) * 65536 + lo) / scale);
  return (q % 4294967296) >>> 0;
}
