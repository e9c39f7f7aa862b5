/**
 * AVERAGE_POOL_2D (pooling.cc AverageEval): float32 reference_ops::AveragePool, int8 and int16
 * reference_integer_ops::AveragePool (the same int32 sum and rounded division for both widths).
 */
import type { Kernel, KernelIo } from './kernel.types';
import { PoolData, preparePool } from './pool-common';

// Bound once at load: looking up the global `Math` inside hot loops is slow in vm sandboxes (e.g. Jest).
const { fround: mathFround, max: mathMax, min: mathMin, trunc: mathTrunc } = Math;

const INPUT = 0;
const OUTPUT = 0;
const TYPES = ['float32', 'int8', 'int16'];

export const averagePool2dKernel: Kernel<PoolData> = {
  op: 'AVERAGE_POOL_2D',
  types: TYPES,
  prepare: (ctx) => preparePool(ctx, TYPES),
  eval(d: PoolData, io: KernelIo): void {
    const input = io.inputs[INPUT] as Int8Array | Int16Array | Float32Array;
    const output = io.outputs[OUTPUT] as Int8Array | Int16Array | Float32Array;
    const { batches, inH, inW, depth, outH, outW, kH, kW, strideH, strideW, padH, padW, actMin, actMax, isFloat } = d;
    for (let b = 0; b < batches; b++) {
      for (let oy = 0; oy < outH; oy++) {
        const inY0 = oy * strideH - padH;
        const fyStart = mathMax(0, -inY0);
        const fyEnd = mathMin(kH, inH - inY0);
        for (let ox = 0; ox < outW; ox++) {
          const inX0 = ox * strideW - padW;
          const fxStart = mathMax(0, -inX0);
          const fxEnd = mathMin(kW, inW - inX0);
          const count = (fyEnd - fyStart) * (fxEnd - fxStart);
          const outBase = ((b * outH + oy) * outW + ox) * depth;
          for (let c = 0; c < depth; c++) {
            let acc = 0;
            for (let fy = fyStart; fy < fyEnd; fy++) {
              let idx = ((b * inH + inY0 + fy) * inW + inX0 + fxStart) * depth + c;
              for (let fx = fxStart; fx < fxEnd; fx++) {
                acc = isFloat ? mathFround(acc + input[idx]) : acc + input[idx];
                idx += depth;
              }
            }
            let v: number;
            if (isFloat) {
              v = mathFround(acc / count);
            } else {
              // Round half away from zero, C++ truncating division.
              const half = (count / 2) | 0;
              v = acc > 0 ? mathTrunc((acc + half) / count) : mathTrunc((acc - half) / count);
            }
            if (v < actMin) v = actMin;
            else if (v > actMax) v = actMax;
            output[outBase + c] = v;
          }
        }
      }
    }
  },
};
