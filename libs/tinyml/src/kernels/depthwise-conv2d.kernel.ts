/**
 * DEPTHWISE_CONV_2D, int8 (per-channel; int8 or int4 filter, see int4-filter.ts), 16x8 (int16 activations, see
 * depthwise-conv2d-int16.ts) and float32, matching TFLM reference_integer_ops::DepthwiseConvPerChannel and
 * reference_ops::DepthwiseConv.
 */
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import { MAX_TENSOR_BYTES } from '../model/model-reader';
import { multiplyByQuantizedMultiplier } from '../quant/fixed-point';
import { activationRangeFloat, activationRangeQuantized, zeroPointOf } from '../quant/quant-params';
import { ConvGeometry, allocatePerChannel, convGeometry, int64Bias, perChannelMultipliers } from './conv-common';
import { DepthwiseInt16Data, evalDepthwiseInt16 } from './depthwise-conv2d-int16';
import { DepthwiseWasm } from '../wasm/dw-int8';
import { ConvData, evalConvInt8, setInt8Filter } from './conv2d.kernel';
import { int8FilterValues } from './int4-filter';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

// Bound once at load: looking up the global `Math` inside hot loops is slow in vm sandboxes (e.g. Jest).
const { floor: mathFloor, fround: mathFround, max: mathMax, min: mathMin } = Math;

const INPUT = 0;
const FILTER = 1;
const BIAS = 2;
const OUTPUT = 0;
// DepthwiseConv2DOptions field ids.
const OPT = { padding: 0, strideW: 1, strideH: 2, depthMultiplier: 3, activation: 4, dilationW: 5, dilationH: 6 };

interface DepthwiseData {
  g: ConvGeometry;
  depthMultiplier: number;
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
  /** Filter transposed to [outC][kH*kW] as doubles, so one channel's taps are contiguous. */
  filterT: Float64Array;
  /** Per channel sum of all taps times the input offset: the offset term of an interior pixel. */
  offsetTerm: Float64Array;
  /** Input offsets of one output pixel's taps (scratch). */
  taps: Int32Array;
  /**
   * One batch of the input surrounded by its zero point (padding), so every output pixel is an interior pixel:
   * a padded tap contributes w * zp + w * inputOffset = 0 once the offset term is added, exactly like TFLM
   * skipping it.
   */
  padded: Int8Array;
  paddedH: number;
  paddedW: number;
  /** With one input channel a depthwise conv is a plain conv; it then runs on the (faster) CONV_2D path. */
  asConv: ConvData | null;
  /** The WebAssembly SIMD path (int8, depth multiplier 1, WebAssembly available), else null. */
  wasm: DepthwiseWasm | null;
  /** The 16x8 path (int16 input), else null. */
  int16: DepthwiseInt16Data | null;
}

