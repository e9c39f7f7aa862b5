/**
 * SPACE_TO_BATCH_ND (space_to_batch_nd.cc, reference_ops::SpaceToBatchND): pads height (and width) by `paddings`,
 * then moves block-sized strides of them into the batch dimension. float32 and int8, as TFLM. Padded positions get
 * the byte value of the output zero point (the reference memsets them with SpaceToBatchParams.output_offset: 0 for
 * float, the zero point for int8). Init allocates SpaceToBatchParams (one int32). A block shape that does not give
 * the output batch raises InvokeError.
 */
import { OP_DATA } from '../memory/device-layout';
import { zeroPointOf } from '../quant/quant-params';
import { prepareSpaceBatch, readBlock, SpaceBatchGeometry } from './space-batch-common';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';
import { invokeFailure } from './kernel.types';

interface SpaceToBatchData extends SpaceBatchGeometry {
  padValue: number;
  /** blockH, blockW, padTop, padLeft (filled per invoke). */
  block: Int32Array;
}

export const spaceToBatchNdKernel: Kernel<SpaceToBatchData> = {
  op: 'SPACE_TO_BATCH_ND',
  types: ['float32', 'int8'],
  prepare(ctx: PrepareContext): Prepared<SpaceToBatchData> {
    ctx.opData(OP_DATA.spaceToBatch);
    const geometry = prepareSpaceBatch(ctx);
    const output = ctx.output(0);
    const data = { ...geometry, padValue: output.dtype === 'int8' ? zeroPointOf(output) : 0, block: new Int32Array(4) };
    const block = ctx.input(1);
    const paddings = ctx.input(2);
    if (block.data && paddings.data) {
      const b = ctx.constantInt32(block, 'block shape');
      const p = ctx.constantInt32(paddings, 'paddings');
      for (let k = 0; k < data.spatialDims; k++) {
        const padded = data.input[1 + k] + p[2 * k] + p[2 * k + 1];
        if (b[k] < 1 || p[2 * k] < 0 || p[2 * k + 1] < 0 || padded !== data.output[1 + k] * b[k])
          ctx.fail(`block ${b[k]} with paddings ${p[2 * k]}, ${p[2 * k + 1]} does not give output dimension ${k + 1}`);
      }
    }
    return { data };
  },
  eval(d: SpaceToBatchData, io: KernelIo): void {
    const input = io.inputs[0] as TensorData;
    const output = io.outputs[0];
    readBlock(d, io.inputs[1] as Int32Array, io.inputs[2] as Int32Array, d.block);
    const [blockH, blockW, padTop, padLeft] = d.block;
    const [inBatch, inH, inW, depth] = d.input;
    const [outBatch, outH, outW] = d.output;
    if (outBatch !== inBatch * blockH * blockW)
      invokeFailure(d.node, `output batch ${outBatch} is not ${inBatch} x ${blockH} x ${blockW}`);
    let o = 0;
    for (let ob = 0; ob < outBatch; ob++) {
      const b = ob % inBatch;
      const shiftW = ((ob / inBatch) | 0) % blockW;
      const shiftH = (ob / inBatch / blockW) | 0;
      for (let oh = 0; oh < outH; oh++) {
        const h = oh * blockH + shiftH - padTop;
        for (let ow = 0; ow < outW; ow++) {
          const w = ow * blockW + shiftW - padLeft;
          if (h < 0 || h >= inH || w < 0 || w >= inW) {
            for (let k = 0; k < depth; k++) output[o++] = d.padValue;
          } else {
            for (let i = ((b * inH + h) * inW + w) * depth, end = i + depth; i < end; i++) output[o++] = input[i];
          }
        }
      }
    }
  },
};
