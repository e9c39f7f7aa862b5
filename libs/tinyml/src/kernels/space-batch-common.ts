/**
 * Shared set-up of BATCH_TO_SPACE_ND and SPACE_TO_BATCH_ND: TFLM supports 3-D NHC and 4-D NHWC tensors, the 3-D
 * ones viewed as NHWC with W = 1 (ExtendShapeBatchToSpace / ExtendShapeSpaceToBatch), a block shape of one or
 * two int32 values and crops / paddings of two per spatial dimension. Both are read in eval() (they may be runtime
 * tensors in TFLM too); constant ones are checked against the static output shape in prepare().
 */
import type { OperatorInfo, TensorInfo } from '../model/model.types';
import type { PrepareContext } from './kernel.types';
import { invokeFailure } from './kernel.types';

/** [batch, height, width, depth] of a 3-D or 4-D tensor (W = 1 inserted for 3-D). */
export function nhwc(shape: readonly number[]): [number, number, number, number] {
  return shape.length === 3 ? [shape[0], shape[1], 1, shape[2]] : [shape[0], shape[1], shape[2], shape[3]];
}

export interface SpaceBatchGeometry {
  node: OperatorInfo;
  spatialDims: number;
  input: [number, number, number, number];
  output: [number, number, number, number];
}

/** Checks ranks and types; returns the geometry (block / crops are read per invoke). */
export function prepareSpaceBatch(ctx: PrepareContext): SpaceBatchGeometry {
  const input = ctx.input(0);
  const output = ctx.output(0);
  for (const t of [input, output])
    if (t.shape.length < 3 || t.shape.length > 4) ctx.unsupported(`rank ${t.shape.length} (3-D NHC or 4-D NHWC only)`);
  if (input.shape.length !== output.shape.length) ctx.fail('input and output ranks differ');
  if (output.dtype !== input.dtype) ctx.fail(`output ${output.dtype} differs from input ${input.dtype}`);
  const spatialDims = input.shape.length - 2;
  const block: TensorInfo = ctx.input(1);
  const pads: TensorInfo = ctx.input(2);
  ctx.expectType(block, ['int32'], 'block shape');
  ctx.expectType(pads, ['int32'], 'crops / paddings');
  if (block.elementCount !== spatialDims || pads.elementCount !== 2 * spatialDims)
    ctx.fail(`block shape needs ${spatialDims} values and crops / paddings ${2 * spatialDims}`);
  return { node: ctx.node, spatialDims, input: nhwc(input.shape), output: nhwc(output.shape) };
}

/** Block height and width, top and left offsets (crops or paddings) from the eval-time tensors. */
export function readBlock(g: SpaceBatchGeometry, block: Int32Array, pads: Int32Array, out: Int32Array): void {
  const two = g.spatialDims === 2;
  out[0] = block[0];
  out[1] = two ? block[1] : 1;
  out[2] = pads[0];
  out[3] = two ? pads[2] : 0;
  if (out[0] < 1 || out[1] < 1) invokeFailure(g.node, `block shape ${out[0]} x ${out[1]} must be positive`);
}
