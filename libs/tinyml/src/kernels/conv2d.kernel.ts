/**
 * CONV_2D, int8 (per-channel; int8 or int4 filter, see int4-filter.ts), 16x8 (int16 activations, int8 per-channel
 * weights, see conv2d-int16.ts) and float32, matching TFLM reference_integer_ops::ConvPerChannel and
 * reference_ops::Conv.
 */
import { multiplyByQuantizedMultiplier } from '../quant/fixed-point';
import { interleaveBlocks, packRowPairs, swarFits, swarHigh, SWAR_SHIFT } from '../quant/swar';
import { activationRangeFloat, activationRangeQuantized, zeroPointOf } from '../quant/quant-params';
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import { ConvGeometry, allocatePerChannel, convGeometry, int64Bias, perChannelMultipliers } from './conv-common';
import { ConvInt16Data, evalConvInt16 } from './conv2d-int16';
import { ConvWasm, evalConvWasm, prepareConvWasm } from './conv2d-wasm';
import { int8FilterValues } from './int4-filter';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

// Bound once at load: looking up the global `Math` inside hot loops is slow in vm sandboxes (e.g. Jest).
const { fround: mathFround, max: mathMax, min: mathMin } = Math;

const INPUT = 0;
const FILTER = 1;
const BIAS = 2;
const OUTPUT = 0;
// Conv2DOptions field ids.
const OPT = { padding: 0, strideW: 1, strideH: 2, activation: 3, dilationW: 4, dilationH: 5 };

export interface ConvData {
  g: ConvGeometry;
  isFloat: boolean;
  inputOffset: number;
  outputOffset: number;
  multipliers: Int32Array;
  shifts: Int32Array;
  actMin: number;
  actMax: number;
  filterI8: Int8Array;
  filterF32: Float32Array;
  biasI32: Int32Array | null;
  biasF32: Float32Array | null;
  /** Filter as doubles ([outC][kH*kW*inC]); products and sums stay exact integers far below 2^53. */
  filterF64: Float64Array;
  /** Receptive fields of two neighbouring output pixels, input offset already added (0 where padded). */
  patchA: Float64Array;
  patchB: Float64Array;
  /**
   * Filter rows packed pairwise (two channels per double, see quant/swar.ts), blocks of four pairs interleaved
   * as [block][k][4]; null when the exactness bound does not hold (then the plain blocked loop runs).
   */
  packed: Float64Array | null;
  /** The WebAssembly SIMD path (int8, WebAssembly available), else null. */
  wasm: ConvWasm | null;
  /** The 16x8 path (int16 input), else null. */
  int16: ConvInt16Data | null;
}

/**
 * Installs an int8 filter ([outC][kH][kW][inC]) and its packed / double copies used by evalConvInt8 (host-only:
 * a device reads the int8 filter from flash).
 */
export function setInt8Filter(ctx: PrepareContext, data: ConvData, filter: Int8Array): void {
  const g = data.g;
  data.filterI8 = filter;
  data.wasm = prepareConvWasm(ctx, { ...data, filter, bias: data.biasI32 });
  if (data.wasm !== null) return;
  const n = g.kH * g.kW * g.inC;
  // Patch values are input + offset in [-255, 255] and weights are int8: |term| <= 255 * 128.
  data.packed = swarFits(n, 255 * 128)
    ? ctx.hostOnly(interleaveBlocks(packRowPairs(filter, g.outC, n), (g.outC + 1) >> 1, n, 4), 'packed filter')
    : null;
  // The unpacked double copy is only needed by the fallback loop (keeps host memory at ~4 bytes per weight).
  data.filterF64 =
    data.packed === null ? ctx.hostOnly(Float64Array.from(filter), 'filter as doubles') : new Float64Array(0);
}

