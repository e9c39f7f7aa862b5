/**
 * EXPAND_DIMS (expand_dims.cc): inserts a dimension of 1 at a constant `axis` (negative counts from rank + 1);
 * the data is copied unchanged. float32, int8 and int16, as TFLM's reference kernel; the output shape in the
 * model must be the expanded one (VerifyTensorDim). No Init, no OpData, no builtin options.
 */
import { constantScalarInt32, sameShape } from './copy-common';
import type { Kernel, PrepareContext, Prepared } from './kernel.types';
import { CopyData, evalCopy } from './reshape.kernel';

const INPUT = 0;
const AXIS = 1;
const OUTPUT = 0;

export const expandDimsKernel: Kernel<CopyData> = {
  op: 'EXPAND_DIMS',
  types: ['float32', 'int8', 'int16'],
  prepare(ctx: PrepareContext): Prepared<CopyData> {
    const input = ctx.input(INPUT);
    const output = ctx.output(OUTPUT);
    if (output.dtype !== input.dtype) ctx.fail(`output ${output.dtype} differs from input ${input.dtype}`);
    const axisTensor = ctx.input(AXIS);
    if (axisTensor.shape.length > 1) ctx.fail('axis must be a scalar or a one-element vector');
    const rank = input.shape.length;
    let axis = constantScalarInt32(ctx, AXIS, 'axis');
    if (axis < 0) axis += rank + 1;
    if (!(axis >= 0 && axis <= rank)) ctx.fail(`axis ${axis} out of range for rank ${rank}`);
    const expected = [...input.shape.slice(0, axis), 1, ...input.shape.slice(axis)];
    if (!sameShape(output.shape, expected)) ctx.fail(`output shape [${output.shape}], expected [${expected}]`);
    return { data: { elementCount: input.elementCount }, macs: input.elementCount };
  },
  eval: evalCopy,
};
