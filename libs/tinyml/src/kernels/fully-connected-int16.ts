/**
 * The 16x8 path of FULLY_CONNECTED (int16 activations, int8 weights per tensor or per channel, int64 or int32
 * bias): TFLM's reference_integer_ops::FullyConnected(PerChannel) for int16 input. Symmetric activations (zero
 * points 0, checked by the kernel's prepare), so no input or output offset. The accumulator type follows the
 * bias as in conv2d-int16.ts: int64 (exact sums, the int64 MultiplyByQuantizedMultiplier) or int32.
 */
import { multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplierInt64 } from '../quant/fixed-point';

export interface FullyConnectedInt16Data {
  batches: number;
  inUnits: number;
  outUnits: number;
  weights: Int8Array;
  /** Weight zero point negated (TFLM's weights_offset; 0 for symmetric int8 weights). */
  filterOffset: number;
  bias: Float64Array | Int32Array | null;
  accumulatesInt64: boolean;
  multipliers: Int32Array;
  shifts: Int32Array;
  actMin: number;
  actMax: number;
}

export function evalFullyConnectedInt16(d: FullyConnectedInt16Data, input: Int16Array, output: Int16Array): void {
  const { batches, inUnits, outUnits, weights: w, filterOffset, bias, multipliers, shifts, actMin, actMax } = d;
  for (let b = 0; b < batches; b++) {
    const inBase = b * inUnits;
    for (let oc = 0; oc < outUnits; oc++) {
      const wBase = oc * inUnits;
      // |term| <= 2^15 * 2^8: any realistic sum is an exact integer in a double.
      let acc = 0;
      for (let i = 0; i < inUnits; i++) acc += (w[wBase + i] + filterOffset) * input[inBase + i];
      if (bias !== null) acc += bias[oc];
      const v = d.accumulatesInt64
        ? multiplyByQuantizedMultiplierInt64(acc, multipliers[oc], shifts[oc])
        : multiplyByQuantizedMultiplier(acc | 0, multipliers[oc], shifts[oc]);
      output[b * outUnits + oc] = v < actMin ? actMin : v > actMax ? actMax : v;
    }
  }
}
