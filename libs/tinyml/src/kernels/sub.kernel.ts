/** SUB: the ADD kernel's arithmetic with the (rescaled) second operand subtracted (TFLM sub.cc), also int32. */
import { AddSubData, addKernel, prepareAddSub } from './add.kernel';
import type { Kernel } from './kernel.types';

export const subKernel: Kernel<AddSubData> = {
  op: 'SUB',
  types: ['float32', 'int8', 'int16', 'int32'],
  prepare: (ctx) => prepareAddSub(ctx, true),
  eval: addKernel.eval,
};
