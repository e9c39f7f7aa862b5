/**
 * Host side of dw-int8.wat: int8 DEPTHWISE_CONV_2D with depth multiplier 1, one WebAssembly instance per op
 * holding the filter ([taps][channels padded to 8]), folded per-channel constants, a raw-input region, the
 * zero-point padded input and the output region. create() returns null where WebAssembly SIMD is missing.
 */
import type { ConvGeometry } from '../kernels/conv-common';
import { DW_INT8_WASM_HEX } from './dw-int8.wasm';
import { align16, compileWasm, instantiate } from './wasm-module';

type PadExport = (src: number, dst: number, rows: number, rowBytes: number, dstStride: number) => void;
type DwExport = (...args: number[]) => void;

export interface DepthwiseWasmParams {
  g: ConvGeometry;
  /** TFLM layout [1][kH][kW][channels]. */
  filter: Int8Array;
  /** bias + input offset x sum of the channel's taps. */
  acc0: ArrayLike<number>;
  multipliers: Int32Array;
  shifts: Int32Array;
  inputZeroPoint: number;
  outputZeroPoint: number;
  actMin: number;
  actMax: number;
  paddedH: number;
  paddedW: number;
}

export class DepthwiseWasm {
  readonly memory: WebAssembly.Memory;
  private readonly raw: Int8Array;
  private readonly out: Int8Array;
  private readonly cPad: number;

  private constructor(
    private readonly p: DepthwiseWasmParams,
    memory: WebAssembly.Memory,
    private readonly pad: PadExport,
    private readonly dw: DwExport,
    private readonly at: {
      w: number;
      acc0: number;
      mul: number;
      shift: number;
      raw: number;
      padded: number;
      out: number;
    },
    cPad: number,
  ) {
    this.memory = memory;
    this.cPad = cPad;
    const g = p.g;
    this.raw = new Int8Array(memory.buffer, at.raw, g.inH * g.inW * g.inC);
    this.out = new Int8Array(memory.buffer, at.out, g.outH * g.outW * cPad);
  }

  static create(p: DepthwiseWasmParams): DepthwiseWasm | null {
    const module = compileWasm(DW_INT8_WASM_HEX);
    if (module === null) return null;
    const g = p.g;
    const c = g.outC;
    const cPad = Math.ceil(c / 8) * 8;
    const taps = g.kH * g.kW;
    const w = 0;
    const acc0 = align16(taps * cPad);
    const mul = acc0 + 4 * cPad;
    const shift = mul + 4 * cPad;
    const raw = shift + 4 * cPad;
    const padded = align16(raw + g.inH * g.inW * g.inC);
    const paddedBytes = p.paddedH * p.paddedW * g.inC;
    // Eight channels are read at a time: up to 7 bytes past the last pixel's channels.
    const out = align16(padded + paddedBytes + 16);
    const end = out + g.outH * g.outW * cPad;
    const { memory, exports } = instantiate(module, end);
    const buffer = memory.buffer;
    const wv = new Int8Array(buffer, w, taps * cPad);
    for (let t = 0; t < taps; t++) wv.set(p.filter.subarray(t * c, (t + 1) * c), t * cPad);
    const accv = new Int32Array(buffer, acc0, cPad);
    for (let ch = 0; ch < c; ch++) accv[ch] = p.acc0[ch] | 0;
    new Int32Array(buffer, mul, cPad).set(p.multipliers.subarray(0, c));
    new Int32Array(buffer, shift, cPad).set(p.shifts.subarray(0, c));
    new Int8Array(buffer, padded, paddedBytes).fill(p.inputZeroPoint);
    return new DepthwiseWasm(
      p,
      memory,
      exports.pad as PadExport,
      exports.dw as DwExport,
      { w, acc0, mul, shift, raw, padded, out },
      cPad,
    );
  }

  /** One batch: input[inBase ..) -> output[outBase ..). Allocation-free. */
  run(input: Int8Array, inBase: number, output: Int8Array, outBase: number): void {
    const { g, paddedW } = this.p;
    const at = this.at;
    const raw = this.raw;
    if (inBase === 0 && input.length === raw.length) raw.set(input);
    else for (let i = 0; i < raw.length; i++) raw[i] = input[inBase + i];
    const rowStride = paddedW * g.inC;
    this.pad(at.raw, at.padded + g.padH * rowStride + g.padW * g.inC, g.inH, g.inW * g.inC, rowStride);
    const p = this.p;
    this.dw(
      at.padded,
      rowStride,
      g.inC,
      g.outH,
      g.outW,
      g.strideH,
      g.strideW,
      g.dilationH,
      g.dilationW,
      g.kH,
      g.kW,
      this.cPad,
      at.w,
      at.acc0,
      at.mul,
      at.shift,
      at.out,
      p.outputZeroPoint,
      p.actMin,
      p.actMax,
    );
    const out = this.out;
    const c = g.outC;
    if (this.cPad === c && outBase === 0 && output.length === out.length) {
      output.set(out);
      return;
    }
    const pixels = g.outH * g.outW;
    for (let px = 0; px < pixels; px++)
      for (let ch = 0; ch < c; ch++) output[outBase + px * c + ch] = out[px * this.cPad + ch];
  }
}
