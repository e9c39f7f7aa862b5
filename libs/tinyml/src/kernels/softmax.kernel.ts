/**
 * SOFTMAX. int8 -> int8 follows TFLM's reference Softmax<int8_t, int8_t>: inputs rescaled into
 * gemmlowp FixedPoint<5>, exp_on_negative_values, a FixedPoint<12> sum and a Newton-Raphson reciprocal
 * (no lookup table). float32 follows reference_ops::Softmax.
 */
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import {
  INT32_MIN,
  calculateInputRadius,
  multiplyByQuantizedMultiplierGreaterThanOne,
  quantizeMultiplier,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '../quant/fixed-point';
import { expOnNegativeValues, oneOverOnePlusXForXIn01 } from '../quant/gemmlowp';
import { scaleOf, zeroPointOf } from '../quant/quant-params';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

// Bound once at load: looking up the global `Math` inside hot loops is slow in vm sandboxes (e.g. Jest).
const { clz32: mathClz32, exp: mathExp, fround: mathFround, min: mathMin } = Math;

const INPUT = 0;
const OUTPUT = 0;
const OPT_BETA = 0;
const SCALED_DIFF_INTEGER_BITS = 5;
const ACCUMULATION_INTEGER_BITS = 12;

interface SoftmaxData {
  isFloat: boolean;
  outer: number;
  depth: number;
  beta: number;
  inputMultiplier: number;
  inputLeftShift: number;
  diffMin: number;
}

export const softmaxKernel: Kernel<SoftmaxData> = {
  op: 'SOFTMAX',
  prepare(ctx: PrepareContext): Prepared<SoftmaxData> {
    const input = ctx.input(INPUT);
    const output = ctx.output(OUTPUT);
    ctx.expectType(input, ['int8', 'float32'], 'input');
    if (output.dtype !== input.dtype) ctx.unsupported(`${input.dtype} -> ${output.dtype} softmax`);
    ctx.expectSameCount(input, output, 'input/output');
    if (input.shape.length < 1) ctx.fail('input must have rank >= 1');
    const depth = input.shape[input.shape.length - 1];
    const outer = depth === 0 ? 0 : input.elementCount / depth;
    ctx.builtinData(BUILTIN_DATA.softmax);
    ctx.opData(OP_DATA.softmax);
    const beta = mathFround(ctx.options?.f32(OPT_BETA, 1) ?? 1);
    const data: SoftmaxData = {
      isFloat: input.dtype === 'float32',
      outer,
      depth,
      beta,
      inputMultiplier: 0,
      inputLeftShift: 0,
      diffMin: 0,
    };
    if (!data.isFloat) {
      if (zeroPointOf(output) !== -128 || scaleOf(output) !== 1 / 256) {
        ctx.unsupported('int8 softmax output must have scale 1/256 and zero point -128');
      }
      // PreprocessSoftmaxScaling (double-rounding build): beta * scale * 2^(31 - 5), capped at INT32_MAX.
      const real = mathMin(beta * scaleOf(input) * 2 ** (31 - SCALED_DIFF_INTEGER_BITS), 2147483647);
      const q = quantizeMultiplier(real);
      if (q.shift < 0) ctx.unsupported('softmax input scale too small');
      data.inputMultiplier = q.multiplier;
      data.inputLeftShift = q.shift;
      data.diffMin = -calculateInputRadius(SCALED_DIFF_INTEGER_BITS, q.shift);
    }
    return { data, macs: input.elementCount };
  },
  eval(d: SoftmaxData, io: KernelIo): void {
    if (d.isFloat) evalFloat(d, io.inputs[INPUT] as Float32Array, io.outputs[OUTPUT] as Float32Array);
    else evalInt8(d, io.inputs[INPUT] as Int8Array, io.outputs[OUTPUT] as Int8Array);
  },
};

function evalInt8(d: SoftmaxData, input: Int8Array, output: Int8Array): void {
  const { outer, depth, inputMultiplier, inputLeftShift, diffMin } = d;
  for (let i = 0; i < outer; i++) {
    const base = i * depth;
    let maxInRow = -128;
    for (let c = 0; c < depth; c++) if (input[base + c] > maxInRow) maxInRow = input[base + c];
    let sumOfExps = 0; // FixedPoint<12> raw, wraps like int32
    for (let c = 0; c < depth; c++) {
      const diff = input[base + c] - maxInRow;
      if (diff >= diffMin) {
        const scaled = multiplyByQuantizedMultiplierGreaterThanOne(diff, inputMultiplier, inputLeftShift);
        // Rescale<12> from FixedPoint<0>: rounding right shift by 12.
        sumOfExps =
          (sumOfExps +
            roundingDivideByPOT(expOnNegativeValues(scaled, SCALED_DIFF_INTEGER_BITS), ACCUMULATION_INTEGER_BITS)) |
          0;
      }
    }
    // GetReciprocal(sum, 12): normalise sum into [1, 2) and take 1/x with Newton-Raphson.
    const headroomPlusOne = mathClz32(sumOfExps);
    const numBitsOverUnit = ACCUMULATION_INTEGER_BITS - headroomPlusOne;
    const shiftedSumMinusOne = ((sumOfExps << headroomPlusOne) - INT32_MIN) | 0;
    const shiftedScale = oneOverOnePlusXForXIn01(shiftedSumMinusOne);
    const shift = numBitsOverUnit + 31 - 8;
    for (let c = 0; c < depth; c++) {
      const diff = input[base + c] - maxInRow;
      if (diff >= diffMin) {
        const scaled = multiplyByQuantizedMultiplierGreaterThanOne(diff, inputMultiplier, inputLeftShift);
        const expIn0 = expOnNegativeValues(scaled, SCALED_DIFF_INTEGER_BITS);
        const unsat = roundingDivideByPOT(saturatingRoundingDoublingHighMul(shiftedScale, expIn0), shift);
        let v = unsat - 128;
        if (v > 127) v = 127;
        else if (v < -128) v = -128;
        output[base + c] = v;
      } else {
        output[base + c] = -128;
      }
    }
  }
}

function evalFloat(d: SoftmaxData, input: Float32Array, output: Float32Array): void {
  const { outer, depth, beta } = d;
  const fround = mathFround;
  for (let i = 0; i < outer; i++) {
    const base = i * depth;
    let max = -3.4028234663852886e38;
    for (let c = 0; c < depth; c++) if (input[base + c] > max) max = input[base + c];
    let sum = 0;
    for (let c = 0; c < depth; c++) {
      const e = fround(mathExp(fround(fround(input[base + c] - max) * beta)));
      output[base + c] = e;
      sum = fround(sum + e);
    }
    for (let c = 0; c < depth; c++) output[base + c] = fround(output[base + c] / sum);
  }
}
