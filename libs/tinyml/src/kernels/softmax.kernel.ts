/**
 * SOFTMAX. int8 -> int8 and int8 -> int16 follow TFLM's reference Softmax<int8_t, OutputT>: inputs rescaled
 * into gemmlowp FixedPoint<5>, exp_on_negative_values, a FixedPoint<12> sum and a Newton-Raphson reciprocal
 * (no lookup table); the output is the probability in Q0.8 (int8) or Q0.16 (int16) shifted by the type's
 * minimum. int16 -> int16 is SoftmaxInt16: differences rescaled so [-65535, 0] is [-10, 0], an exp table and
 * a 1/(1+x) table (two persistent 513-entry int16 tables built in prepare), output Q0.15 (zero point 0). float32 follows reference_ops::Softmax (std::exp on floats: the C library's expf).
 */
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import {
  INT32_MIN,
  calculateInputRadius,
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierGreaterThanOne,
  quantizeMultiplier,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '../quant/fixed-point';
import { expOnNegativeValues, oneOverOnePlusXForXIn01 } from '../quant/gemmlowp';
import { INT16_LUT_SIZE, genLutInt16, int16TableLookup } from '../quant/int16-lut';
import { expf } from '../quant/libm-float32';
import { scaleOf, zeroPointOf } from '../quant/quant-params';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

// Bound once at load: looking up the global `Math` inside hot loops is slow in vm sandboxes (e.g. Jest).
const { clz32: mathClz32, floor: mathFloor, fround: mathFround, min: mathMin } = Math;

const INPUT = 0;
const OUTPUT = 0;
const OPT_BETA = 0;
const SCALED_DIFF_INTEGER_BITS = 5;
const ACCUMULATION_INTEGER_BITS = 12;

interface Int16Tables {
  exp: Int16Array;
  oneOverOnePlusX: Int16Array;
}

interface SoftmaxData {
  isFloat: boolean;
  /** int16 -> int16: the tables; null otherwise. */
  int16: Int16Tables | null;
  /** Quantized output width: 8 or 16 bits (zero point -2^(bits-1), scale 2^-bits). */
  outputBits: number;
  outer: number;
  depth: number;
  beta: number;
  inputMultiplier: number;
  inputLeftShift: number;
  diffMin: number;
}

export const softmaxKernel: Kernel<SoftmaxData> = {
  op: 'SOFTMAX',
  types: ['float32', 'int8', 'int16'],
  prepare(ctx: PrepareContext): Prepared<SoftmaxData> {
    const input = ctx.input(INPUT);
    const output = ctx.output(OUTPUT);
    ctx.expectType(input, ['int8', 'int16', 'float32'], 'input');
    const int16Output = input.dtype === 'int8' && output.dtype === 'int16';
    if (output.dtype !== input.dtype && !int16Output) ctx.unsupported(`${input.dtype} -> ${output.dtype} softmax`);
    ctx.expectSameCount(input, output, 'input/output');
    if (input.shape.length < 1) ctx.fail('input must have rank >= 1');
    const depth = input.shape[input.shape.length - 1];
    const outer = depth === 0 ? 0 : input.elementCount / depth;
    ctx.builtinData(BUILTIN_DATA.softmax);
    ctx.opData(OP_DATA.softmax);
    const beta = mathFround(ctx.options?.f32(OPT_BETA, 1) ?? 1);
    const data: SoftmaxData = {
      isFloat: input.dtype === 'float32',
      int16: null,
      outputBits: int16Output ? 16 : 8,
      outer,
      depth,
      beta,
      inputMultiplier: 0,
      inputLeftShift: 0,
      diffMin: 0,
    };
    if (input.dtype === 'int16') {
      prepareInt16(ctx, data, beta);
      return { data, macs: input.elementCount };
    }
    if (int16Output) {
      // CalculateSoftmaxParams: TF_LITE_ENSURE_NEAR on the float scale, within 0.1% of 2^-16.
      const tolerance = mathFround(mathFround(0.001) * mathFround(1 / 65536));
      if (zeroPointOf(output) !== -32768 || Math.abs(mathFround(scaleOf(output) - 1 / 65536)) > tolerance)
        ctx.unsupported('int16 softmax output must have scale 1/65536 and zero point -32768');
    } else if (!data.isFloat) {
      if (zeroPointOf(output) !== -128 || scaleOf(output) !== 1 / 256) {
        ctx.unsupported('int8 softmax output must have scale 1/256 and zero point -128');
      }
    }
    if (!data.isFloat) {
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
    else if (d.int16) evalInt16(d, d.int16, io.inputs[INPUT] as Int16Array, io.outputs[OUTPUT] as Int16Array);
    else evalInt8(d, io.inputs[INPUT] as Int8Array, io.outputs[OUTPUT] as Int8Array | Int16Array);
  },
};

/**
 * CalculateSoftmaxParams' int16 branch: zero points 0, output scale 1/32768 (within 0.1%), the input
 * multiplier scale·beta / (10/65535) (double), and the two tables (gen_lut on float functions).
 */
function prepareInt16(ctx: PrepareContext, data: SoftmaxData, beta: number): void {
  const input = ctx.input(INPUT);
  const output = ctx.output(OUTPUT);
  const tolerance = mathFround(mathFround(0.001) * mathFround(1 / 32768));
  if (zeroPointOf(input) !== 0 || zeroPointOf(output) !== 0) ctx.unsupported('int16 softmax zero points must be 0');
  if (Math.abs(mathFround(scaleOf(output) - mathFround(1 / 32768))) > tolerance)
    ctx.unsupported('int16 softmax output must have scale 1/32768');
  const q = quantizeMultiplier((scaleOf(input) * beta) / (10 / 65535));
  data.inputMultiplier = q.multiplier;
  data.inputLeftShift = q.shift;
  const tables: Int16Tables = {
    exp: ctx.persistentArray('int16', INT16_LUT_SIZE, 'exp_lut'),
    oneOverOnePlusX: ctx.persistentArray('int16', INT16_LUT_SIZE, 'one_over_one_plus_x_lut'),
  };
  // exp on [-10, 0] (exp(-10) is negligible in the sum) and 1/(1+x) on [0, 1], both to [-1, 1].
  genLutInt16(expf, -10, 0, -1, 1, tables.exp);
  genLutInt16((x) => mathFround(1 / mathFround(1 + x)), 0, 1, -1, 1, tables.oneOverOnePlusX);
  data.int16 = tables;
}

/** reference_ops::SoftmaxInt16; the exp values are staged in the output row, as the reference does. */
function evalInt16(d: SoftmaxData, t: Int16Tables, input: Int16Array, output: Int16Array): void {
  const { outer, depth, inputMultiplier, inputLeftShift } = d;
  for (let i = 0; i < outer; i++) {
    const base = i * depth;
    let maxInRow = -32768;
    for (let c = 0; c < depth; c++) if (input[base + c] > maxInRow) maxInRow = input[base + c];
    let sumOfExps = 0;
    for (let c = 0; c < depth; c++) {
      const scaled = multiplyByQuantizedMultiplier(input[base + c] - maxInRow, inputMultiplier, inputLeftShift);
      const sym = scaled + 32767;
      const e = int16TableLookup(sym < -32768 ? -32768 : sym > 32767 ? 32767 : sym, t.exp);
      output[base + c] = e;
      sumOfExps = (sumOfExps + e) | 0;
    }
    const headroomPlusOne = mathClz32(sumOfExps);
    // (sum << (headroom - 1)) + 2^13 >> 14 in int64: floor division keeps it exact past 2^31.
    const shiftedSum = mathFloor((sumOfExps * 2 ** (headroomPlusOne - 1) + 8192) / 16384);
    const sym = shiftedSum - (32768 + 65536);
    const reciprocal = int16TableLookup(sym < -32768 ? -32768 : sym > 32767 ? 32767 : sym, t.oneOverOnePlusX);
    const rightShift = 31 - headroomPlusOne;
    const divisor = 2 ** rightShift;
    const round = 2 ** (rightShift - 1);
    for (let c = 0; c < depth; c++) {
      const v = mathFloor((output[base + c] * reciprocal + round) / divisor);
      output[base + c] = v < 0 ? 0 : v > 32767 ? 32767 : v;
    }
  }
}

function evalInt8(d: SoftmaxData, input: Int8Array, output: Int8Array | Int16Array): void {
  const { outer, depth, inputMultiplier, inputLeftShift, diffMin } = d;
  const outputMin = -(2 ** (d.outputBits - 1));
  const outputMax = -outputMin - 1;
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
    const shift = numBitsOverUnit + 31 - d.outputBits;
    for (let c = 0; c < depth; c++) {
      const diff = input[base + c] - maxInRow;
      if (diff >= diffMin) {
        const scaled = multiplyByQuantizedMultiplierGreaterThanOne(diff, inputMultiplier, inputLeftShift);
        const expIn0 = expOnNegativeValues(scaled, SCALED_DIFF_INTEGER_BITS);
        const unsat = roundingDivideByPOT(saturatingRoundingDoublingHighMul(shiftedScale, expIn0), shift);
        let v = unsat + outputMin;
        if (v > outputMax) v = outputMax;
        else if (v < outputMin) v = outputMin;
        output[base + c] = v;
      } else {
        output[base + c] = outputMin;
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
      const e = expf(fround(input[base + c] - max) * beta);
      output[base + c] = e;
      sum = fround(sum + e);
    }
    for (let c = 0; c < depth; c++) output[base + c] = fround(output[base + c] / sum);
  }
}
