/**
 * RSQRT (elementwise.cc RsqrtEval): float32 `1.f / std::sqrt(f)`; int8 (RsqrtEvalQuantized) 1/sqrt(x - input zero
 * point) from GetInvSqrtQuantizedMultiplierExp, applied to 1 with 20 extra bits of shift and rescaled by
 * 1 / (sqrt(input scale) · output scale); x at the zero point gives the int8 maximum, and x below it fails the
 * invoke (TFLM's validate_input_func) with InvokeError. TFLM's Prepare accepts float32 and int8 only.
 */
import { InvokeError } from '../errors';
import { getInvSqrtQuantizedMultiplierExp, multiplyByQuantizedMultiplier } from '../quant/fixed-point';
import { AbsRsqrtData, prepareAbsRsqrt } from './abs-rsqrt-common';
import { INPUT, OUTPUT } from './elementwise-common';
import type { Kernel, KernelIo } from './kernel.types';

const { fround: mathFround, sqrt: mathSqrt } = Math;

/** Keeps the intermediate 1/sqrt(x) an integer (kShift). */
const EXTRA_SHIFT = 20;
const REVERSE_SHIFT = -1;
const invSqrt = new Int32Array(2);

export const rsqrtKernel: Kernel<AbsRsqrtData> = {
  op: 'RSQRT',
  types: ['float32', 'int8'],
  prepare: (ctx) => ({ data: prepareAbsRsqrt(ctx, ['float32', 'int8'], true) }),
  eval(d: AbsRsqrtData, io: KernelIo): void {
    const output = io.outputs[OUTPUT];
    if (!d.quantized) {
      const input = io.inputs[INPUT] as Float32Array;
      for (let i = 0; i < d.count; i++) output[i] = 1 / mathFround(mathSqrt(input[i]));
      return;
    }
    const input = io.inputs[INPUT] as Int8Array;
    for (let i = 0; i < d.count; i++) {
      const value = input[i] - d.inputOffset;
      if (value < 0)
        throw new InvokeError(
          `operator ${d.opIndex} (RSQRT): input ${input[i]} below the zero point`,
          'RSQRT',
          d.opIndex,
        );
      if (value === 0) {
        output[i] = d.qMax;
        continue;
      }
      getInvSqrtQuantizedMultiplierExp(value, REVERSE_SHIFT, invSqrt);
      const inverse = multiplyByQuantizedMultiplier(1, invSqrt[0], invSqrt[1] + EXTRA_SHIFT);
      const v = multiplyByQuantizedMultiplier(inverse, d.multiplier, d.shift - EXTRA_SHIFT) + d.outputOffset;
      output[i] = v < d.qMin ? d.qMin : v > d.qMax ? d.qMax : v;
    }
  },
};
