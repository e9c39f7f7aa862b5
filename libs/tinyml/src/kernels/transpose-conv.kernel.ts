/**
 * TRANSPOSE_CONV (transpose_conv.cc; reference_ops::TransposeConv, reference_integer_ops::TransposeConv):
 * float32, int8 (per-channel, int32 bias) and 16x8 (int16 activations, int8 per-channel weights, int64 bias).
 * Inputs: 0 output shape (ignored, as TFLM does: shapes are static), 1 filter [outC][kH][kW][inC], 2 input,
 * 3 optional bias. Every input element is scattered into the outputs it influences (the reference "scatter"
 * order, which float32 rounding follows), then bias and requantization per output element. Fused activations
 * other than NONE are refused: this TFLM version clamps to the full type range whatever the option says.
 */
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import { multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplierInt64 } from '../quant/fixed-point';
import { computeOutSize, computePadding, typeRange, zeroPointOf } from '../quant/quant-params';
import { allocatePerChannel, int64Bias, perChannelMultipliers } from './conv-common';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

const { fround: mathFround } = Math;

const FILTER = 1;
const INPUT = 2;
const BIAS = 3;
const OUTPUT = 0;
// TransposeConvOptions field ids.
const OPT = { padding: 0, strideW: 1, strideH: 2, activation: 3 };

interface TransposeConvData {
  kind: 'float32' | 'int8' | 'int16';
  batches: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  filter: Int8Array | Float32Array;
  bias: Float64Array | Int32Array | Float32Array | null;
  inputOffset: number;
  outputOffset: number;
  multipliers: Int32Array;
  shifts: Int32Array;
  actMin: number;
  actMax: number;
  /** Per-output-element accumulators (the device's int32 / int64 scratch buffer; exact integers here). */
  acc: Float64Array;
}