export const conv2dKernel: Kernel<ConvData> = {
  op: 'CONV_2D',
  types: ['float32', 'int8', 'int16', 'int4'],
  prepare(ctx: PrepareContext): Prepared<ConvData> {
    const input = ctx.input(INPUT);
    const filter = ctx.input(FILTER);
    const bias = ctx.optionalInput(BIAS);
    const output = ctx.output(OUTPUT);
    const o = ctx.options;
    const g = convGeometry(
      ctx,
      input,
      filter,
      output,
      o?.i8(OPT.padding) ?? 0,
      o?.i32(OPT.strideH) ?? 1,
      o?.i32(OPT.strideW) ?? 1,
      o?.i32(OPT.dilationH, 1) ?? 1,
      o?.i32(OPT.dilationW, 1) ?? 1,
    );
    if (!filter.data) ctx.unsupported('non-constant filter');
    if (filter.shape[0] !== g.outC) ctx.fail(`filter has ${filter.shape[0]} output channels, output ${g.outC}`);
    if (filter.shape[3] !== g.inC)
      ctx.unsupported(`grouped convolution (filter depth ${filter.shape[3]}, input ${g.inC})`);
    if (bias && (bias.elementCount !== g.outC || !bias.data))
      ctx.fail('bias must be constant with one value per output channel');
    const activation = o?.i8(OPT.activation) ?? 0;
    const isFloat = input.dtype === 'float32';
    ctx.builtinData(BUILTIN_DATA.conv);
    ctx.opData(OP_DATA.conv);
    const perChannel = allocatePerChannel(ctx, g.outC);
    const data: ConvData = {
      g,
      isFloat,
      inputOffset: 0,
      outputOffset: 0,
      multipliers: perChannel.multipliers,
      shifts: perChannel.shifts,
      actMin: 0,
      actMax: 0,
      filterI8: new Int8Array(0),
      filterF32: new Float32Array(0),
      biasI32: null,
      biasF32: null,
      filterF64: new Float64Array(0),
      patchA: ctx.hostOnly(new Float64Array(g.kH * g.kW * g.inC), 'receptive field patch'),
      patchB: ctx.hostOnly(new Float64Array(g.kH * g.kW * g.inC), 'receptive field patch'),
      packed: null,
      wasm: null,
      int16: null,
    };
    if (input.dtype === 'int16') {
      data.int16 = prepareInt16(ctx, data, activation);
    } else if (isFloat) {
      ctx.expectType(filter, ['float32'], 'filter');
      ctx.expectType(output, ['float32'], 'output');
      const range = activationRangeFloat(activation) ?? ctx.unsupported(`activation ${activation}`);
      [data.actMin, data.actMax] = range;
      data.filterF32 = new Float32Array(filter.data.buffer, filter.data.byteOffset, filter.elementCount);
      if (bias?.data) data.biasF32 = new Float32Array(bias.data.buffer, bias.data.byteOffset, bias.elementCount);
    } else {
      ctx.expectType(input, ['int8'], 'input');
      ctx.expectType(filter, ['int8', 'int4'], 'filter');
      ctx.expectType(output, ['int8'], 'output');
      if (bias) ctx.expectType(bias, ['int32'], 'bias');
      const range = activationRangeQuantized(activation, output) ?? ctx.unsupported(`activation ${activation}`);
      [data.actMin, data.actMax] = range;
      data.inputOffset = -zeroPointOf(input);
      data.outputOffset = zeroPointOf(output);
      perChannelMultipliers(ctx, input, filter, output, g.outC, perChannel);
      if (bias?.data) data.biasI32 = new Int32Array(bias.data.buffer, bias.data.byteOffset, bias.elementCount);
      setInt8Filter(ctx, data, int8FilterValues(ctx, filter));
    }
    return { data, macs: g.batches * g.outH * g.outW * g.outC * g.kH * g.kW * g.inC };
  },
  eval(d: ConvData, io: KernelIo): void {
    if (d.int16 !== null) evalConvInt16(d.int16, io.inputs[INPUT] as Int16Array, io.outputs[OUTPUT] as Int16Array);
    else if (d.isFloat) evalFloat(d, io.inputs[INPUT] as Float32Array, io.outputs[OUTPUT] as Float32Array);
    else evalConvInt8(d, io.inputs[INPUT] as Int8Array, io.outputs[OUTPUT] as Int8Array);
  },
};

/** 16x8: symmetric int16 activations (TFLM's Prepare requires zero points 0), int64 or int32 bias. */
function prepareInt16(ctx: PrepareContext, data: ConvData, activation: number): ConvInt16Data {
  const input = ctx.input(INPUT);
  const filter = ctx.input(FILTER);
  const bias = ctx.optionalInput(BIAS);
  const output = ctx.output(OUTPUT);
  ctx.expectType(filter, ['int8'], 'filter');
  ctx.expectType(output, ['int16'], 'output');
  if (bias) ctx.expectType(bias, ['int64', 'int32'], 'bias');
  if (zeroPointOf(input) !== 0 || zeroPointOf(output) !== 0) ctx.fail('int16 input and output need zero point 0');
  const range = activationRangeQuantized(activation, output) ?? ctx.unsupported(`activation ${activation}`);
  perChannelMultipliers(ctx, input, filter, output, data.g.outC, data);
  const filterData = filter.data as Uint8Array;
  return {
    g: data.g,
    filter: new Int8Array(filterData.buffer, filterData.byteOffset, filter.elementCount),
    bias: !bias?.data
      ? null
      : bias.dtype === 'int64'
        ? int64Bias(ctx, bias)
        : new Int32Array(bias.data.buffer, bias.data.byteOffset, bias.elementCount),
    accumulatesInt64: bias?.dtype === 'int64',
    multipliers: data.multipliers,
    shifts: data.shifts,
    actMin: range[0],
    actMax: range[1],
  };
}

