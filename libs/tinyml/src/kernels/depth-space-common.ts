/**
 * Shared prepare() of DEPTH_TO_SPACE and SPACE_TO_DEPTH (depth_to_space.cc / space_to_depth.cc): 4-D NHWC, float32
 * or int8, block_size >= 1 from the builtin options (TfLiteDepthToSpaceParams / TfLiteSpaceToDepthParams), and the
 * output dims relocated to the arena by Prepare (CreateWritableTensorDimsWithCopy).
 */
import type { StructLayout } from '../memory/device-layout';
import { intArrayBytes } from '../memory/device-layout';
import { sameShape } from './copy-common';
import type { PrepareContext } from './kernel.types';

const OPT = { blockSize: 0 };

export interface DepthSpaceGeometry {
  blockSize: number;
  /** [batch, height, width, depth] of the input and the output. */
  input: number[];
  output: number[];
}

/** `toSpace`: DEPTH_TO_SPACE (depth / bs², spatial x bs); else SPACE_TO_DEPTH. */
export function prepareDepthSpace(ctx: PrepareContext, options: StructLayout, toSpace: boolean): DepthSpaceGeometry {
  ctx.builtinData(options);
  const input = ctx.input(0);
  const output = ctx.output(0);
  if (input.shape.length !== 4) ctx.unsupported(`rank ${input.shape.length} (4-D NHWC only)`);
  if (output.dtype !== input.dtype) ctx.fail(`output ${output.dtype} differs from input ${input.dtype}`);
  const bs = ctx.options?.i32(OPT.blockSize) ?? 0;
  if (bs < 1) ctx.fail(`block_size ${bs} must be positive`);
  const [n, h, w, d] = input.shape;
  if (toSpace ? d % (bs * bs) !== 0 : h % bs !== 0 || w % bs !== 0)
    ctx.fail(`input [${input.shape}] is not divisible by block_size ${bs}`);
  const expected = toSpace ? [n, h * bs, w * bs, d / (bs * bs)] : [n, h / bs, w / bs, d * bs * bs];
  if (!sameShape(output.shape, expected)) ctx.fail(`output shape [${output.shape}], expected [${expected}]`);
  ctx.persistentArray('int32', intArrayBytes(4) / 4, 'output dims');
  return { blockSize: bs, input: [...input.shape], output: expected };
}
