/**
 * FULLY_CONNECTED, int8 (per-tensor or per-channel), int8 activations with int4 weights (per-tensor, see
 * int4-filter.ts), 16x8 (int16 activations, int8 weights, see fully-connected-int16.ts) and float32, matching
 * TFLM reference_integer_ops::FullyConnected(PerChannel) and reference_ops::FullyConnected.
 */
import { multiplyByQuantizedMultiplier } from '../quant/fixed-point';
import { activationRangeFloat, activationRangeQuantized, zeroPointOf } from '../quant/quant-params';
import { interleaveBlocks, packRowPairs, swarFits, swarHigh, SWAR_SHIFT } from '../quant/swar';
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import { WasmInt8Rows } from '../wasm/fc-int8';
import { allocatePerChannel, int64Bias, perChannelMultipliers } from './conv-common';
import { FullyConnectedInt16Data, evalFullyConnectedInt16 } from './fully-connected-int16';
import { int8FilterValues } from './int4-filter';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

// Bound once at load: looking up the global `Math` inside hot loops is slow in vm sandboxes (e.g. Jest).
const { fround: mathFround, max: mathMax, min: mathMin } = Math;

const INPUT = 0;
const WEIGHTS = 1;
const BIAS = 2;
const OUTPUT = 0;
// FullyConnectedOptions field ids.
const OPT = { activation: 0, weightsFormat: 1 };

interface FullyConnectedData {
  batches: number;
  inUnits: number;
  outUnits: number;
  isFloat: boolean;
  inputOffset: number;
  filterOffset: number;
  outputOffset: number;
  multipliers: Int32Array;
  shifts: Int32Array;
  actMin: number;
  actMax: number;
  weightsI8: Int8Array;
  weightsF32: Float32Array;
  /** bias[o] + inputOffset * sum(weights[o]) (+ the filter-offset terms), folded at prepare time. */
  accInit: Float64Array;
  biasF32: Float32Array | null;
  /** Weight rows packed pairwise for two dot products per multiply (null when the bound does not hold). */
  packed: Float64Array | null;
  /** One batch row of the input as doubles (scratch). */
  x: Float64Array;
  /** The WebAssembly SIMD path (zero filter offset, WebAssembly available), else null. */
  wasm: WasmInt8Rows | null;
  /** The 16x8 path (int16 input), else null. */
  int16: FullyConnectedInt16Data | null;
}