/** Gathers output pixel (oy, ox)'s receptive field into `patch`; padded taps are 0 (= skipped). */
function gatherPatch(
  d: ConvData,
  input: Int8Array,
  inBatch: number,
  oy: number,
  ox: number,
  patch: Float64Array,
): void {
  const { inH, inW, inC, kH, kW, strideH, strideW, dilationH, dilationW, padH, padW } = d.g;
  const inputOffset = d.inputOffset;
  const inY0 = oy * strideH - padH;
  const inX0 = ox * strideW - padW;
  let p = 0;
  for (let fy = 0; fy < kH; fy++) {
    const iy = inY0 + dilationH * fy;
    const rowInside = iy >= 0 && iy < inH;
    for (let fx = 0; fx < kW; fx++) {
      const ix = inX0 + dilationW * fx;
      if (rowInside && ix >= 0 && ix < inW) {
        let src = inBatch + (iy * inW + ix) * inC;
        for (let c = 0; c < inC; c++) patch[p++] = input[src++] + inputOffset;
      } else {
        for (let c = 0; c < inC; c++) patch[p++] = 0;
      }
    }
  }
}

function requantize(d: ConvData, acc: number, oc: number): number {
  if (d.biasI32 !== null) acc += d.biasI32[oc];
  const v = multiplyByQuantizedMultiplier(acc | 0, d.multipliers[oc], d.shifts[oc]) + d.outputOffset;
  return v < d.actMin ? d.actMin : v > d.actMax ? d.actMax : v;
}

/**
 * int8 convolution as im2col + register-blocked dot products: two output pixels x four output channels per
 * inner loop (6 loads for 8 multiply-adds). Integer sums are order-independent, so this is exact.
 */
export function evalConvInt8(d: ConvData, input: Int8Array, output: Int8Array): void {
  if (d.wasm !== null) {
    evalConvWasm(d.wasm, d.g, input, output);
    return;
  }
  if (d.packed !== null) {
    evalInt8Packed(d, d.packed, input, output);
    return;
  }
  const { batches, inH, inW, inC, outH, outW, outC, kH, kW } = d.g;
  const { patchA, patchB, filterF64: f } = d;
  const n = kH * kW * inC;
  const outC4 = outC - (outC % 4);
  for (let b = 0; b < batches; b++) {
    const inBatch = b * inH * inW * inC;
    for (let oy = 0; oy < outH; oy++) {
      let ox = 0;
      for (; ox + 1 < outW; ox += 2) {
        gatherPatch(d, input, inBatch, oy, ox, patchA);
        gatherPatch(d, input, inBatch, oy, ox + 1, patchB);
        const outA = ((b * outH + oy) * outW + ox) * outC;
        const outB = outA + outC;
        let oc = 0;
        for (; oc < outC4; oc += 4) {
          const f0 = oc * n;
          const f1 = f0 + n;
          const f2 = f1 + n;
          const f3 = f2 + n;
          let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0; // prettier-ignore
          for (let k = 0; k < n; k++) {
            const xa = patchA[k];
            const xb = patchB[k];
            const w0 = f[f0 + k];
            const w1 = f[f1 + k];
            const w2 = f[f2 + k];
            const w3 = f[f3 + k];
            a0 += w0 * xa;
            a1 += w1 * xa;
            a2 += w2 * xa;
            a3 += w3 * xa;
            b0 += w0 * xb;
            b1 += w1 * xb;
            b2 += w2 * xb;
            b3 += w3 * xb;
          }
          output[outA + oc] = requantize(d, a0, oc);
          output[outA + oc + 1] = requantize(d, a1, oc + 1);
          output[outA + oc + 2] = requantize(d, a2, oc + 2);
          output[outA + oc + 3] = requantize(d, a3, oc + 3);
          output[outB + oc] = requantize(d, b0, oc);
          output[outB + oc + 1] = requantize(d, b1, oc + 1);
          output[outB + oc + 2] = requantize(d, b2, oc + 2);
          output[outB + oc + 3] = requantize(d, b3, oc + 3);
        }
        for (; oc < outC; oc++) {
          const f0 = oc * n;
          let a0 = 0;
          let b0 = 0;
          for (let k = 0; k < n; k++) {
            a0 += f[f0 + k] * patchA[k];
            b0 += f[f0 + k] * patchB[k];
          }
          output[outA + oc] = requantize(d, a0, oc);
          output[outB + oc] = requantize(d, b0, oc);
        }
      }
      for (; ox < outW; ox++) {
        gatherPatch(d, input, inBatch, oy, ox, patchA);
        const outA = ((b * outH + oy) * outW + ox) * outC;
        for (let oc = 0; oc < outC; oc++) {
          const f0 = oc * n;
          let a0 = 0;
          for (let k = 0; k < n; k++) a0 += f[f0 + k] * patchA[k];
          output[outA + oc] = requantize(d, a0, oc);
        }
      }
    }
  }
}