export const transposeConvKernel: Kernel<TransposeConvData> = {
  op: 'TRANSPOSE_CONV',
  types: ['float32', 'int8', 'int16'],
  prepare(ctx: PrepareContext): Prepared<TransposeConvData> {
    const filter = ctx.input(FILTER);
    const input = ctx.input(INPUT);
    const bias = ctx.optionalInput(BIAS);
    const output = ctx.output(OUTPUT);
    const o = ctx.options;
    ctx.expectType(input, ['float32', 'int8', 'int16'], 'input');
    if (output.dtype !== input.dtype) ctx.unsupported(`${input.dtype} -> ${output.dtype}`, input.dtype);
    if (input.shape.length !== 4 || filter.shape.length !== 4 || output.shape.length !== 4)
      ctx.fail('input, filter and output must be 4-D');
    if (!filter.data) ctx.unsupported('non-constant filter');
    const [batches, inH, inW, inC] = input.shape;
    const [outC, kH, kW, filterC] = filter.shape;
    const [outBatches, outH, outW, outDepth] = output.shape;
    if (filterC !== inC || outDepth !== outC || outBatches !== batches)
      ctx.fail(`filter [${filter.shape}] does not fit input [${input.shape}] and output [${output.shape}]`);
    const padding = o?.i8(OPT.padding) ?? 0;
    const strideW = o?.i32(OPT.strideW) ?? 1;
    const strideH = o?.i32(OPT.strideH) ?? 1;
    if (padding !== 0 && padding !== 1) ctx.fail(`unknown padding ${padding}`);
    if (!(strideH >= 1 && strideH <= 1024 && strideW >= 1 && strideW <= 1024))
      ctx.fail(`invalid stride ${strideH}x${strideW}`);
    const activation = o?.i8(OPT.activation) ?? 0;
    if (activation !== 0) ctx.unsupported(`fused activation ${activation}`);
    if (bias && (bias.elementCount !== outC || !bias.data)) ctx.fail('bias must be constant, one value per channel');

    ctx.builtinData(BUILTIN_DATA.transposeConv);
    ctx.opData(OP_DATA.transposeConv);
    // Prepare allocates the per-channel arrays for every type, like CONV_2D.
    const perChannel = allocatePerChannel(ctx, outC);
    // The padding of the forward convolution from the output back to the input (ComputePaddingHeightWidth on
    // the output's size).
    const padH = computePadding(strideH, 1, outH, kH, computeOutSize(padding, outH, kH, strideH, 1));
    const padW = computePadding(strideW, 1, outW, kW, computeOutSize(padding, outW, kW, strideW, 1));
    const kind = input.dtype as TransposeConvData['kind'];
    const data: TransposeConvData = {
      kind,
      batches,
      inH,
      inW,
      inC,
      outH,
      outW,
      outC,
      kH,
      kW,
      strideH,
      strideW,
      padH,
      padW,
      filter: new Float32Array(0),
      bias: null,
      inputOffset: 0,
      outputOffset: 0,
      multipliers: perChannel.multipliers,
      shifts: perChannel.shifts,
      actMin: 0,
      actMax: 0,
      acc: new Float64Array(0),
    };
    if (kind === 'float32') {
      ctx.expectType(filter, ['float32'], 'filter');
      data.filter = new Float32Array(filter.data.buffer, filter.data.byteOffset, filter.elementCount);
      if (bias?.data) {
        ctx.expectType(bias, ['float32'], 'bias');
        data.bias = new Float32Array(bias.data.buffer, bias.data.byteOffset, bias.elementCount);
      }
      return { data, macs: batches * inH * inW * inC * kH * kW * outC };
    }
    ctx.expectType(filter, ['int8'], 'filter');
    if (kind === 'int16') {
      if (zeroPointOf(input) !== 0 || zeroPointOf(output) !== 0) ctx.fail('int16 input and output need zero point 0');
      if (bias) ctx.expectType(bias, ['int64'], 'bias');
      if (bias?.data) data.bias = int64Bias(ctx, bias);
    } else if (bias?.data) {
      ctx.expectType(bias, ['int32'], 'bias');
      data.bias = new Int32Array(bias.data.buffer, bias.data.byteOffset, bias.elementCount);
    }
    perChannelMultipliers(ctx, input, filter, output, outC, perChannel);
    data.filter = new Int8Array(filter.data.buffer, filter.data.byteOffset, filter.elementCount);
    data.inputOffset = -zeroPointOf(input);
    data.outputOffset = zeroPointOf(output);
    [data.actMin, data.actMax] = typeRange(output.dtype);
    // The device's accumulators: int32 (int8) or int64 (16x8) per output element, planned in the arena.
    ctx.requestScratch(kind === 'int16' ? 'int64' : 'int32', output.elementCount, 'accumulators');
    data.acc = ctx.hostOnly(new Float64Array(output.elementCount), 'accumulators as doubles');
    return { data, macs: batches * inH * inW * inC * kH * kW * outC };
  },
  eval(d: TransposeConvData, io: KernelIo): void {
    const input = io.inputs[INPUT] as TensorData;
    const output = io.outputs[OUTPUT];
    if (d.kind === 'float32') {
      output.fill(0);
      scatter(d, input, output, 0);
      const bias = d.bias;
      if (bias !== null) for (let i = 0; i < output.length; i++) output[i] = mathFround(output[i] + bias[i % d.outC]);
      return;
    }
    const acc = d.acc;
    acc.fill(0);
    scatter(d, input, acc, d.inputOffset);
    const { bias, multipliers, shifts, outputOffset, actMin, actMax, outC } = d;
    const int16 = d.kind === 'int16';
    for (let i = 0; i < acc.length; i++) {
      const oc = i % outC;
      let sum = acc[i];
      if (bias !== null) sum += bias[oc];
      const v = int16
        ? multiplyByQuantizedMultiplierInt64(sum, multipliers[oc], shifts[oc])
        : multiplyByQuantizedMultiplier(sum | 0, multipliers[oc], shifts[oc]) + outputOffset;
      output[i] = v < actMin ? actMin : v > actMax ? actMax : v;
    }
  },
};

/**
 * Adds each input element's contribution to the outputs it reaches, in the reference loop order (batch, input
 * y, x, channel, filter y, x, output channel). Float32 targets round every product and sum to float32.
 */
function scatter(
  d: TransposeConvData,
  input: TensorData,
  target: TensorData | Float64Array,
  inputOffset: number,
): void {
  const { batches, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, padH, padW, filter } = d;
  const isFloat = d.kind === 'float32';
  for (let b = 0; b < batches; b++) {
    for (let iy = 0; iy < inH; iy++) {
      for (let ix = 0; ix < inW; ix++) {
        const inBase = ((b * inH + iy) * inW + ix) * inC;
        for (let ic = 0; ic < inC; ic++) {
          const x = input[inBase + ic] + inputOffset;
          for (let fy = 0; fy < kH; fy++) {
            const oy = iy * strideH - padH + fy;
            if (oy < 0 || oy >= outH) continue;
            for (let fx = 0; fx < kW; fx++) {
              const ox = ix * strideW - padW + fx;
              if (ox < 0 || ox >= outW) continue;
              const outBase = ((b * outH + oy) * outW + ox) * outC;
              const fBase = (fy * kW + fx) * inC + ic;
              const fStride = kH * kW * inC;
              if (isFloat) {
                for (let oc = 0; oc < outC; oc++)
                  target[outBase + oc] = mathFround(
                    target[outBase + oc] + mathFround(x * filter[oc * fStride + fBase]),
                  );
              } else {
                for (let oc = 0; oc < outC; oc++) target[outBase + oc] += x * filter[oc * fStride + fBase];
              }
            }
          }
        }
      }
    }
  }
}