export const fullyConnectedKernel: Kernel<FullyConnectedData> = {
  op: 'FULLY_CONNECTED',
  types: ['float32', 'int8', 'int16', 'int4'],
  prepare(ctx: PrepareContext): Prepared<FullyConnectedData> {
    const input = ctx.input(INPUT);
    const weights = ctx.input(WEIGHTS);
    const bias = ctx.optionalInput(BIAS);
    const output = ctx.output(OUTPUT);
    const o = ctx.options;
    if ((o?.i8(OPT.weightsFormat) ?? 0) !== 0) ctx.unsupported('shuffled weights format');
    if (!weights.data) ctx.unsupported('non-constant weights');
    if (weights.shape.length !== 2) ctx.fail(`weights must be 2-D, got [${weights.shape}]`);
    const [outUnits, inUnits] = weights.shape;
    if (inUnits === 0 || input.elementCount % inUnits !== 0)
      ctx.fail(`input size ${input.elementCount} not a multiple of ${inUnits}`);
    const batches = input.elementCount / inUnits;
    if (output.elementCount !== batches * outUnits)
      ctx.fail(`output has ${output.elementCount} elements, expected ${batches * outUnits}`);
    if (bias && (bias.elementCount !== outUnits || !bias.data))
      ctx.fail('bias must be constant with one value per output unit');
    const activation = o?.i8(OPT.activation) ?? 0;
    const isFloat = input.dtype === 'float32';
    ctx.builtinData(BUILTIN_DATA.fullyConnected);
    ctx.opData(OP_DATA.fullyConnected);
    const data: FullyConnectedData = {
      batches,
      inUnits,
      outUnits,
      isFloat,
      inputOffset: 0,
      filterOffset: 0,
      outputOffset: 0,
      multipliers: new Int32Array(0),
      shifts: new Int32Array(0),
      actMin: 0,
      actMax: 0,
      weightsI8: new Int8Array(0),
      weightsF32: new Float32Array(0),
      accInit: ctx.hostOnly(new Float64Array(outUnits), 'bias + offset terms per row'),
      biasF32: null,
      packed: null,
      x: new Float64Array(0),
      wasm: null,
      int16: null,
    };
    if (input.dtype === 'int16') {
      data.int16 = prepareInt16(ctx, data, activation);
    } else if (isFloat) {
      ctx.expectType(weights, ['float32'], 'weights');
      ctx.expectType(output, ['float32'], 'output');
      [data.actMin, data.actMax] = activationRangeFloat(activation) ?? ctx.unsupported(`activation ${activation}`);
      data.weightsF32 = new Float32Array(weights.data.buffer, weights.data.byteOffset, weights.elementCount);
      if (bias?.data) data.biasF32 = new Float32Array(bias.data.buffer, bias.data.byteOffset, bias.elementCount);
    } else {
      ctx.expectType(input, ['int8'], 'input');
      ctx.expectType(weights, ['int8', 'int4'], 'weights');
      ctx.expectType(output, ['int8'], 'output');
      if (bias) ctx.expectType(bias, ['int32'], 'bias');
      // TFLM's CalculateOpDataFullyConnected: per-channel quantization is for int8 / int16 weights only.
      if (weights.dtype === 'int4' && (weights.quantization?.scales.length ?? 0) > 1)
        ctx.unsupported('per-channel int4 weights', 'int4');
      [data.actMin, data.actMax] =
        activationRangeQuantized(activation, output) ?? ctx.unsupported(`activation ${activation}`);
      data.inputOffset = -zeroPointOf(input);
      data.filterOffset = -zeroPointOf(weights);
      data.outputOffset = zeroPointOf(output);
      // TFLM keeps per-channel arrays only for per-channel weights; per-tensor weights use OpData's single
      // multiplier, which the host repeats per row (host-only).
      const perChannel =
        (weights.quantization?.scales.length ?? 0) > 1
          ? allocatePerChannel(ctx, outUnits)
          : {
              multipliers: ctx.hostOnly(new Int32Array(outUnits), 'multiplier per row'),
              shifts: ctx.hostOnly(new Int32Array(outUnits), 'shift per row'),
            };
      const { multipliers, shifts } = perChannelMultipliers(ctx, input, weights, output, outUnits, perChannel);
      data.multipliers = multipliers;
      data.shifts = shifts;
      const w = int8FilterValues(ctx, weights);
      data.weightsI8 = w;
      const biasI32 = bias?.data ? new Int32Array(bias.data.buffer, bias.data.byteOffset, bias.elementCount) : null;
      // sum((w + fo) * (x + io)) = sum(w*x) + fo*sum(x) + io*sum(w) + n*fo*io; all but the first two are static.
      for (let oc = 0; oc < outUnits; oc++) {
        let sumW = 0;
        for (let i = 0; i < inUnits; i++) sumW += w[oc * inUnits + i];
        data.accInit[oc] =
          (biasI32 ? biasI32[oc] : 0) + data.inputOffset * sumW + inUnits * data.filterOffset * data.inputOffset;
      }
      if (data.filterOffset === 0 && ctx.wasm) {
        data.wasm = WasmInt8Rows.create({
          weights: w,
          rows: outUnits,
          n: inUnits,
          acc0: data.accInit,
          multipliers: data.multipliers,
          shifts: data.shifts,
          outputZeroPoint: data.outputOffset,
          actMin: data.actMin,
          actMax: data.actMax,
          inputBytes: batches * inUnits,
          maxVectors: batches,
        });
        if (data.wasm) ctx.hostOnly(new Uint8Array(data.wasm.memory.buffer), 'WebAssembly instance memory');
      }
      // Raw int8 inputs times int8 weights: |term| <= 128 * 128.
      if (data.wasm === null && data.filterOffset === 0 && swarFits(inUnits, 128 * 128)) {
        data.x = ctx.hostOnly(new Float64Array(inUnits), 'input row as doubles');
        data.packed = ctx.hostOnly(
          interleaveBlocks(packRowPairs(w, outUnits, inUnits), (outUnits + 1) >> 1, inUnits, 8),
          'packed weight row pairs',
        );
      }
    }
    return { data, macs: batches * outUnits * inUnits };
  },
  eval(d: FullyConnectedData, io: KernelIo): void {
    if (d.int16 !== null)
      evalFullyConnectedInt16(d.int16, io.inputs[INPUT] as Int16Array, io.outputs[OUTPUT] as Int16Array);
    else if (d.isFloat) evalFloat(d, io.inputs[INPUT] as Float32Array, io.outputs[OUTPUT] as Float32Array);
    else evalInt8(d, io.inputs[INPUT] as Int8Array, io.outputs[OUTPUT] as Int8Array);
  },
};

