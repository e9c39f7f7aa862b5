/** RESHAPE: a byte copy (shapes are static and were checked at load time), like TFLM's reshape.cc. */
import type { StructLayout } from '../memory/device-layout';
import { BUILTIN_DATA } from '../memory/device-layout';
import { viewUnits } from './copy-common';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

const INPUT = 0;
const OUTPUT = 0;

export interface CopyData {
  /** View elements to copy: int64 tensors are byte views, 8 per element (copy-common viewUnits). */
  elementCount: number;
}

/** RESHAPE and SQUEEZE: TFLM keeps only the parsed options (no OpData). */
export function prepareCopy(ctx: PrepareContext, options: StructLayout = BUILTIN_DATA.reshape): Prepared<CopyData> {
  ctx.builtinData(options);
  const input = ctx.input(INPUT);
  const output = ctx.output(OUTPUT);
  if (input.dtype !== output.dtype) ctx.fail(`input ${input.dtype} and output ${output.dtype} differ`);
  ctx.expectSameCount(input, output, 'input/output');
  return { data: { elementCount: input.elementCount * viewUnits(input.dtype) }, macs: input.elementCount };
}

export function evalCopy(d: CopyData, io: KernelIo): void {
  const input = io.inputs[INPUT];
  const output = io.outputs[OUTPUT];
  if (input === null || input === output) return;
  // A plain loop: subarray() would allocate a view object on every invoke.
  for (let i = 0; i < d.elementCount; i++) output[i] = input[i];
}

export const reshapeKernel: Kernel<CopyData> = {
  op: 'RESHAPE',
  types: ['float32', 'int8', 'uint8', 'int16', 'int32', 'uint32', 'bool', 'int64'],
  prepare: (ctx) => prepareCopy(ctx),
  eval: evalCopy,
};
