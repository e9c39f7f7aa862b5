/** TANH. int8 follows TFLM reference_integer_ops::Tanh (FixedPoint<4> in, Q0.7 out); float32 uses the C library's tanhf. */
import { OP_DATA } from '../memory/device-layout';
import { multiplyByQuantizedMultiplier, roundingDivideByPOT } from '../quant/fixed-point';
import { tanhFixed } from '../quant/gemmlowp';
import { tanhf } from '../quant/libm-float32';
import { INPUT, OUTPUT } from './elementwise-common';
import type { Kernel, KernelIo } from './kernel.types';
import { SigmoidData, prepareSigmoid } from './logistic.kernel';

const INPUT_INTEGER_BITS = 4;

export const tanhKernel: Kernel<SigmoidData> = {
  op: 'TANH',
  types: ['float32', 'int8'],
  prepare: (ctx) => prepareSigmoid(ctx, 0, OP_DATA.tanh),
  eval(d: SigmoidData, io: KernelIo): void {
    const output = io.outputs[OUTPUT];
    if (d.isFloat) {
      const input = io.inputs[INPUT] as Float32Array;
      for (let i = 0; i < d.count; i++) output[i] = tanhf(input[i]);
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
