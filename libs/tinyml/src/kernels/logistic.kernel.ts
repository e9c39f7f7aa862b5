/**
 * LOGISTIC. int8 follows TFLM reference_integer_ops::Logistic: input rescaled to gemmlowp FixedPoint<4>,
 * gemmlowp::logistic, output in Q0.8 with zero point -128. int16 (zero points 0, output scale 2^-15) is the
 * int16 overload: input rescaled to 1/(3·4096) units, the interpolated sigmoid table (quant/int16-activations). float32 uses TFLM's cut-off formula with the C
 * library's expf (libm-float32).
 */
import type { StructLayout } from '../memory/device-layout';
import { OP_DATA } from '../memory/device-layout';
import {
  calculateInputRadius,
  frexp,
  multiplyByQuantizedMultiplier,
  roundHalfAwayFromZero,
  roundingDivideByPOT,
} from '../quant/fixed-point';
import { logisticFixed } from '../quant/gemmlowp';
import { TanhInt16Params, logisticInt16 } from '../quant/int16-activations';
import { expf } from '../quant/libm-float32';
import { scaleOf, zeroPointOf } from '../quant/quant-params';
import { INPUT, OUTPUT, unaryTensors } from './elementwise-common';
import type { TensorInfo } from '../model/model.types';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

// Bound once at load: looking up the global `Math` inside hot loops is slow in vm sandboxes (e.g. Jest).
const { fround: mathFround } = Math;

const INPUT_INTEGER_BITS = 4;
/** reference_ops::Logistic's float cut-offs: above, the float result is 1; below, exp(x) alone is as close. */
const LOGISTIC_CUTOFF_UPPER = 16.619047164916992;
const LOGISTIC_CUTOFF_LOWER = -9;

/** reference_ops::Logistic on one float: 1 / (1 + expf(-x)) in float, with its cut-offs. */
export function logisticFloat(v: number): number {
  if (v > LOGISTIC_CUTOFF_UPPER) return 1;
  if (v < LOGISTIC_CUTOFF_LOWER) return expf(v);
  return mathFround(1 / mathFround(1 + expf(-v)));
}

export interface SigmoidData {
  isFloat: boolean;
  /** int16: the resolved (multiplier, shift) of the int16 overloads; null for int8 and float32. */
  int16: TanhInt16Params | null;
  count: number;
  inputZeroPoint: number;
  inputRangeRadius: number;
  inputMultiplier: number;
  inputLeftShift: number;
}

/**
 * CalculateArithmeticOpData's int16 branch (logistic_common.cc, tanh.cc): zero points 0, output scale 2^-15;
 * a power-of-two input scale (log2 within 1e-3) whose shift 12 + log2 the overload takes as is (0 for
 * LOGISTIC, 0 or 1 for TANH) leaves multiplier 0 — eval's "3 << shift, no shift" — else the input is rescaled
 * to 1/(3·4096) units by a multiplier doubled up past 16383.5.
 */
function prepareInt16(
  ctx: PrepareContext,
  input: TensorInfo,
  output: TensorInfo,
  maxPotShift: number,
): TanhInt16Params {
  if (zeroPointOf(input) !== 0 || zeroPointOf(output) !== 0) ctx.unsupported('int16 zero points must be 0');
  const out = checkedLog2(scaleOf(output));
  if (!out.isPowerOfTwo || out.log2 !== -15) ctx.unsupported('int16 output scale must be 2^-15');
  const inLog = checkedLog2(scaleOf(input));
  const potShift = 12 + inLog.log2;
  if (inLog.isPowerOfTwo && potShift >= 0 && potShift <= maxPotShift) return { multiplier: 3 << potShift, shift: 0 };
  let multiplier = scaleOf(input) * 4096 * 3;
  let shift = 0;
  while (multiplier <= 32767 / 2 && shift <= 30) {
    shift++;
    multiplier *= 2;
  }
  return { multiplier: Math.trunc(multiplier), shift };
}

/** CheckedLog2 (float arithmetic): log2 of the scale rounded, and whether it was within 1e-3 of an integer. */
function checkedLog2(scale: number): { log2: number; isPowerOfTwo: boolean } {
  const log2 = mathFround(mathFround(Math.log(scale)) * mathFround(1 / mathFround(Math.LN2)));
  const rounded = roundHalfAwayFromZero(log2);
  return { log2: rounded, isPowerOfTwo: Math.abs(mathFround(log2 - rounded)) < mathFround(1e-3) };
}

/** Shared by LOGISTIC and TANH: input multiplier for FixedPoint<4> (CalculateArithmeticOpData). */
export function prepareSigmoid(
  ctx: PrepareContext,
  outputZeroPoint: number,
  opData: StructLayout = OP_DATA.logistic,
  maxPotShift = 0,
): Prepared<SigmoidData> {
  const { input, output } = unaryTensors(ctx, ['int8', 'int16', 'float32']);
  ctx.opData(opData);
  const data: SigmoidData = {
    isFloat: input.dtype === 'float32',
    int16: input.dtype === 'int16' ? prepareInt16(ctx, input, output, maxPotShift) : null,
    count: input.elementCount,
    inputZeroPoint: zeroPointOf(input),
    inputRangeRadius: 0,
    inputMultiplier: 0,
    inputLeftShift: 0,
  };
  if (input.dtype === 'int8') {
    if (zeroPointOf(output) !== outputZeroPoint) ctx.unsupported(`int8 output zero point must be ${outputZeroPoint}`);
    const real = scaleOf(input) * 2 ** (31 - INPUT_INTEGER_BITS);
    const { mantissa, exponent } = frexp(real);
    data.inputMultiplier = roundHalfAwayFromZero(mantissa * 2147483648);
    data.inputLeftShift = exponent;
    if (data.inputMultiplier >= 2147483648 || exponent > 31) ctx.unsupported('input scale out of range');
    data.inputRangeRadius = calculateInputRadius(INPUT_INTEGER_BITS, exponent, 31);
  }
  return { data };
}

export const logisticKernel: Kernel<SigmoidData> = {
  op: 'LOGISTIC',
  types: ['float32', 'int8', 'int16'],
  prepare: (ctx) => prepareSigmoid(ctx, -128),
  eval(d: SigmoidData, io: KernelIo): void {
    const output = io.outputs[OUTPUT];
    if (d.isFloat) {
      const input = io.inputs[INPUT] as Float32Array;
      for (let i = 0; i < d.count; i++) output[i] = logisticFloat(input[i]);
      return;
    }
    if (d.int16) {
      const input = io.inputs[INPUT] as Int16Array;
      for (let i = 0; i < d.count; i++) output[i] = logisticInt16(input[i], d.int16);
      return;
    }
    const input = io.inputs[INPUT] as Int8Array;
    for (let i = 0; i < d.count; i++) {
      const x = input[i] - d.inputZeroPoint;
      if (x <= -d.inputRangeRadius) output[i] = -128;
      else if (x >= d.inputRangeRadius) output[i] = 127;
      else {
        const inQ4 = multiplyByQuantizedMultiplier(x, d.inputMultiplier, d.inputLeftShift);
        const v = roundingDivideByPOT(logisticFixed(inQ4, INPUT_INTEGER_BITS), 31 - 8) - 128;
        output[i] = v < -128 ? -128 : v > 127 ? 127 : v;
      }
    }
  },
};
