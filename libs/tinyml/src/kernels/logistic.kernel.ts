/**
 * LOGISTIC. int8 follows TFLM reference_integer_ops::Logistic: input rescaled to gemmlowp FixedPoint<4>,
 * gemmlowp::logistic, output in Q0.8 with zero point -128. float32 uses TFLM's cut-off formula with the C
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
import { expf } from '../quant/libm-float32';
import { scaleOf, zeroPointOf } from '../quant/quant-params';
import { INPUT, OUTPUT, unaryTensors } from './elementwise-common';
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
  count: number;
  inputZeroPoint: number;
  inputRangeRadius: number;
  inputMultiplier: number;
  inputLeftShift: number;
}

/** Shared by LOGISTIC and TANH: input multiplier for FixedPoint<4> (CalculateArithmeticOpData). */
export function prepareSigmoid(
  ctx: PrepareContext,
  outputZeroPoint: number,
  opData: StructLayout = OP_DATA.logistic,
): Prepared<SigmoidData> {
  const { input, output } = unaryTensors(ctx, ['int8', 'float32']);
  ctx.opData(opData);
  const data: SigmoidData = {
    isFloat: input.dtype === 'float32',
    count: input.elementCount,
    inputZeroPoint: zeroPointOf(input),
    inputRangeRadius: 0,
    inputMultiplier: 0,
    inputLeftShift: 0,
  };
  if (!data.isFloat) {
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
  types: ['float32', 'int8'],
  prepare: (ctx) => prepareSigmoid(ctx, -128),
  eval(d: SigmoidData, io: KernelIo): void {
    const output = io.outputs[OUTPUT];
    if (d.isFloat) {
      const input = io.inputs[INPUT] as Float32Array;
      for (let i = 0; i < d.count; i++) output[i] = logisticFloat(input[i]);
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