/** 16x8: symmetric int16 activations, int8 weights, int64 / int32 / no bias; per-channel arrays as for int8. */
function prepareInt16(ctx: PrepareContext, data: FullyConnectedData, activation: number): FullyConnectedInt16Data {
  const input = ctx.input(INPUT);
  const weights = ctx.input(WEIGHTS);
  const bias = ctx.optionalInput(BIAS);
  const output = ctx.output(OUTPUT);
  ctx.expectType(weights, ['int8'], 'weights');
  ctx.expectType(output, ['int16'], 'output');
  if (bias) ctx.expectType(bias, ['int64', 'int32'], 'bias');
  if (zeroPointOf(input) !== 0 || zeroPointOf(output) !== 0) ctx.fail('int16 input and output need zero point 0');
  const range = activationRangeQuantized(activation, output) ?? ctx.unsupported(`activation ${activation}`);
  const { outUnits } = data;
  const perChannel =
    (weights.quantization?.scales.length ?? 0) > 1
      ? allocatePerChannel(ctx, outUnits)
      : {
          multipliers: ctx.hostOnly(new Int32Array(outUnits), 'multiplier per row'),
          shifts: ctx.hostOnly(new Int32Array(outUnits), 'shift per row'),
        };
  perChannelMultipliers(ctx, input, weights, output, outUnits, perChannel);
  const w = weights.data as Uint8Array;
  return {
    batches: data.batches,
    inUnits: data.inUnits,
    outUnits,
    weights: new Int8Array(w.buffer, w.byteOffset, weights.elementCount),
    filterOffset: -zeroPointOf(weights),
    bias: !bias?.data
      ? null
      : bias.dtype === 'int64'
        ? int64Bias(ctx, bias)
        : new Int32Array(bias.data.buffer, bias.data.byteOffset, bias.elementCount),
    accumulatesInt64: bias?.dtype === 'int64',
    multipliers: perChannel.multipliers,
    shifts: perChannel.shifts,
    actMin: range[0],
    actMax: range[1],
  };
}

function requantize(d: FullyConnectedData, acc: number, oc: number): number {
  const v = multiplyByQuantizedMultiplier(acc | 0, d.multipliers[oc], d.shifts[oc]) + d.outputOffset;
  return v < d.actMin ? d.actMin : v > d.actMax ? d.actMax : v;
}

