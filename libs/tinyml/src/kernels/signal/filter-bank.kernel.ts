/**
 * CUSTOM:SignalFilterBank (signal/src/filter_bank.cc): mel-style triangular filters over a uint32 energy
 * spectrum into uint64 channel sums. Each bin's energy goes to two adjacent channels, times `weight` and
 * `unweight`; channel 0 of the accumulation is scratch and is dropped.
 */
import type { StructLayout } from '../../memory/device-layout';
import type { Kernel, KernelIo, PrepareContext, Prepared } from '../kernel.types';
import { Uint64Words, intOption } from './signal-common';

/**
 * filter_bank.cc TFLMSignalFilterBankParams: FilterbankConfig (signal/src/filter_bank.h: num_channels, five
 * table pointers, output_scale, input_correction_bits) and the work_area pointer, allocated in Init.
 */
const FILTER_BANK_PARAMS: StructLayout = {
  name: 'TFLMSignalFilterBankParams',
  fields: [['i32', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'i32', 'i32'], 'ptr'],
};

interface FilterBankData {
  channels: number;
  /** Per accumulated channel (channels + 1): first frequency bin, first weight index, width. */
  freqStarts: Int16Array;
  weightStarts: Int16Array;
  widths: Int16Array;
  weights: Int16Array;
  unweights: Int16Array;
  /** TFLM's persistent work_area: channels + 1 uint64 sums as (lo, hi) uint32 words; channel 0 is dropped. */
  work: Uint32Array;
  /** The work area without channel 0: what is copied to the output. */
  channelWords: Uint32Array;
  out: Uint64Words;
}

const INPUTS = ['input', 'weights', 'unweights', 'channel_frequency_starts', 'channel_weight_starts', 'channel_widths'];

export const signalFilterBankKernel: Kernel<FilterBankData> = {
  op: 'CUSTOM:SignalFilterBank',
  types: ['uint32'],
  prepare(ctx: PrepareContext): Prepared<FilterBankData> {
    if (ctx.inputCount() !== 6) ctx.fail('expects 6 inputs');
    const tensors = INPUTS.map((_, k) => ctx.input(k));
    tensors.forEach((t, k) => {
      ctx.expectType(t, [k === 0 ? 'uint32' : 'int16'], INPUTS[k]);
      if (t.shape.length !== 1) ctx.fail(`${INPUTS[k]} must be rank 1`);
      if (k > 0 && !t.data) ctx.unsupported(`${INPUTS[k]} must be a constant tensor`);
    });
    const output = ctx.output(0);
    ctx.expectType(output, ['uint64'], 'output');
    if (output.shape.length !== 1) ctx.fail('output must be rank 1');
    const channels = intOption(ctx, ctx.customOptions(), 'num_channels', 1, 1 << 15);
    if (output.elementCount !== channels)
      ctx.fail(`output has ${output.elementCount} channels, options say ${channels}`);
    const int16 = (k: number): Int16Array => {
      const t = tensors[k];
      return new Int16Array((t.data as Uint8Array).buffer, (t.data as Uint8Array).byteOffset, t.elementCount);
    };
    const [weights, unweights, freqStarts, weightStarts, widths] = [1, 2, 3, 4, 5].map(int16);
    if (freqStarts.length < channels + 1 || weightStarts.length < channels + 1 || widths.length < channels + 1)
      ctx.fail(`channel tables need ${channels + 1} entries`);
    if (weights.length !== unweights.length) ctx.fail('weights and unweights differ in length');
    const bins = tensors[0].elementCount;
    let macs = 0;
    for (let i = 0; i <= channels; i++) {
      const w = widths[i];
      if (
        freqStarts[i] < 0 ||
        weightStarts[i] < 0 ||
        w < 0 ||
        freqStarts[i] + w > bins ||
        weightStarts[i] + w > weights.length
      )
        ctx.fail(`channel ${i} reaches outside the spectrum or the weight table`);
      macs += 2 * w;
    }
    // C++ promotes a negative int16 weight to a huge uint64; real front-ends never have one.
    for (let i = 0; i < weights.length; i++)
      if (weights[i] < 0 || unweights[i] < 0) ctx.unsupported('negative filter-bank weights');
    ctx.opData(FILTER_BANK_PARAMS);
    const work = ctx.persistentArray('uint32', 2 * (channels + 1), 'work_area');
    return {
      data: {
        channels,
        freqStarts,
        weightStarts,
        widths,
        weights,
        unweights,
        work,
        channelWords: work.subarray(2),
        out: new Uint64Words(),
      },
      macs,
    };
  },
  eval(d: FilterBankData, io: KernelIo): void {
    const input = io.inputs[0] as Uint32Array;
    const work = d.work;
    // Each product is < 2^15 * 2^32: accumulate the low and high 16 bits of the energy separately so
    // both sums stay exact in doubles (< 2^31 per term), and carry them into 32-bit words at the end.
    let weightLo = 0;
    let weightHi = 0;
    let unweightLo = 0;
    let unweightHi = 0;
    for (let i = 0; i <= d.channels; i++) {
      const freqStart = d.freqStarts[i];
      const weightStart = d.weightStarts[i];
      const width = d.widths[i];
      for (let j = 0; j < width; j++) {
        const e = input[freqStart + j];
        const eLo = e & 0xffff;
        const eHi = e >>> 16;
        const w = d.weights[weightStart + j];
        const u = d.unweights[weightStart + j];
        weightLo += w * eLo;
        weightHi += w * eHi;
        unweightLo += u * eLo;
        unweightHi += u * eHi;
      }
      // value = weightHi * 2^16 + weightLo, written as (lo, hi) uint32 words.
      const hiQ = Math.floor(weightHi / 65536);
      const mid = (weightHi - hiQ * 65536) * 65536 + weightLo;
      const carry = Math.floor(mid / 4294967296);
      work[2 * i] = mid - carry * 4294967296;
      work[2 * i + 1] = hiQ + carry;
      weightLo = unweightLo;
      weightHi = unweightHi;
      unweightLo = 0;
      unweightHi = 0;
    }
    // Discard channel 0, which is only scratch.
    d.out.of(io.outputs[0]).set(d.channelWords);
  },
};