export const depthwiseConv2dKernel: Kernel<DepthwiseData> = {
  op: 'DEPTHWISE_CONV_2D',
  types: ['float32', 'int8', 'int16', 'int4'],
  prepare(ctx: PrepareContext): Prepared<DepthwiseData> {
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
    if (filter.shape[0] !== 1 || filter.shape[3] !== g.outC) ctx.fail(`filter shape [${filter.shape}] invalid`);
    if (g.inC === 0 || g.outC % g.inC !== 0)
      ctx.fail(`output depth ${g.outC} is not a multiple of input depth ${g.inC}`);
    const depthMultiplier = g.outC / g.inC;
    if (bias && (bias.elementCount !== g.outC || !bias.data))
      ctx.fail('bias must be constant with one value per output channel');
    const activation = o?.i8(OPT.activation) ?? 0;
    const isFloat = input.dtype === 'float32';
    ctx.builtinData(BUILTIN_DATA.depthwiseConv);
    // TFLM's depthwise kernel keeps an OpDataConv too.
    ctx.opData(OP_DATA.conv);
    const perChannel = allocatePerChannel(ctx, g.outC);
    const data: DepthwiseData = {
      g,
      depthMultiplier,
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
      filterT: ctx.hostOnly(new Float64Array(g.outC * g.kH * g.kW), 'transposed filter'),
      offsetTerm: ctx.hostOnly(new Float64Array(g.outC), 'input offset x tap sum + bias'),
      taps: ctx.hostOnly(new Int32Array(g.kH * g.kW), 'tap offsets'),
      padded: new Int8Array(0),
      paddedH: 0,
      paddedW: 0,
      asConv: null,
      wasm: null,
      int16: null,
    };
    if (input.dtype === 'int16') {
      ctx.expectType(filter, ['int8'], 'filter');
      ctx.expectType(output, ['int16'], 'output');
      if (bias) ctx.expectType(bias, ['int64'], 'bias');
      if (zeroPointOf(input) !== 0 || zeroPointOf(output) !== 0) ctx.fail('int16 input and output need zero point 0');
      const range = activationRangeQuantized(activation, output) ?? ctx.unsupported(`activation ${activation}`);
      perChannelMultipliers(ctx, input, filter, output, g.outC, perChannel);
      data.int16 = {
        g,
        depthMultiplier,
        filter: new Int8Array(filter.data.buffer, filter.data.byteOffset, filter.elementCount),
        bias: bias?.data ? int64Bias(ctx, bias) : null,
        multipliers: perChannel.multipliers,
        shifts: perChannel.shifts,
        actMin: range[0],
        actMax: range[1],
      };
    } else if (isFloat) {
      ctx.expectType(filter, ['float32'], 'filter');
      ctx.expectType(output, ['float32'], 'output');
      [data.actMin, data.actMax] = activationRangeFloat(activation) ?? ctx.unsupported(`activation ${activation}`);
      data.filterF32 = new Float32Array(filter.data.buffer, filter.data.byteOffset, filter.elementCount);
      if (bias?.data) data.biasF32 = new Float32Array(bias.data.buffer, bias.data.byteOffset, bias.elementCount);
    } else {
      ctx.expectType(input, ['int8'], 'input');
      ctx.expectType(filter, ['int8', 'int4'], 'filter');
      ctx.expectType(output, ['int8'], 'output');
      if (bias) ctx.expectType(bias, ['int32'], 'bias');
      [data.actMin, data.actMax] =
        activationRangeQuantized(activation, output) ?? ctx.unsupported(`activation ${activation}`);
      data.inputOffset = -zeroPointOf(input);
      data.outputOffset = zeroPointOf(output);
      perChannelMultipliers(ctx, input, filter, output, g.outC, perChannel);
      data.filterI8 = int8FilterValues(ctx, filter);
      if (bias?.data) data.biasI32 = new Int32Array(bias.data.buffer, bias.data.byteOffset, bias.elementCount);
      const taps = g.kH * g.kW;
      for (let c = 0; c < g.outC; c++) {
        let sum = 0;
        for (let t = 0; t < taps; t++) {
          const w = data.filterI8[t * g.outC + c];
          data.filterT[c * taps + t] = w;
          sum += w;
        }
        data.offsetTerm[c] = sum * data.inputOffset + (data.biasI32 ? data.biasI32[c] : 0);
      }
      data.paddedH = mathMax(g.inH + g.padH, (g.outH - 1) * g.strideH + (g.kH - 1) * g.dilationH + 1);
      data.paddedW = mathMax(g.inW + g.padW, (g.outW - 1) * g.strideW + (g.kW - 1) * g.dilationW + 1);
      if (data.paddedH * data.paddedW * g.inC > MAX_TENSOR_BYTES) ctx.fail('padded input too large');
      if (g.inC === 1) data.asConv = asConvData(ctx, data);
      else if (depthMultiplier === 1 && ctx.wasm) {
        data.wasm = DepthwiseWasm.create({
          g,
          filter: data.filterI8,
          acc0: data.offsetTerm,
          multipliers: data.multipliers,
          shifts: data.shifts,
          inputZeroPoint: -data.inputOffset,
          outputZeroPoint: data.outputOffset,
          actMin: data.actMin,
          actMax: data.actMax,
          paddedH: data.paddedH,
          paddedW: data.paddedW,
        });
        if (data.wasm) ctx.hostOnly(new Uint8Array(data.wasm.memory.buffer), 'WebAssembly instance memory');
      }
      if (data.asConv === null && data.wasm === null) {
        data.padded = ctx.hostOnly(
          new Int8Array(data.paddedH * data.paddedW * g.inC).fill(-data.inputOffset),
          'zero-point padded input',
        );
      }
    }
    return { data, macs: g.batches * g.outH * g.outW * g.outC * g.kH * g.kW };
  },
  eval(d: DepthwiseData, io: KernelIo): void {
    if (d.int16 !== null) evalDepthwiseInt16(d.int16, io.inputs[INPUT] as Int16Array, io.outputs[OUTPUT] as Int16Array);
    else if (d.isFloat) evalFloat(d, io.inputs[INPUT] as Float32Array, io.outputs[OUTPUT] as Float32Array);
    else if (d.asConv !== null) evalConvInt8(d.asConv, io.inputs[INPUT] as Int8Array, io.outputs[OUTPUT] as Int8Array);
    else if (d.wasm !== null) evalWasm(d, d.wasm, io.inputs[INPUT] as Int8Array, io.outputs[OUTPUT] as Int8Array);
    else evalInt8(d, io.inputs[INPUT] as Int8Array, io.outputs[OUTPUT] as Int8Array);
  },
};

/** The same computation as a CONV_2D: filter [1][kH][kW][outC] becomes [outC][kH][kW][1]. */
function asConvData(ctx: PrepareContext, d: DepthwiseData): ConvData {
  const conv: ConvData = {
    g: d.g,
    isFloat: false,
    inputOffset: d.inputOffset,
    outputOffset: d.outputOffset,
    multipliers: d.multipliers,
    shifts: d.shifts,
    actMin: d.actMin,
    actMax: d.actMax,
    filterI8: new Int8Array(0),
    filterF32: new Float32Array(0),
    biasI32: d.biasI32,
    biasF32: null,
    filterF64: new Float64Array(0),
    patchA: ctx.hostOnly(new Float64Array(d.g.kH * d.g.kW), 'receptive field patch'),
    patchB: ctx.hostOnly(new Float64Array(d.g.kH * d.g.kW), 'receptive field patch'),
    packed: null,
    wasm: null,
    int16: null,
  };
  // filterT is already [outC][kH*kW].
  setInt8Filter(ctx, conv, ctx.hostOnly(Int8Array.from(d.filterT), 'transposed int8 filter'));
  return conv;
}

