/**
 * ZEROS_LIKE (zeros_like.cc): an output of the input's shape and type, all zeros (int64, int32, int8 and float32,
 * as TFLM's reference kernel). Written on every invoke: the arena reuses the output's memory between invokes.
 * No Init, no OpData, no builtin options.
 */
import { sameShape, viewUnits } from './copy-common';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

const INPUT = 0;
const OUTPUT = 0;

interface ZerosLikeData {
  /** View elements to clear (int64: 8 bytes each). */
  count: number;
}

export const zerosLikeKernel: Kernel<ZerosLikeData> = {
  op: 'ZEROS_LIKE',
  types: ['float32', 'int8', 'int32', 'int64'],
  prepare(ctx: PrepareContext): Prepared<ZerosLikeData> {
    const input = ctx.input(INPUT);
    const output = ctx.output(OUTPUT);
    if (output.dtype !== input.dtype) ctx.fail(`output ${output.dtype} differs from input ${input.dtype}`);
    if (!sameShape(output.shape, input.shape)) ctx.fail(`output shape [${output.shape}] differs from [${input.shape}]`);
    return { data: { count: output.elementCount * viewUnits(output.dtype) } };
  },
  eval(d: ZerosLikeData, io: KernelIo): void {
    const output = io.outputs[OUTPUT];
    for (let i = 0; i < d.count; i++) output[i] = 0;
  },
};
