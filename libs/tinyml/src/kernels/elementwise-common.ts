/** Helpers for unary elementwise kernels (same element count in and out). */
import type { TensorInfo } from '../model/model.types';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

export const INPUT = 0;
export const OUTPUT = 0;

export function unaryTensors(ctx: PrepareContext, types: readonly string[]): { input: TensorInfo; output: TensorInfo } {
  const input = ctx.input(INPUT);
  const output = ctx.output(OUTPUT);
  ctx.expectType(input, types, 'input');
  if (output.dtype !== input.dtype) ctx.unsupported(`${input.dtype} -> ${output.dtype}`);
  ctx.expectSameCount(input, output, 'input/output');
  return { input, output };
}

export interface FloatUnaryData {
  count: number;
}

/**
 * A float32-only unary op with no OpData (TFLM's elementwise / ceil / floor / round / neg / exp kernels):
 * `fn` maps one float to its float32 result exactly as the reference kernel's C expression does.
 */
export function floatUnaryKernel(op: string, fn: (x: number) => number): Kernel<FloatUnaryData> {
  return {
    op,
    types: ['float32'],
    prepare(ctx: PrepareContext): Prepared<FloatUnaryData> {
      const { input } = unaryTensors(ctx, ['float32']);
      return { data: { count: input.elementCount } };
    },
    eval(d: FloatUnaryData, io: KernelIo): void {
      const input = io.inputs[INPUT] as Float32Array;
      const output = io.outputs[OUTPUT] as Float32Array;
      for (let i = 0; i < d.count; i++) output[i] = fn(input[i]);
    },
  };
}
