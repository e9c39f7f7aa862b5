/**
 * MAX_POOL_2D (pooling.cc MaxEval): float32 reference_ops::MaxPool, int8 and int16 reference_integer_ops::MaxPool
 * (the window max, then the activation clamp).
 */
import type { Kernel, KernelIo } from './kernel.types';
import { PoolData, preparePool } from './pool-common';

// Bound once at load: looking up the global `Math` inside hot loops is slow in vm sandboxes (e.g. Jest).
const { max: mathMax, min: mathMin } = Math;

const INPUT = 0;
const NEG_INFINITY = -Infinity;
const OUTPUT = 0;
const TYPES = ['float32', 'int8', 'int16'];

export const maxPool2dKernel: Kernel<PoolData> = {
  op: 'MAX_POOL_2D',
  types: TYPES,
  prepare: (ctx) => preparePool(ctx, TYPES),
  eval(d: PoolData, io: KernelIo): void {
    const input = io.inputs[INPUT] as Int8Array | Int16Array | Float32Array;
    const output = io.outputs[OUTPUT] as Int8Array | Int16Array | Float32Array;
    const { batches, inH, inW, depth, outH, outW, kH, kW, strideH, strideW, padH, padW, actMin, actMax } = d;
    for (let b = 0; b < batches; b++) {
      for (let oy = 0; oy < outH; oy++) {
        const inY0 = oy * strideH - padH;
        const fyStart = mathMax(0, -inY0);
        const fyEnd = mathMin(kH, inH - inY0);
        for (let ox = 0; ox < outW; ox++) {
          const inX0 = ox * strideW - padW;
          const fxStart = mathMax(0, -inX0);
          const fxEnd = mathMin(kW, inW - inX0);
          const outBase = ((b * outH + oy) * outW + ox) * depth;
          for (let c = 0; c < depth; c++) {
            let max = NEG_INFINITY;
            for (let fy = fyStart; fy < fyEnd; fy++) {
              let idx = ((b * inH + inY0 + fy) * inW + inX0 + fxStart) * depth + c;
              for (let fx = fxStart; fx < fxEnd; fx++) {
                if (input[idx] > max) max = input[idx];
                idx += depth;
              }
            }
            if (max < actMin) max = actMin;
            else if (max > actMax) max = actMax;
            output[outBase + c] = max;
          }
        }
      }
    }
  },
};
