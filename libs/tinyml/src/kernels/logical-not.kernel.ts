/** LOGICAL_NOT (elementwise.cc): bool only; a bool tensor holds 0 / 1 bytes. */
import { unaryTensors } from './elementwise-common';
import type { Kernel, KernelIo } from './kernel.types';

export const logicalNotKernel: Kernel<{ count: number }> = {
  op: 'LOGICAL_NOT',
  types: ['bool'],
  prepare(ctx) {
    const { input } = unaryTensors(ctx, ['bool']);
    return { data: { count: input.elementCount } };
  },
  eval(d: { count: number }, io: KernelIo): void {
    const input = io.inputs[0] as Uint8Array;
    const output = io.outputs[0];
    for (let i = 0; i < d.count; i++) output[i] = input[i] === 0 ? 1 : 0;
  },
};
