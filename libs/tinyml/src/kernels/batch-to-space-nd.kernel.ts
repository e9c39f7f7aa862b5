/**
 * BATCH_TO_SPACE_ND (batch_to_space_nd.cc, reference_ops::BatchToSpaceND): moves blocks of the batch dimension
 * into height (and width), dropping `crops`. float32 and int8, as TFLM. An output position the crops move outside
 * the output is skipped, as in the reference loop; a block shape that does not divide the input batch into the
 * output batch raises InvokeError. No Init, no OpData, no builtin options.
 */
import { prepareSpaceBatch, readBlock, SpaceBatchGeometry } from './space-batch-common';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';
import { invokeFailure } from './kernel.types';

interface BatchToSpaceData extends SpaceBatchGeometry {
  /** blockH, blockW, cropTop, cropLeft (filled per invoke). */
  block: Int32Array;
}

export const batchToSpaceNdKernel: Kernel<BatchToSpaceData> = {
  op: 'BATCH_TO_SPACE_ND',
  types: ['float32', 'int8'],
  prepare(ctx: PrepareContext): Prepared<BatchToSpaceData> {
    const data = { ...prepareSpaceBatch(ctx), block: new Int32Array(4) };
    const block = ctx.input(1);
    const crops = ctx.input(2);
    if (block.data && crops.data) {
      const b = ctx.constantInt32(block, 'block shape');
      const c = ctx.constantInt32(crops, 'crops');
      for (let k = 0; k < data.spatialDims; k++) {
        const extent = data.input[1 + k] * b[k] - c[2 * k] - c[2 * k + 1];
        if (b[k] < 1 || c[2 * k] < 0 || c[2 * k + 1] < 0 || extent !== data.output[1 + k])
          ctx.fail(`block ${b[k]} with crops ${c[2 * k]}, ${c[2 * k + 1]} does not give output dimension ${k + 1}`);
      }
    }
    return { data };
  },
  eval(d: BatchToSpaceData, io: KernelIo): void {
    const input = io.inputs[0] as TensorData;
    const output = io.outputs[0];
    readBlock(d, io.inputs[1] as Int32Array, io.inputs[2] as Int32Array, d.block);
    const [blockH, blockW, cropTop, cropLeft] = d.block;
    const [inBatch, inH, inW, depth] = d.input;
    const [outBatch, outH, outW] = d.output;
    if (inBatch !== outBatch * blockH * blockW)
      invokeFailure(d.node, `input batch ${inBatch} is not ${outBatch} x ${blockH} x ${blockW}`);
    for (let b = 0; b < inBatch; b++) {
      const ob = b % outBatch;
      const spatial = (b / outBatch) | 0;
      for (let h = 0; h < inH; h++) {
        const oh = h * blockH + ((spatial / blockW) | 0) - cropTop;
        if (oh < 0 || oh >= outH) continue;
        for (let w = 0; w < inW; w++) {
          const ow = w * blockW + (spatial % blockW) - cropLeft;
          if (ow < 0 || ow >= outW) continue;
          let o = ((ob * outH + oh) * outW + ow) * depth;
          for (let i = ((b * inH + h) * inW + w) * depth, end = i + depth; i < end; i++) output[o++] = input[i];
        }
      }
    }
  },
};
