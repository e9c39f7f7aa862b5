/** Prepare-time helpers shared by kernels: zero points, scales, activation ranges, padding. */
import { Activation } from '../schema/tflite-schema';
import type { TensorInfo } from '../model/model.types';
import { roundHalfAwayFromZero } from './fixed-point';

export const FLOAT_MAX = 3.4028234663852886e38;

export function scaleOf(t: TensorInfo): number {
  return t.quantization?.scales[0] ?? 0;
}

export function zeroPointOf(t: TensorInfo): number {
  return t.quantization?.zeroPoints[0] ?? 0;
}

export function typeRange(dtype: string): [number, number] {
  switch (dtype) {
    case 'int8':
      return [-128, 127];
    case 'uint8':
      return [0, 255];
    case 'int16':
      return [-32768, 32767];
    default:
      return [-2147483648, 2147483647];
  }
}

/** TFLM CalculateActivationRangeQuantized: clamp range in the output's quantized domain. */
export function activationRangeQuantized(activation: number, output: TensorInfo): [number, number] | null {
  const [qmin, qmax] = typeRange(output.dtype);
  const scale = Math.fround(scaleOf(output));
  const zeroPoint = zeroPointOf(output);
  // f / scale is a float32 division in the C++ code.
  const quantize = (f: number): number => zeroPoint + roundHalfAwayFromZero(Math.fround(f / scale));
  switch (activation) {
    case Activation.NONE:
      return [qmin, qmax];
    case Activation.RELU:
      return [Math.max(qmin, quantize(0)), qmax];
    case Activation.RELU6:
      return [Math.max(qmin, quantize(0)), Math.min(qmax, quantize(6))];
    case Activation.RELU_N1_TO_1:
      return [Math.max(qmin, quantize(-1)), Math.min(qmax, quantize(1))];
    default:
      return null;
  }
}

/** TFLM CalculateActivationRange for float32. */
export function activationRangeFloat(activation: number): [number, number] | null {
  switch (activation) {
    case Activation.NONE:
      return [-FLOAT_MAX, FLOAT_MAX];
    case Activation.RELU:
      return [0, FLOAT_MAX];
    case Activation.RELU6:
      return [0, 6];
    case Activation.RELU_N1_TO_1:
      return [-1, 1];
    default:
      return null;
  }
}

/** TFLM CalculateActivationRange<int32_t>: any other activation leaves the full int32 range. */
export function activationRangeInt32(activation: number): [number, number] {
  switch (activation) {
    case Activation.RELU:
      return [0, 2147483647];
    case Activation.RELU6:
      return [0, 6];
    case Activation.RELU_N1_TO_1:
      return [-1, 1];
    default:
      return [-2147483648, 2147483647];
  }
}

/** C++ integer division (truncates toward zero). */
export function idiv(a: number, b: number): number {
  return Math.trunc(a / b);
}

/** TFLM ComputeOutSize. */
export function computeOutSize(
  padding: number,
  imageSize: number,
  filterSize: number,
  stride: number,
  dilation: number,
): number {
  const effectiveFilterSize = (filterSize - 1) * dilation + 1;
  if (stride === 0) return 0;
  return padding === 0 /* SAME */
    ? idiv(imageSize + stride - 1, stride)
    : idiv(imageSize + stride - effectiveFilterSize, stride);
}

/** TFLM ComputePadding (the leading pad; SAME may pad one more at the end). */
export function computePadding(
  stride: number,
  dilation: number,
  inSize: number,
  filterSize: number,
  outSize: number,
): number {
  const effectiveFilterSize = (filterSize - 1) * dilation + 1;
  const padding = idiv((outSize - 1) * stride + effectiveFilterSize - inSize, 2);
  return padding > 0 ? padding : 0;
}

/** Per-tensor or per-channel scales expanded to `channels` entries. */
export function channelScales(t: TensorInfo, channels: number): number[] {
  const scales = t.quantization?.scales ?? [];
  if (scales.length === channels) return scales;
  if (scales.length === 1) return new Array<number>(channels).fill(scales[0]);
  return [];
}
