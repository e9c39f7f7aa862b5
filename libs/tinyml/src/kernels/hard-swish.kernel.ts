/**
 * HARD_SWISH (hard_swish.cc, reference_ops::HardSwish<float>): x * min(6, max(0, x + 3)) / 6, each operation
 * rounded to float in that order. Only float32 here: the int8 variant (gemmlowp fixed-point reluish path) is not
 * implemented, so an int8 HARD_SWISH is refused with UnsupportedOpError rather than approximated.
 */
import { OP_DATA } from '../memory/device-layout';
import { INPUT, OUTPUT, unaryTensors } from './elementwise-common';
import type { Kernel, KernelIo } from './kernel.types';

const { fround: mathFround, max: mathMax, min: mathMin } = Math;

export function hardSwishFloat(x: number): number {
  const relu6 = mathMin(6, mathMax(0, mathFround(x + 3)));
  return mathFround(mathFround(x * relu6) / 6);
}

export const hardSwishKernel: Kernel<{ count: number }> = {
  op: 'HARD_SWISH',
  types: ['float32'],
  prepare(ctx) {
    const { input } = unaryTensors(ctx, ['float32']);
    ctx.opData(OP_DATA.hardSwish);
    return { data: { count: input.elementCount } };
  },
  eval(d: { count: number }, io: KernelIo): void {
    const input = io.inputs[INPUT] as Float32Array;
    const output = io.outputs[OUTPUT];
    for (let i = 0; i < d.count; i++) output[i] = hardSwishFloat(input[i]);
  },
};
