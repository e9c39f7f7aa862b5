/**
 * L2_POOL_2D (l2_pool_2d.cc, reference_ops::L2Pool): sqrt(mean of squares) over each window, float32 only (TFLM
 * has no quantized L2 pool), with the fused activation. Squares, sums, the division by the tap count and sqrtf are
 * each rounded to float32 in the reference's order. Pool2DOptions as the other pools (TfLitePoolParams); no Init;
 * Prepare relocates the output dims (CreateWritableTensorDimsWithCopy).
 */
import { intArrayBytes } from '../memory/device-layout';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';
import { PoolData, preparePool } from './pool-common';

const { fround: f32, sqrt: mathSqrt, max: mathMax, min: mathMin } = Math;

const TYPES = ['float32'];

export const l2Pool2dKernel: Kernel<PoolData> = {
  op: 'L2_POOL_2D',
  types: TYPES,
  prepare(ctx: PrepareContext): Prepared<PoolData> {
    const prepared = preparePool(ctx, TYPES, false);
    ctx.persistentArray('int32', intArrayBytes(4) / 4, 'output dims');
    return prepared;
  },
  eval(d: PoolData, io: KernelIo): void {
    const input = io.inputs[0] as Float32Array;
    const output = io.outputs[0] as Float32Array;
    const { batches, inH, inW, depth, outH, outW, kH, kW, strideH, strideW, padH, padW, actMin, actMax } = d;
    let o = 0;
    for (let b = 0; b < batches; b++)
      for (let oy = 0; oy < outH; oy++) {
        const inY0 = oy * strideH - padH;
        const fyStart = mathMax(0, -inY0);
        const fyEnd = mathMin(kH, inH - inY0);
        for (let ox = 0; ox < outW; ox++) {
          const inX0 = ox * strideW - padW;
          const fxStart = mathMax(0, -inX0);
          const fxEnd = mathMin(kW, inW - inX0);
          for (let c = 0; c < depth; c++) {
            let sumSquares = 0;
            let count = 0;
            for (let fy = fyStart; fy < fyEnd; fy++)
              for (let fx = fxStart; fx < fxEnd; fx++) {
                const v = input[((b * inH + inY0 + fy) * inW + inX0 + fx) * depth + c];
                sumSquares = f32(sumSquares + f32(v * v));
                count++;
              }
            let r = f32(mathSqrt(f32(sumSquares / count)));
            if (r < actMin) r = actMin;
            else if (r > actMax) r = actMax;
            output[o++] = r;
          }
        }
      }
  },
};
