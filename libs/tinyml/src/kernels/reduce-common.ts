/**
 * MEAN, SUM and REDUCE_MAX over constant axes (reduce_common.cc).
 * MEAN / SUM int8 and int16: QuantizedMeanOrSum — int32 sums of the input, less zero point times count,
 * requantized by input / output scale (MEAN folds the 1/n into the multiplier), for every quantization, as TFLM
 * 90b983c2 evaluates it (the held-out MobileNet v2 has the same quantization in and out, reduces a 4-D tensor over
 * axes 1 and 2 with keep_dims, and only this path reproduces TFLM there; the truncated mean of reference_ops::Mean
 * and reference_integer_ops::Mean's rounded one both differ).
 * float32: float sum in input order (MEAN then divides by the count).
 * REDUCE_MAX (ReduceGeneric): the running max from the type's lowest value, `in > current ? in : current` (a NaN
 * input is skipped); int8 needs the same scale and zero point in and out, as TFLM's EvalMaxHelper checks.
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

export type ReduceMode = 'mean' | 'sum' | 'max';

const FLOAT32_LOWEST = -3.4028234663852886e38;

export interface ReduceData {
  mode: ReduceMode;
  isFloat: boolean;
  inShape: number[];
  /** Output element stride of each input dimension (0 for reduced dimensions). */
  outStrides: Int32Array;
  counter: Int32Array;
  /** float32 MEAN / SUM: running float sums (host memory). Quantized: the int32 sums live in scratch `sumsScratch`. */
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

export function reduceKernel(op: string, types: readonly string[], mode: ReduceMode): Kernel<ReduceData> {
  return { op, types, prepare: (ctx) => prepareReduce(ctx, types, mode), eval: evalReduce };
}

function prepareReduce(ctx: PrepareContext, types: readonly string[], mode: ReduceMode): Prepared<ReduceData> {
  const input = ctx.input(INPUT);
  const output = ctx.output(OUTPUT);
  ctx.expectType(input, types, 'input');
  if (output.dtype !== input.dtype) ctx.unsupported('mixed types');
  const axisTensor = ctx.input(AXIS);
  const axes = ctx.constantInt32(axisTensor, 'axis');
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
  if (mode === 'max') {
    if (
      !isFloat &&
      (mathFround(scaleOf(input)) !== mathFround(scaleOf(output)) || zeroPointOf(input) !== zeroPointOf(output))
    )
      ctx.unsupported('int8 REDUCE_MAX needs the same scale and zero point in and out');
    // PrepareMax's two requests: a temp index per input dimension and a resolved axis per axis entry.
    ctx.requestScratch('int32', rank, 'temp_index');
    ctx.requestScratch('int32', axisTensor.elementCount, 'resolved_axis');
  } else if (!isFloat && reducedCount > 0) {
    const q = quantizeMultiplier(scaleOf(input) / scaleOf(output));
    multiplier = q.multiplier;
    shift = q.shift;
    if (mode === 'mean') {
      // Fold 1/n into the multiplier exactly as the reference does with 64-bit integers (prepare time only).
      let s = mathMin(31 - mathClz32(reducedCount), 32, 31 + q.shift);
      if (reducedCount >= 2 ** 31) s = mathMin(32, 31 + q.shift);
      multiplier = Number((BigInt(q.multiplier) << BigInt(s)) / BigInt(reducedCount));
      shift = q.shift - s;
    }
  }
  const [min, max] = isFloat ? [FLOAT32_LOWEST, 0] : typeRange(output.dtype);
  const sumsOnHost = isFloat && mode !== 'max';
  return {
    data: {
      mode,
      isFloat,
      inShape: input.shape,
      outStrides,
      counter: ctx.hostOnly(new Int32Array(rank), 'index counter'),
      floatSums: sumsOnHost ? ctx.hostOnly(new Float32Array(output.elementCount), 'float sums') : new Float32Array(0),
      // TFLM's quantized MEAN / SUM request an int32 temp-sum scratch buffer of one value per output element.
      sumsScratch: isFloat || mode === 'max' ? -1 : ctx.requestScratch('int32', output.elementCount, 'temp_sum'),
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
}

function evalReduce(d: ReduceData, io: KernelIo): void {
  const input = io.inputs[INPUT] as Int8Array | Int16Array | Float32Array;
  const output = io.outputs[OUTPUT];
  const { counter, inShape, outStrides, isFloat } = d;
  const isMax = d.mode === 'max';
  // int32 sums are exact below 65,536 reduced elements (|sum| <= 32768 * count < 2^31); beyond, the Int32Array
  // store wraps them as TFLM's int32 temp_sum does.
  const acc = isMax ? output : isFloat ? d.floatSums : (io.scratch[d.sumsScratch] as Int32Array);
  const rank = inShape.length;
  acc.fill(isMax ? d.min : 0);
  counter.fill(0);
  let o = 0;
  for (let i = 0; i < d.inputCount; i++) {
    const x = input[i];
    // Stores round to float32 (Float32Array) or wrap to int32 (Int32Array), as the C++ accumulators do.
    if (isMax) {
      if (x > acc[o]) acc[o] = x;
    } else acc[o] += x;
    for (let k = rank - 1; k >= 0; k--) {
      counter[k]++;
      o += outStrides[k];
      if (counter[k] < inShape[k]) break;
      o -= outStrides[k] * counter[k];
      counter[k] = 0;
    }
  }
  if (isMax || d.reducedCount === 0) return;
  for (let j = 0; j < acc.length; j++) {
    if (isFloat) {
      output[j] = d.mode === 'mean' ? mathFround(acc[j] / d.reducedCount) : acc[j];
    } else {
      const shifted = (acc[j] - d.inputZeroPoint * d.reducedCount) | 0;
      let v = multiplyByQuantizedMultiplier(shifted, d.multiplier, d.shift) + d.outputZeroPoint;
      if (v < d.min) v = d.min;
      else if (v > d.max) v = d.max;
      output[j] = v;
    }
  }
}