function evalWasm(d: DepthwiseData, wasm: DepthwiseWasm, input: Int8Array, output: Int8Array): void {
  const { batches, inH, inW, inC, outH, outW, outC } = d.g;
  for (let b = 0; b < batches; b++) wasm.run(input, b * inH * inW * inC, output, b * outH * outW * outC);
}

function requantize(d: DepthwiseData, acc: number, oc: number): number {
  const v = multiplyByQuantizedMultiplier(acc | 0, d.multipliers[oc], d.shifts[oc]) + d.outputOffset;
  return v < d.actMin ? d.actMin : v > d.actMax ? d.actMax : v;
}

/**
 * int8 depthwise convolution, channel-outer per output pixel so each accumulator stays in a register. The
 * input is first copied into a buffer padded with its zero point, so every pixel takes the interior path:
 * the precomputed offset term (sum of taps x input offset + bias) plus raw products, fully unrolled for 3x3.
 */
function evalInt8(d: DepthwiseData, input: Int8Array, output: Int8Array): void {
  const { batches, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilationH, dilationW, padH, padW } = d.g;
  const { filterT: f, offsetTerm, taps, padded, paddedW } = d;
  const m = d.depthMultiplier;
  const nTaps = kH * kW;
  const unrolled3x3 = kH === 3 && kW === 3;
  const rowBytes = inW * inC;
  let outIdx = 0;
  for (let b = 0; b < batches; b++) {
    const inBatch = b * inH * inW * inC;
    for (let y = 0; y < inH; y++) {
      const src = inBatch + y * rowBytes;
      const dst = ((y + padH) * paddedW + padW) * inC;
      for (let i = 0; i < rowBytes; i++) padded[dst + i] = input[src + i];
    }
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * strideW;
        for (let fy = 0, t = 0; fy < kH; fy++) {
          for (let fx = 0; fx < kW; fx++, t++) taps[t] = ((y0 + dilationH * fy) * paddedW + x0 + dilationW * fx) * inC;
        }
        if (unrolled3x3) {
          const t0 = taps[0], t1 = taps[1], t2 = taps[2], t3 = taps[3], t4 = taps[4]; // prettier-ignore
          const t5 = taps[5], t6 = taps[6], t7 = taps[7], t8 = taps[8]; // prettier-ignore
          for (let ic = 0, c = 0; ic < inC; ic++) {
            const x0v = padded[t0 + ic], x1v = padded[t1 + ic], x2v = padded[t2 + ic]; // prettier-ignore
            const x3v = padded[t3 + ic], x4v = padded[t4 + ic], x5v = padded[t5 + ic]; // prettier-ignore
            const x6v = padded[t6 + ic], x7v = padded[t7 + ic], x8v = padded[t8 + ic]; // prettier-ignore
            for (let j = 0; j < m; j++, c++) {
              const k = c * 9;
              const acc =
                offsetTerm[c] +
                f[k] * x0v +
                f[k + 1] * x1v +
                f[k + 2] * x2v +
                f[k + 3] * x3v +
                f[k + 4] * x4v +
                f[k + 5] * x5v +
                f[k + 6] * x6v +
                f[k + 7] * x7v +
                f[k + 8] * x8v;
              output[outIdx + c] = requantize(d, acc, c);
            }
          }
        } else {
          for (let ic = 0, c = 0; ic < inC; ic++) {
            for (let j = 0; j < m; j++, c++) {
              let acc = offsetTerm[c];
              for (let t = 0; t < nTaps; t++) acc += f[c * nTaps + t] * padded[taps[t] + ic];
              output[outIdx + c] = requantize(d, acc, c);
            }
          }
        }
        outIdx += outC;
      }
    }
  }
}

function evalFloat(d: DepthwiseData, input: Float32Array, output: Float32Array): void {
  const { batches, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilationH, dilationW, padH, padW } = d.g;
  const { filterF32: filter, biasF32: bias, actMin, actMax } = d;
  const m = d.depthMultiplier;
  const fround = mathFround;
  let outIdx = 0;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let oc = 0; oc < outC; oc++) {
          const ic = mathFloor(oc / m);
          let total = 0;
          for (let fy = 0; fy < kH; fy++) {
            const iy = oy * strideH - padH + dilationH * fy;
            if (iy < 0 || iy >= inH) continue;
            for (let fx = 0; fx < kW; fx++) {
              const ix = ox * strideW - padW + dilationW * fx;
              if (ix < 0 || ix >= inW) continue;
              total = fround(
                total + fround(input[((b * inH + iy) * inW + ix) * inC + ic] * filter[(fy * kW + fx) * outC + oc]),
              );
            }
          }
          const v = fround(total + (bias !== null ? bias[oc] : 0));
          output[outIdx++] = mathMin(mathMax(v, actMin), actMax);
        }
      }
    }
  }
}
