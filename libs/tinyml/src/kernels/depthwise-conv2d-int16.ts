/**
 * The 16x8 path of DEPTHWISE_CONV_2D (int16 activations, int8 per-channel weights, int64 bias): TFLM's
 * reference_integer_ops::DepthwiseConvPerChannel for int16 input. Symmetric activations (zero points 0, checked
 * by the kernel's prepare); int64 accumulators (exact sums in a double), then the int64
 * MultiplyByQuantizedMultiplier.
 */
import { multiplyByQuantizedMultiplierInt64 } from '../quant/fixed-point';
import type { ConvGeometry } from './conv-common';

export interface DepthwiseInt16Data {
  g: ConvGeometry;
  depthMultiplier: number;
  /** [1][kH][kW][outC] as in the file. */
  filter: Int8Array;
  bias: Float64Array | null;
  multipliers: Int32Array;
  shifts: Int32Array;
  actMin: number;
  actMax: number;
}

export function evalDepthwiseInt16(d: DepthwiseInt16Data, input: Int16Array, output: Int16Array): void {
  const { batches, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilationH, dilationW, padH, padW } = d.g;
  const { filter, bias, multipliers, shifts, actMin, actMax, depthMultiplier } = d;
  let outIdx = 0;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const inY0 = oy * strideH - padH;
      for (let ox = 0; ox < outW; ox++) {
        const inX0 = ox * strideW - padW;
        for (let ic = 0; ic < inC; ic++) {
          for (let m = 0; m < depthMultiplier; m++) {
            const oc = ic * depthMultiplier + m;
            let acc = 0;
            for (let fy = 0; fy < kH; fy++) {
              const iy = inY0 + dilationH * fy;
              if (iy < 0 || iy >= inH) continue;
              for (let fx = 0; fx < kW; fx++) {
                const ix = inX0 + dilationW * fx;
                if (ix < 0 || ix >= inW) continue;
                acc += filter[(fy * kW + fx) * outC + oc] * input[((b * inH + iy) * inW + ix) * inC + ic];
              }
            }
            if (bias !== null) acc += bias[oc];
            const v = multiplyByQuantizedMultiplierInt64(acc, multipliers[oc], shifts[oc]);
            output[outIdx++] = v < actMin ? actMin : v > actMax ? actMax : v;
          }
        }
      }
    }
  }
}
