/**
 * LOG_SOFTMAX (log_softmax.cc) along the last dimension. float32 is reference_ops::LogSoftmax: the row maximum,
 * a float sum of expf(x - max), logf of it, then (x - max) - log_sum, each step rounded to float (glibc's expf;
 * glibc's logf from quant/libm-sin-cos-log). int8 is reference_ops::LogSoftmaxQuantized: differences rescaled into
 * FixedPoint<5> (PreprocessLogSoftmaxScalingExp), a FixedPoint<12> sum of exp_on_negative_values, its
 * FixedPoint<5> log, and x - max - log_sum rescaled to the fixed output scale 16/256 (zero point 127, which
 * Prepare requires); differences below the reverse-scaled limit give -128. Only the int8 path allocates
 * LogSoftmaxOpData (in Prepare); there is no Init and no builtin data.
 */
import { OP_DATA } from '../memory/device-layout';
import {
  INT32_MIN,
  calculateInputRadius,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundingDivideByPOT,
} from '../quant/fixed-point';
import { expOnNegativeValues, logXForXGreaterThanOrEqualTo1 } from '../quant/gemmlowp';
import { expf } from '../quant/libm-float32';
import { logf } from '../quant/libm-sin-cos-log';
import { scaleOf, zeroPointOf } from '../quant/quant-params';
import { INPUT, OUTPUT, unaryTensors } from './elementwise-common';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

const { fround: mathFround, min: mathMin } = Math;

const INPUT_INTEGER_BITS = 5;
const ACCUMULATION_INTEGER_BITS = 12;
const OUTPUT_INTEGER_BITS = 4;
const OUTPUT_SCALE = 16 / 256;
const OUTPUT_ZERO_POINT = 127;

interface LogSoftmaxData {
  isFloat: boolean;
  outer: number;
  depth: number;
  inputMultiplier: number;
  inputLeftShift: number;
  reverseScalingDivisor: number;
  /** The shift MultiplyByQuantizedMultiplier takes for the reverse scaling (<= 0: a right shift). */
  reverseScalingShift: number;
  diffMin: number;
}

export const logSoftmaxKernel: Kernel<LogSoftmaxData> = {
  op: 'LOG_SOFTMAX',
  types: ['float32', 'int8'],
  prepare(ctx: PrepareContext): Prepared<LogSoftmaxData> {
    const { input, output } = unaryTensors(ctx, ['float32', 'int8']);
    if (input.shape.length !== output.shape.length || input.shape.some((d, i) => d !== output.shape[i]))
      ctx.fail(`output shape [${output.shape}] differs from input [${input.shape}]`);
    if (input.shape.length < 1) ctx.fail('input must have rank >= 1');
    const depth = input.shape[input.shape.length - 1];
    const data: LogSoftmaxData = {
      isFloat: input.dtype === 'float32',
      outer: depth === 0 ? 0 : input.elementCount / depth,
      depth,
      inputMultiplier: 0,
      inputLeftShift: 0,
      reverseScalingDivisor: 0,
      reverseScalingShift: 0,
      diffMin: 0,
    };
    if (!data.isFloat) {
      ctx.opData(OP_DATA.logSoftmax);
      // Compared as floats, as TFLM does: the scale must be exactly 1/16.
      if (mathFround(scaleOf(output)) !== OUTPUT_SCALE || zeroPointOf(output) !== OUTPUT_ZERO_POINT)
        ctx.unsupported('int8 log softmax output must have scale 16/256 and zero point 127');
      // PreprocessLogSoftmaxScalingExp with beta 1: the input multiplier of PreprocessSoftmaxScaling (input scale
      // · 2^(31 - 5), capped below 2^31) and the inverse of its scaling as a multiplier below one.
      const real = mathMin(scaleOf(input) * 2 ** (31 - INPUT_INTEGER_BITS), 2 ** 31 - 1);
      const q = quantizeMultiplier(real);
      if (q.shift < 0) ctx.unsupported('log softmax input scale too small');
      const reverse = quantizeMultiplier(2 ** (31 - q.shift) / q.multiplier);
      if (reverse.shift > 0) ctx.unsupported('log softmax input scale too small');
      data.inputMultiplier = q.multiplier;
      data.inputLeftShift = q.shift;
      data.reverseScalingDivisor = reverse.multiplier;
      data.reverseScalingShift = reverse.shift;
      data.diffMin = -calculateInputRadius(INPUT_INTEGER_BITS, q.shift);
    }
    return { data, macs: input.elementCount };
  },
  eval(d: LogSoftmaxData, io: KernelIo): void {
    if (d.isFloat) evalFloat(d, io.inputs[INPUT] as Float32Array, io.outputs[OUTPUT] as Float32Array);
    else evalInt8(d, io.inputs[INPUT] as Int8Array, io.outputs[OUTPUT] as Int8Array);
  },
};

