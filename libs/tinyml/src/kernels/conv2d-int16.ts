/**
 * The 16x8 path of CONV_2D (int16 activations, int8 per-channel weights, int64 or int32 bias): TFLM's
 * reference_integer_ops::ConvPerChannel for int16 input. Symmetric activations (zero points 0, checked by the
 * kernel's prepare), so no input offset. The accumulator type follows the bias: int64 (sums stay exact in a
 * double, then the int64 MultiplyByQuantizedMultiplier) or int32 (wraps like the C++ int32 accumulator, then
 * the int32 MultiplyByQuantizedMultiplier); no bias accumulates in int32, as TFLM does.
 */
import { multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplierInt64 } from '../quant/fixed-point';
import type { ConvGeometry } from './conv-common';

export interface ConvInt16Data {
  g: ConvGeometry;
  filter: Int8Array;
  /** Bias per output channel (exact integers), or null. */
  bias: Float64Array | Int32Array | null;
  accumulatesInt64: boolean;
  multipliers: Int32Array;
  shifts: Int32Array;
  actMin: number;
  actMax: number;
}

export function evalConvInt16(d: ConvInt16Data, input: Int16Array, output: Int16Array): void {
  const { batches, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilationH, dilationW, padH, padW } = d.g;
  const { filter, bias, multipliers, shifts, actMin, actMax, accumulatesInt64 } = d;
  let outIdx = 0;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const inY0 = oy * strideH - padH;
      for (let ox = 0; ox < outW; ox++) {
        const inX0 = ox * strideW - padW;
        for (let oc = 0; oc < outC; oc++) {
          // |product| <= 2^15 * 2^7, so any realistic sum is an exact integer in a double.
          let acc = 0;
          for (let fy = 0; fy < kH; fy++) {
            const iy = inY0 + dilationH * fy;
            if (iy < 0 || iy >= inH) continue;
            for (let fx = 0; fx < kW; fx++) {
              const ix = inX0 + dilationW * fx;
              if (ix < 0 || ix >= inW) continue;
              const inBase = ((b * inH + iy) * inW + ix) * inC;
              const fBase = ((oc * kH + fy) * kW + fx) * inC;
              for (let c = 0; c < inC; c++) acc += filter[fBase + c] * input[inBase + c];
            }
          }
          if (bias !== null) acc += bias[oc];
          const v = accumulatesInt64
            ? multiplyByQuantizedMultiplierInt64(acc, multipliers[oc], shifts[oc])
            : multiplyByQuantizedMultiplier(acc | 0, multipliers[oc], shifts[oc]);
          output[outIdx++] = v < actMin ? actMin : v > actMax ? actMax : v;
        }
      }
    }
  }
}
