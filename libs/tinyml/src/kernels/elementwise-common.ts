/** Helpers for unary elementwise kernels (same element count in and out). */
import type { TensorInfo } from '../model/model.types';
import type { PrepareContext } from './kernel.types';

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
