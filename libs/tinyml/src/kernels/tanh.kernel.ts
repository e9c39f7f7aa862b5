/**
 * TANH. int8 follows TFLM reference_integer_ops::Tanh (FixedPoint<4> in, Q0.7 out); int16 its int16 overload
 * (zero points 0, Q0.15 out; prepare shared with LOGISTIC); float32 uses the C library's tanhf.
 */
import { OP_DATA } from '../memory/device-layout';
import { multiplyByQuantizedMultiplier, roundingDivideByPOT } from '../quant/fixed-point';
import { tanhFixed } from '../quant/gemmlowp';
import { tanhInt16 } from '../quant/int16-activations';
import { tanhf } from '../quant/libm-float32';
import { INPUT, OUTPUT } from './elementwise-common';
import type { Kernel, KernelIo } from './kernel.types';
import { SigmoidData, prepareSigmoid } from './logistic.kernel';

const INPUT_INTEGER_BITS = 4;

export const tanhKernel: Kernel<SigmoidData> = {
  op: 'TANH',
  types: ['float32', 'int8', 'int16'],
  // TanhPrepare takes a power-of-two int16 input scale as is for shift 0 or 1 (LOGISTIC: 0 only).
  prepare: (ctx) => prepareSigmoid(ctx, 0, OP_DATA.tanh, 1),
  eval(d: SigmoidData, io: KernelIo): void {
    const output = io.outputs[OUTPUT];
    if (d.isFloat) {
      const input = io.inputs[INPUT] as Float32Array;
      for (let i = 0; i < d.count; i++) output[i] = tanhf(input[i]);
      return;
    }
    if (d.int16) {
      const input = io.inputs[INPUT] as Int16Array;
      for (let i = 0; i < d.count; i++) output[i] = tanhInt16(input[i], d.int16);
      return;
    }
    const input = io.inputs[INPUT] as Int8Array;
    for (let i = 0; i < d.count; i++) {
      const x = input[i] - d.inputZeroPoint;
      if (x <= -d.inputRangeRadius) output[i] = -128;
      else if (x >= d.inputRangeRadius) output[i] = 127;
      else {
        const inQ4 = multiplyByQuantizedMultiplier(x, d.inputMultiplier, d.inputLeftShift);
        const v = roundingDivideByPOT(tanhFixed(inQ4, INPUT_INTEGER_BITS), 31 - 7);
        output[i] = v < -128 ? -128 : v > 127 ? 127 : v;
      }
    }
  },
};
