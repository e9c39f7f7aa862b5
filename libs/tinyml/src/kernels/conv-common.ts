/** Prepare-time geometry and per-channel requantization shared by CONV_2D and DEPTHWISE_CONV_2D. */
import type { TensorInfo } from '../model/model.types';
import { fitsInt64Accumulator, quantizeMultiplier } from '../quant/fixed-point';
import { channelScales, computeOutSize, computePadding, scaleOf } from '../quant/quant-params';
import type { PrepareContext } from './kernel.types';

export interface ConvGeometry {
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
  dilationH: number;
  dilationW: number;
  padH: number;
  padW: number;
}

export function convGeometry(
  ctx: PrepareContext,
  input: TensorInfo,
  filter: TensorInfo,
  output: TensorInfo,
  padding: number,
  strideH: number,
  strideW: number,
  dilationH: number,
  dilationW: number,
): ConvGeometry {
  if (input.shape.length !== 4 || filter.shape.length !== 4 || output.shape.length !== 4) {
    ctx.fail('input, filter and output must be 4-D');
  }
  const inRange = (v: number): boolean => v >= 1 && v <= 1024;
  if (!inRange(strideH) || !inRange(strideW) || !inRange(dilationH) || !inRange(dilationW)) {
    ctx.fail(`invalid stride ${strideH}x${strideW} or dilation ${dilationH}x${dilationW}`);
  }
  if (padding !== 0 && padding !== 1) ctx.fail(`unknown padding ${padding}`);
  const [batches, inH, inW, inC] = input.shape;
  const kH = filter.shape[1];
  const kW = filter.shape[2];
  const outH = computeOutSize(padding, inH, kH, strideH, dilationH);
  const outW = computeOutSize(padding, inW, kW, strideW, dilationW);
  if (output.shape[0] !== batches || output.shape[1] !== outH || output.shape[2] !== outW) {
    ctx.fail(`output shape [${output.shape}] does not match computed [${batches},${outH},${outW},…]`);
  }
  return {
    batches,
    inH,
    inW,
    inC,
    outH,
    outW,
    outC: output.shape[3],
    kH,
    kW,
    strideH,
    strideW,
    dilationH,
    dilationW,
    padH: computePadding(strideH, dilationH, inH, kH, outH),
    padW: computePadding(strideW, dilationW, inW, kW, outW),
  };
}

/**
 * The per-channel multiplier and shift arrays TFLM's conv and depthwise Prepare allocate persistently, one
 * int32 each per output channel (for every data type: the float path allocates them too).
 */
export function allocatePerChannel(
  ctx: PrepareContext,
  channels: number,
): { multipliers: Int32Array; shifts: Int32Array } {
  return {
    multipliers: ctx.persistentArray('int32', channels, 'per_channel_output_multiplier'),
    shifts: ctx.persistentArray('int32', channels, 'per_channel_output_shift'),
  };
}

/** PopulateConvolutionQuantizationParams: one Q31 multiplier and shift per output channel, into `into`. */
export function perChannelMultipliers(
  ctx: PrepareContext,
  input: TensorInfo,
  filter: TensorInfo,
  output: TensorInfo,
  channels: number,
  into: { multipliers: Int32Array; shifts: Int32Array } = {
    multipliers: new Int32Array(channels),
    shifts: new Int32Array(channels),
  },
): { multipliers: Int32Array; shifts: Int32Array } {
  const filterScales = channelScales(filter, channels);
  if (filterScales.length !== channels)
    ctx.fail(`filter has ${filter.quantization?.scales.length ?? 0} scales for ${channels} channels`);
  const inputScale = scaleOf(input);
  const outputScale = scaleOf(output);
  if (!(inputScale > 0) || !(outputScale > 0)) ctx.fail('input and output need a positive quantization scale');
  const { multipliers, shifts } = into;
  for (let c = 0; c < channels; c++) {
    // Scales are float32 in the file; the C++ code widens each to double before multiplying.
    const effectiveScale = (inputScale * filterScales[c]) / outputScale;
    const q = quantizeMultiplier(effectiveScale);
    multipliers[c] = q.multiplier;
    shifts[c] = q.shift;
  }
  return { multipliers, shifts };
}

/**
 * A constant int64 bias (16x8 kernels) as exact doubles: host-only copy (the device reads the int64 words from
 * flash). Values outside TFLM's int64 accumulator range (|v| >= 2^47, where its MultiplyByQuantizedMultiplier
 * asserts) are refused, so every sum the kernels form stays an exact integer.
 */
export function int64Bias(ctx: PrepareContext, bias: TensorInfo): Float64Array {
  if (!bias.data) ctx.unsupported('non-constant bias');
  const words = new DataView(bias.data.buffer, bias.data.byteOffset, bias.byteLength);
  const values = new Float64Array(bias.elementCount);
  for (let i = 0; i < values.length; i++) {
    const v = words.getInt32(8 * i + 4, true) * 4294967296 + words.getUint32(8 * i, true);
    if (!fitsInt64Accumulator(v)) ctx.fail(`int64 bias ${i} outside the int64 accumulator range`);
    values[i] = v;
  }
  return ctx.hostOnly(values, 'int64 bias as doubles');
}
