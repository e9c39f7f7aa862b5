/**
 * Shared prepare() of RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR: 4-D NHWC input, a constant int32 `size`
 * [newHeight, newWidth] (TFLM refuses a non-constant one) that the static output shape must match, and the
 * align_corners / half_pixel_centers flags of the op's options.
 */
import { sameShape } from './copy-common';
import type { PrepareContext } from './kernel.types';

const SIZE = 1;

export interface ResizeGeometry {
  /** [batch, height, width, depth]. */
  input: number[];
  output: number[];
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

/** `flagIds`: option field ids of align_corners and half_pixel_centers. */
export function prepareResize(ctx: PrepareContext, flagIds: [number, number]): ResizeGeometry {
  const input = ctx.input(0);
  const output = ctx.output(0);
  if (input.shape.length !== 4) ctx.unsupported(`rank ${input.shape.length} (4-D NHWC only)`);
  if (output.dtype !== input.dtype) ctx.fail(`output ${output.dtype} differs from input ${input.dtype}`);
  const size = ctx.constantInt32(ctx.input(SIZE), 'size');
  if (ctx.input(SIZE).shape.length !== 1 || size.length !== 2) ctx.fail('size must be [new_height, new_width]');
  if (!(size[0] > 0 && size[1] > 0)) ctx.fail(`size [${size}] must be positive`);
  const expected = [input.shape[0], size[0], size[1], input.shape[3]];
  if (!sameShape(output.shape, expected)) ctx.fail(`output shape [${output.shape}], expected [${expected}]`);
  return {
    input: [...input.shape],
    output: expected,
    alignCorners: ctx.options?.bool(flagIds[0]) ?? false,
    halfPixelCenters: ctx.options?.bool(flagIds[1]) ?? false,
  };
}
