/**
 * ABS (elementwise.cc AbsEval): float32 |x|; unquantized int16 std::abs (|-32768| wraps back to -32768 in the
 * int16 store, as the C++ cast does); int8 and quantized int16 |x - input zero point|, rescaled by the
 * input / output scale multiplier when the scales differ, plus the output zero point, clamped.
 */
import { multiplyByQuantizedMultiplier } from '../quant/fixed-point';
import { AbsRsqrtData, prepareAbsRsqrt } from './abs-rsqrt-common';
import { INPUT, OUTPUT } from './elementwise-common';
import type { Kernel, KernelIo } from './kernel.types';

const { abs: mathAbs } = Math;

export const absKernel: Kernel<AbsRsqrtData> = {
  op: 'ABS',
  types: ['float32', 'int8', 'int16'],
  prepare: (ctx) => ({ data: prepareAbsRsqrt(ctx, ['float32', 'int8', 'int16'], false) }),
  eval(d: AbsRsqrtData, io: KernelIo): void {
    const input = io.inputs[INPUT] as Float32Array | Int8Array | Int16Array;
    const output = io.outputs[OUTPUT];
    if (!d.quantized) {
      for (let i = 0; i < d.count; i++) output[i] = mathAbs(input[i]);
      return;
    }
    for (let i = 0; i < d.count; i++) {
      const value = mathAbs(input[i] - d.inputOffset);
      const v = d.needsRescale
        ? multiplyByQuantizedMultiplier(value, d.multiplier, d.shift) + d.outputOffset
        : value + d.outputOffset;
      output[i] = v < d.qMin ? d.qMin : v > d.qMax ? d.qMax : v;
    }
  },
};
