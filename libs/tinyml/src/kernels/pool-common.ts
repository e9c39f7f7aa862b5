/** Prepare-time set-up shared by AVERAGE_POOL_2D, MAX_POOL_2D (TFLM pooling_common.cc) and L2_POOL_2D. */
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import {
  activationRangeFloat,
  activationRangeQuantized,
  computeOutSize,
  computePadding,
  scaleOf,
  zeroPointOf,
} from '../quant/quant-params';
import type { PrepareContext } from './kernel.types';

const INPUT = 0;
const OUTPUT = 0;
// Pool2DOptions field ids.
const OPT = { padding: 0, strideW: 1, strideH: 2, filterW: 3, filterH: 4, activation: 5 };

export interface PoolData {
  isFloat: boolean;
  batches: number;
  inH: number;
  inW: number;
  depth: number;
  outH: number;
  outW: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  actMin: number;
  actMax: number;
}

/** PoolingPrepare's quantized check: scales (as doubles) at most this far apart, and equal zero points. */
const MAX_SCALE_DIFF = 1.0e-6;

/**
 * `types`: what the op's Eval accepts (AVERAGE/MAX_POOL_2D float32, int8, int16; L2_POOL_2D float32).
 * `withOpData`: AVERAGE/MAX_POOL_2D keep OpDataPooling (Init); L2_POOL_2D has no Init.
 */
export function preparePool(
  ctx: PrepareContext,
  types: readonly string[],
  withOpData = true,
): { data: PoolData; macs: number } {
  const input = ctx.input(INPUT);
  const output = ctx.output(OUTPUT);
  const o = ctx.options ?? ctx.fail('missing Pool2DOptions');
  if (input.shape.length !== 4 || output.shape.length !== 4) ctx.fail('input and output must be 4-D');
  ctx.expectType(input, types, 'input');
  if (output.dtype !== input.dtype) ctx.fail('input and output types differ');
  const isFloat = input.dtype === 'float32';
  ctx.builtinData(BUILTIN_DATA.pool);
  if (withOpData) ctx.opData(OP_DATA.pooling);
  // The quantized kernels do not rescale, so TFLM's Prepare requires (nearly) the same quantization in and out.
  if (
    !isFloat &&
    (Math.abs(Math.fround(scaleOf(input)) - Math.fround(scaleOf(output))) > MAX_SCALE_DIFF ||
      zeroPointOf(input) !== zeroPointOf(output))
  ) {
    ctx.unsupported(`${input.dtype} pooling with different input and output quantization`);
  }
  const padding = o.i8(OPT.padding);
  const strideW = o.i32(OPT.strideW);
  const strideH = o.i32(OPT.strideH);
  const kW = o.i32(OPT.filterW);
  const kH = o.i32(OPT.filterH);
  if (strideW < 1 || strideH < 1 || kW < 1 || kH < 1 || kW > 4096 || kH > 4096 || strideW > 4096 || strideH > 4096) {
    ctx.fail(`invalid filter ${kH}x${kW} or stride ${strideH}x${strideW}`);
  }
  const [batches, inH, inW, depth] = input.shape;
  const outH = computeOutSize(padding, inH, kH, strideH, 1);
  const outW = computeOutSize(padding, inW, kW, strideW, 1);
  if (
    output.shape[0] !== batches ||
    output.shape[1] !== outH ||
    output.shape[2] !== outW ||
    output.shape[3] !== depth
  ) {
    ctx.fail(`output shape [${output.shape}] does not match computed [${batches},${outH},${outW},${depth}]`);
  }
  const activation = o.i8(OPT.activation);
  const range = isFloat ? activationRangeFloat(activation) : activationRangeQuantized(activation, output);
  if (!range) ctx.unsupported(`activation ${activation}`);
  return {
    data: {
      isFloat,
      batches,
      inH,
      inW,
      depth,
      outH,
      outW,
      kH,
      kW,
      strideH,
      strideW,
      padH: computePadding(strideH, 1, inH, kH, outH),
      padW: computePadding(strideW, 1, inW, kW, outW),
      actMin: range[0],
      actMax: range[1],
    },
    macs: batches * outH * outW * depth * kH * kW,
  };
}
