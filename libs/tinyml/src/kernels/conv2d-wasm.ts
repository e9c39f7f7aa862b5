/**
 * int8 CONV_2D on the WebAssembly rows kernel (wasm/fc-int8.wat): every output pixel is one vector of its
 * receptive field (raw int8 inputs, padded taps holding the input zero point) against the [outC][kH*kW*inC]
 * filter; bias and input offset x filter sum are folded per channel. 1x1 filters without padding read the
 * input in place (one copy per eval); others gather one output row of patches at a time.
 */
import { WasmInt8Rows } from '../wasm/fc-int8';
import type { ConvGeometry } from './conv-common';
import type { PrepareContext } from './kernel.types';

export interface ConvWasm {
  rows: WasmInt8Rows;
  /** 1x1 filter, no padding: vectors are input pixels, read where they are. */
  direct: boolean;
  inputZeroPoint: number;
  pixels: number;
}

export interface ConvWasmParams {
  g: ConvGeometry;
  filter: Int8Array;
  bias: Int32Array | null;
  inputOffset: number;
  outputOffset: number;
  multipliers: Int32Array;
  shifts: Int32Array;
  actMin: number;
  actMax: number;
}

export function prepareConvWasm(ctx: PrepareContext, p: ConvWasmParams): ConvWasm | null {
  if (!ctx.wasm) return null;
  const g = p.g;
  const n = g.kH * g.kW * g.inC;
  const acc0 = new Float64Array(g.outC);
  for (let oc = 0; oc < g.outC; oc++) {
    let sum = 0;
    for (let k = 0; k < n; k++) sum += p.filter[oc * n + k];
    acc0[oc] = (p.bias ? p.bias[oc] : 0) + p.inputOffset * sum;
  }
  const direct = g.kH === 1 && g.kW === 1 && g.padH === 0 && g.padW === 0;
  const pixels = g.batches * g.outH * g.outW;
  const rows = WasmInt8Rows.create({
    weights: p.filter,
    rows: g.outC,
    n,
    acc0,
    multipliers: p.multipliers,
    shifts: p.shifts,
    outputZeroPoint: p.outputOffset,
    actMin: p.actMin,
    actMax: p.actMax,
    inputBytes: direct ? g.batches * g.inH * g.inW * g.inC : g.outW * Math.ceil(n / 16) * 16,
    maxVectors: pixels,
  });
  if (rows === null) return null;
  ctx.hostOnly(new Uint8Array(rows.memory.buffer), 'WebAssembly instance memory');
  return { rows, direct, inputZeroPoint: -p.inputOffset, pixels };
}

export function evalConvWasm(c: ConvWasm, g: ConvGeometry, input: Int8Array, output: Int8Array): void {
  const rows = c.rows;
  if (c.direct) {
    rows.input.set(input);
    for (let b = 0; b < g.batches; b++) {
      for (let oy = 0; oy < g.outH; oy++) {
        const start = (b * g.inH + oy * g.strideH) * g.inW * g.inC;
        rows.run(start, g.strideW * g.inC, g.outW, (b * g.outH + oy) * g.outW);
      }
    }
  } else {
    const nPad = rows.nPad;
    for (let b = 0; b < g.batches; b++) {
      for (let oy = 0; oy < g.outH; oy++) {
        for (let ox = 0; ox < g.outW; ox++) gatherRaw(c, g, input, b, oy, ox, ox * nPad);
        rows.run(0, nPad, g.outW, (b * g.outH + oy) * g.outW);
      }
    }
  }
  rows.copyOut(output, c.pixels);
}

/** Output pixel (oy, ox)'s receptive field as raw int8 values into the input region; padding = zero point. */
function gatherRaw(
  c: ConvWasm,
  g: ConvGeometry,
  input: Int8Array,
  b: number,
  oy: number,
  ox: number,
  at: number,
): void {
  const { inH, inW, inC, kH, kW, strideH, strideW, dilationH, dilationW, padH, padW } = g;
  const dst = c.rows.input;
  const zp = c.inputZeroPoint;
  const inBatch = b * inH * inW * inC;
  const inY0 = oy * strideH - padH;
  const inX0 = ox * strideW - padW;
  let q = at;
  for (let fy = 0; fy < kH; fy++) {
    const iy = inY0 + dilationH * fy;
    const rowInside = iy >= 0 && iy < inH;
    for (let fx = 0; fx < kW; fx++) {
      const ix = inX0 + dilationW * fx;
      if (rowInside && ix >= 0 && ix < inW) {
        let src = inBatch + (iy * inW + ix) * inC;
        for (let ch = 0; ch < inC; ch++) dst[q++] = input[src++];
      } else {
        for (let ch = 0; ch < inC; ch++) dst[q++] = zp;
      }
    }
  }
}