function evalFloat(d: LogSoftmaxData, input: Float32Array, output: Float32Array): void {
  const { outer, depth } = d;
  for (let i = 0; i < outer; i++) {
    const base = i * depth;
    // std::max(max, x) keeps max when the comparison is false (a NaN input does not become the maximum).
    let max = -3.4028234663852886e38;
    for (let c = 0; c < depth; c++) if (max < input[base + c]) max = input[base + c];
    let sum = 0;
    for (let c = 0; c < depth; c++) sum = mathFround(sum + expf(mathFround(input[base + c] - max)));
    const logSum = logf(sum);
    for (let c = 0; c < depth; c++) output[base + c] = mathFround(input[base + c] - max) - logSum;
  }
}

function evalInt8(d: LogSoftmaxData, input: Int8Array, output: Int8Array): void {
  const { outer, depth, inputMultiplier, inputLeftShift, diffMin } = d;
  for (let i = 0; i < outer; i++) {
    const base = i * depth;
    let maxInRow = -128;
    for (let c = 0; c < depth; c++) if (input[base + c] > maxInRow) maxInRow = input[base + c];
    let sumOfExps = 0; // FixedPoint<12> raw, wraps like int32
    for (let c = 0; c < depth; c++) {
      const diff = input[base + c] - maxInRow;
      if (diff >= diffMin) {
        const diffInQ5 = multiplyByQuantizedMultiplier(diff, inputMultiplier, inputLeftShift);
        // Rescale<12> from FixedPoint<0>: a rounding right shift by 12.
        const e = expOnNegativeValues(diffInQ5, INPUT_INTEGER_BITS);
        sumOfExps = (sumOfExps + roundingDivideByPOT(e, ACCUMULATION_INTEGER_BITS)) | 0;
      }
    }
    const logSumInQ5 = logXForXGreaterThanOrEqualTo1(sumOfExps, ACCUMULATION_INTEGER_BITS, INPUT_INTEGER_BITS);
    // The smallest FixedPoint<5> value plus the log sum, scaled back to input steps: lower diffs saturate.
    const shiftedLogSum = (logSumInQ5 + INT32_MIN) | 0;
    const reverseScaled = multiplyByQuantizedMultiplier(shiftedLogSum, d.reverseScalingDivisor, d.reverseScalingShift);
    const adjustedDiffMin = diffMin - 1 > reverseScaled ? diffMin - 1 : reverseScaled;
    for (let c = 0; c < depth; c++) {
      const diff = input[base + c] - maxInRow;
      // The reference compares with > here, >= above.
      if (diff > adjustedDiffMin) {
        const diffInQ5 = multiplyByQuantizedMultiplier(diff, inputMultiplier, inputLeftShift);
        const v = roundingDivideByPOT((diffInQ5 - logSumInQ5) | 0, 31 - INPUT_INTEGER_BITS - OUTPUT_INTEGER_BITS) + 127;
        output[base + c] = v > 127 ? 127 : v < -128 ? -128 : v;
      } else {
        output[base + c] = -128;
      }
    }
  }
}
