/**
 * DEPTH_TO_SPACE (reference_ops::DepthToSpace): output[b, h, w, d] = input[b, h / bs, w / bs,
 * d + ((h % bs) * bs + w % bs) * outDepth], float32 and int8 as TFLM. See depth-space-common.ts for prepare().
 */
import { BUILTIN_DATA } from '../memory/device-layout';
import { DepthSpaceGeometry, prepareDepthSpace } from './depth-space-common';
import type { Kernel, KernelIo, TensorData } from './kernel.types';

export const depthToSpaceKernel: Kernel<DepthSpaceGeometry> = {
  op: 'DEPTH_TO_SPACE',
  types: ['float32', 'int8'],
  prepare: (ctx) => ({ data: prepareDepthSpace(ctx, BUILTIN_DATA.depthToSpace, true) }),
  eval(g: DepthSpaceGeometry, io: KernelIo): void {
    const input = io.inputs[0] as TensorData;
    const output = io.outputs[0];
    const bs = g.blockSize;
    const [, inH, inW, inD] = g.input;
    const [outN, outH, outW, outD] = g.output;
    let o = 0;
    for (let b = 0; b < outN; b++)
      for (let h = 0; h < outH; h++)
        for (let w = 0; w < outW; w++) {
          const base = ((b * inH + ((h / bs) | 0)) * inW + ((w / bs) | 0)) * inD + ((h % bs) * bs + (w % bs)) * outD;
          for (let d = 0; d < outD; d++) output[o++] = input[base + d];
        }
  },
};
