/**
 * SPACE_TO_DEPTH (reference_ops::SpaceToDepth): input[b, h, w, d] goes to output[b, h / bs, w / bs,
 * d + ((h % bs) * bs + w % bs) * inDepth], float32 and int8 as TFLM. See depth-space-common.ts for prepare().
 */
import { BUILTIN_DATA } from '../memory/device-layout';
import { DepthSpaceGeometry, prepareDepthSpace } from './depth-space-common';
import type { Kernel, KernelIo, TensorData } from './kernel.types';

export const spaceToDepthKernel: Kernel<DepthSpaceGeometry> = {
  op: 'SPACE_TO_DEPTH',
  types: ['float32', 'int8'],
  prepare: (ctx) => ({ data: prepareDepthSpace(ctx, BUILTIN_DATA.spaceToDepth, false) }),
  eval(g: DepthSpaceGeometry, io: KernelIo): void {
    const input = io.inputs[0] as TensorData;
    const output = io.outputs[0];
    const bs = g.blockSize;
    const [inN, inH, inW, inD] = g.input;
    const [, outH, outW, outD] = g.output;
    let i = 0;
    for (let b = 0; b < inN; b++)
      for (let h = 0; h < inH; h++)
        for (let w = 0; w < inW; w++) {
          const base = ((b * outH + ((h / bs) | 0)) * outW + ((w / bs) | 0)) * outD + ((h % bs) * bs + (w % bs)) * inD;
          for (let d = 0; d < inD; d++) output[base + d] = input[i++];
        }
  },
};
