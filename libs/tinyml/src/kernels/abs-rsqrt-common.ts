/**
 * PrepareAbsRsqrt of elementwise.cc, shared by ABS and RSQRT: the quantized variants (int8, and int16 with
 * quantization for ABS) keep OpDataAbsRsqrt with both zero points and the output multiplier; float32 and
 * unquantized int16 only allocate it (TFLM's Init does so for every type).
 */
import { OP_DATA } from '../memory/device-layout';
import type { TensorInfo } from '../model/model.types';
import { quantizeMultiplier } from '../quant/fixed-point';
import { scaleOf, typeRange, zeroPointOf } from '../quant/quant-params';
import { unaryTensors } from './elementwise-common';
import type { PrepareContext } from './kernel.types';

const { fround: mathFround, sqrt: mathSqrt } = Math;

export interface AbsRsqrtData {
  dtype: string;
  quantized: boolean;
  count: number;
  inputOffset: number;
  outputOffset: number;
  needsRescale: boolean;
  multiplier: number;
  shift: number;
  qMin: number;
  qMax: number;
  opIndex: number;
}

const isQuantized = (t: TensorInfo): boolean => (t.quantization?.scales.length ?? 0) > 0;

export function prepareAbsRsqrt(ctx: PrepareContext, types: readonly string[], isRsqrt: boolean): AbsRsqrtData {
  const { input, output } = unaryTensors(ctx, types);
  ctx.opData(OP_DATA.absRsqrt);
  const quantized = input.dtype === 'int8' || (input.dtype === 'int16' && isQuantized(input));
  const data: AbsRsqrtData = {
    dtype: input.dtype,
    quantized,
    count: input.elementCount,
    inputOffset: 0,
    outputOffset: 0,
    needsRescale: false,
    multiplier: 0,
    shift: 0,
    qMin: 0,
    qMax: 0,
    opIndex: ctx.node.index,
  };
  if (!quantized) return data;
  if (!isQuantized(input) || !isQuantized(output)) ctx.unsupported('input and output need affine quantization');
  data.inputOffset = zeroPointOf(input);
  data.outputOffset = zeroPointOf(output);
  if (input.dtype === 'int16' && (data.inputOffset !== 0 || data.outputOffset !== 0))
    ctx.unsupported('int16 zero points must be 0');
  const inputScale = mathFround(scaleOf(input));
  const outputScale = mathFround(scaleOf(output));
  data.needsRescale = inputScale !== outputScale;
  if (isRsqrt || data.needsRescale) {
    // ABS: input / output scale; RSQRT: 1 / (sqrt(input scale) * output scale); both in double.
    const real = isRsqrt ? 1 / (mathSqrt(inputScale) * outputScale) : inputScale / outputScale;
    const q = quantizeMultiplier(real);
    data.multiplier = q.multiplier;
    data.shift = q.shift;
  }
  [data.qMin, data.qMax] = typeRange(input.dtype);
  return data;
}