function evalInt8(d: FullyConnectedData, input: Int8Array, output: Int8Array): void {
  if (d.wasm !== null) {
    // Batch rows are contiguous: vector b starts b * inUnits bytes in (bytes past it meet zero weights).
    d.wasm.input.set(input);
    d.wasm.run(0, d.inUnits, d.batches, 0);
    d.wasm.copyOut(output, d.batches);
    return;
  }
  if (d.packed !== null) {
    evalInt8Packed(d, d.packed, input, output);
    return;
  }
  const { batches, inUnits, outUnits, weightsI8: w, accInit, filterOffset } = d;
  for (let b = 0; b < batches; b++) {
    const inBase = b * inUnits;
    let sumX = 0;
    if (filterOffset !== 0) for (let i = 0; i < inUnits; i++) sumX += input[inBase + i];
    for (let oc = 0; oc < outUnits; oc++) {
      const wBase = oc * inUnits;
      let acc = accInit[oc] + filterOffset * sumX;
      for (let i = 0; i < inUnits; i++) acc += w[wBase + i] * input[inBase + i];
      output[b * outUnits + oc] = requantize(d, acc, oc);
    }
  }
}

/** Writes the two outputs of a packed accumulator (low sum = even row, high sum = odd row). */
function emitPair(d: FullyConnectedData, output: Int8Array, outBase: number, pair: number, s: number): void {
  const hi = swarHigh(s);
  const oc = 2 * pair;
  output[outBase + oc] = requantize(d, s - hi * SWAR_SHIFT + d.accInit[oc], oc);
  if (oc + 1 < d.outUnits) output[outBase + oc + 1] = requantize(d, hi + d.accInit[oc + 1], oc + 1);
}

/**
 * Packed path: eight row pairs (sixteen outputs) per pass over the input, two MACs per multiply. The packed
 * weights of a block of eight pairs are interleaved ([block][i][8]) so the inner loop reads one stream.
 */
function evalInt8Packed(d: FullyConnectedData, p: Float64Array, input: Int8Array, output: Int8Array): void {
  const { batches, inUnits: n, outUnits, x } = d;
  const pairs = (outUnits + 1) >> 1;
  const pairs8 = pairs - (pairs % 8);
  for (let b = 0; b < batches; b++) {
    const inBase = b * n;
    for (let i = 0; i < n; i++) x[i] = input[inBase + i];
    const outBase = b * outUnits;
    let pair = 0;
    for (; pair < pairs8; pair += 8) {
      let q = pair * n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0; // prettier-ignore
      for (let i = 0; i < n; i++, q += 8) {
        const xi = x[i];
        s0 += p[q] * xi;
        s1 += p[q + 1] * xi;
        s2 += p[q + 2] * xi;
        s3 += p[q + 3] * xi;
        s4 += p[q + 4] * xi;
        s5 += p[q + 5] * xi;
        s6 += p[q + 6] * xi;
        s7 += p[q + 7] * xi;
      }
      emitPair(d, output, outBase, pair, s0);
      emitPair(d, output, outBase, pair + 1, s1);
      emitPair(d, output, outBase, pair + 2, s2);
      emitPair(d, output, outBase, pair + 3, s3);
      emitPair(d, output, outBase, pair + 4, s4);
      emitPair(d, output, outBase, pair + 5, s5);
      emitPair(d, output, outBase, pair + 6, s6);
      emitPair(d, output, outBase, pair + 7, s7);
    }
    for (; pair < pairs; pair++) {
      const p0 = pair * n;
      let s0 = 0;
      for (let i = 0; i < n; i++) s0 += p[p0 + i] * x[i];
      emitPair(d, output, outBase, pair, s0);
    }
  }
}

function evalFloat(d: FullyConnectedData, input: Float32Array, output: Float32Array): void {
  const { batches, inUnits, outUnits, weightsF32: w, biasF32: bias, actMin, actMax } = d;
  const fround = mathFround;
  for (let b = 0; b < batches; b++) {
    for (let oc = 0; oc < outUnits; oc++) {
      let total = 0;
      for (let i = 0; i < inUnits; i++) total = fround(total + fround(input[b * inUnits + i] * w[oc * inUnits + i]));
      const v = fround(total + (bias !== null ? bias[oc] : 0));
      output[b * outUnits + oc] = mathMin(mathMax(v, actMin), actMax);
    }
  }
}
