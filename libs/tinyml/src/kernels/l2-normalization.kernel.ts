/**
 * L2_NORMALIZATION (l2norm.cc) along the last dimension, float32 and int8 (TFLM's Prepare refuses uint8 and any
 * fused activation). float32 is reference_ops::L2Normalization: a float sum of squares, sqrtf, at least epsilon
 * 1e-6f, then one float division per element. int8 is reference_integer_ops::L2Normalization: the int32 sum of
 * squared differences from the input zero point, its inverse square root from GetInvSqrtQuantizedMultiplierExp,
 * and each difference rescaled by it with 7 more bits of left shift, i.e. an output in steps of 1/128 with zero
 * point 0 whatever the output tensor says (TFLM's micro Prepare does not check the output quantization).
 * ParseL2Normalization keeps TfLiteL2NormParams; Init allocates L2NormalizationParams (the input zero point).
 */
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import { getInvSqrtQuantizedMultiplierExp, multiplyByQuantizedMultiplier } from '../quant/fixed-point';
import { zeroPointOf } from '../quant/quant-params';
import { INPUT, OUTPUT, unaryTensors } from './elementwise-common';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

const { fround: mathFround, sqrt: mathSqrt } = Math;

const OPT_ACTIVATION = 0;
const MAX_RANK = 4;
const EPSILON = mathFround(1e-6);
/** kOutputScale: the quotient is scaled by 2^7 (outputs in 1/128 steps). */
const OUTPUT_SHIFT = 7;
const REVERSE_SHIFT = -1;

interface L2NormalizationData {
  isFloat: boolean;
  outer: number;
  depth: number;
  inputZeroPoint: number;
  /** [multiplier, shift] of one row's 1/sqrt, rewritten per row (eval allocates nothing). */
  invSqrt: Int32Array;
}

export const l2NormalizationKernel: Kernel<L2NormalizationData> = {
  op: 'L2_NORMALIZATION',
  types: ['float32', 'int8'],
  prepare(ctx: PrepareContext): Prepared<L2NormalizationData> {
    ctx.builtinData(BUILTIN_DATA.l2Norm);
    ctx.opData(OP_DATA.l2Normalization);
    const { input } = unaryTensors(ctx, ['float32', 'int8']);
    if (input.shape.length > MAX_RANK) ctx.fail(`input rank ${input.shape.length} exceeds ${MAX_RANK}`);
    if (input.shape.length < 1) ctx.fail('input must have rank >= 1');
    const activation = ctx.options?.i8(OPT_ACTIVATION) ?? 0;
    if (activation !== 0) ctx.unsupported(`fused activation ${activation}`);
    const depth = input.shape[input.shape.length - 1];
    const isFloat = input.dtype === 'float32';
    return {
      data: {
        isFloat,
        outer: depth === 0 ? 0 : input.elementCount / depth,
        depth,
        inputZeroPoint: isFloat ? 0 : zeroPointOf(input),
        invSqrt: new Int32Array(2),
      },
    };
  },
  eval(d: L2NormalizationData, io: KernelIo): void {
    if (d.isFloat) evalFloat(d, io.inputs[INPUT] as Float32Array, io.outputs[OUTPUT] as Float32Array);
    else evalInt8(d, io.inputs[INPUT] as Int8Array, io.outputs[OUTPUT] as Int8Array);
  },
};

function evalFloat(d: L2NormalizationData, input: Float32Array, output: Float32Array): void {
  const { outer, depth } = d;
  for (let i = 0; i < outer; i++) {
    const base = i * depth;
    let squaredNorm = 0;
    for (let c = 0; c < depth; c++) {
      const v = input[base + c];
      squaredNorm = mathFround(squaredNorm + mathFround(v * v));
    }
    const norm = mathFround(mathSqrt(squaredNorm));
    // std::max(norm, epsilon) is epsilon only when norm < epsilon: a NaN norm stays NaN.
    const divisor = norm < EPSILON ? EPSILON : norm;
    for (let c = 0; c < depth; c++) output[base + c] = input[base + c] / divisor;
  }
}

function evalInt8(d: L2NormalizationData, input: Int8Array, output: Int8Array): void {
  const { outer, depth, inputZeroPoint, invSqrt } = d;
  for (let i = 0; i < outer; i++) {
    const base = i * depth;
    let acc = 0;
    for (let c = 0; c < depth; c++) {
      const v = input[base + c] - inputZeroPoint;
      acc = (acc + v * v) | 0;
    }
    getInvSqrtQuantizedMultiplierExp(acc, REVERSE_SHIFT, invSqrt);
    const multiplier = invSqrt[0];
    const shift = invSqrt[1] + OUTPUT_SHIFT;
    for (let c = 0; c < depth; c++) {
      const v = multiplyByQuantizedMultiplier(input[base + c] - inputZeroPoint, multiplier, shift);
      output[base + c] = v > 127 ? 127 : v < -128 ? -128 : v;
    }
  }
}