/** Writes channels 2*pair (low sum) and 2*pair+1 (high sum) of one output pixel. */
function emitPair(d: ConvData, output: Int8Array, outBase: number, pair: number, s: number): void {
  const hi = swarHigh(s);
  const oc = 2 * pair;
  output[outBase + oc] = requantize(d, s - hi * SWAR_SHIFT, oc);
  if (oc + 1 < d.g.outC) output[outBase + oc + 1] = requantize(d, hi, oc + 1);
}

/**
 * Packed int8 convolution: two output pixels x four channel pairs (eight channels) per inner loop, i.e. six
 * loads and eight multiply-adds for sixteen MACs, all exact (see quant/swar.ts).
 */
function evalInt8Packed(d: ConvData, p: Float64Array, input: Int8Array, output: Int8Array): void {
  const { batches, inH, inW, inC, outH, outW, outC, kH, kW } = d.g;
  const { patchA, patchB } = d;
  const n = kH * kW * inC;
  const pairs = (outC + 1) >> 1;
  const pairs4 = pairs - (pairs % 4);
  for (let b = 0; b < batches; b++) {
    const inBatch = b * inH * inW * inC;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox += 2) {
        const two = ox + 1 < outW;
        gatherPatch(d, input, inBatch, oy, ox, patchA);
        if (two) gatherPatch(d, input, inBatch, oy, ox + 1, patchB);
        else patchB.fill(0);
        const outA = ((b * outH + oy) * outW + ox) * outC;
        const outB = outA + outC;
        let pair = 0;
        for (; pair < pairs4; pair += 4) {
          let q = pair * n;
          let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0; // prettier-ignore
          for (let k = 0; k < n; k++, q += 4) {
            const xa = patchA[k];
            const xb = patchB[k];
            const w0 = p[q];
            const w1 = p[q + 1];
            const w2 = p[q + 2];
            const w3 = p[q + 3];
            a0 += w0 * xa;
            a1 += w1 * xa;
            a2 += w2 * xa;
            a3 += w3 * xa;
            b0 += w0 * xb;
            b1 += w1 * xb;
            b2 += w2 * xb;
            b3 += w3 * xb;
          }
          emitPair(d, output, outA, pair, a0);
          emitPair(d, output, outA, pair + 1, a1);
          emitPair(d, output, outA, pair + 2, a2);
          emitPair(d, output, outA, pair + 3, a3);
          if (two) {
            emitPair(d, output, outB, pair, b0);
            emitPair(d, output, outB, pair + 1, b1);
            emitPair(d, output, outB, pair + 2, b2);
            emitPair(d, output, outB, pair + 3, b3);
          }
        }
        for (; pair < pairs; pair++) {
          const q = pair * n;
          let a0 = 0;
          let b0 = 0;
          for (let k = 0; k < n; k++) {
            a0 += p[q + k] * patchA[k];
            b0 += p[q + k] * patchB[k];
          }
          emitPair(d, output, outA, pair, a0);
          if (two) emitPair(d, output, outB, pair, b0);
        }
      }
    }
  }
}

function evalFloat(d: ConvData, input: Float32Array, output: Float32Array): void {
  const { batches, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilationH, dilationW, padH, padW } = d.g;
  const { filterF32: filter, biasF32: bias, actMin, actMax } = d;
  const fround = mathFround;
  let outIdx = 0;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let oc = 0; oc < outC; oc++) {
          // float32 accumulation in TFLM's exact order (filter y, filter x, input channel).
          let total = 0;
          for (let fy = 0; fy < kH; fy++) {
            const iy = oy * strideH - padH + dilationH * fy;
            if (iy < 0 || iy >= inH) continue;
            for (let fx = 0; fx < kW; fx++) {
              const ix = ox * strideW - padW + dilationW * fx;
              if (ix < 0 || ix >= inW) continue;
              const inBase = ((b * inH + iy) * inW + ix) * inC;
              const fBase = ((oc * kH + fy) * kW + fx) * inC;
              for (let c = 0; c < inC; c++) total = fround(total + fround(input[inBase + c] * filter[fBase + c]));
            }
          }
          let v = fround(total + (bias !== null ? bias[oc] : 0));
          v = mathMin(mathMax(v, actMin), actMax);
          output[outIdx++] = v;
        }
      }
    }
  }
}
