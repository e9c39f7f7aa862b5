/**
 * Host side of fc-int8.wat: one WebAssembly instance per FULLY_CONNECTED op, its weights (padded), folded
 * accumulator constants and per-row requantization in the instance's own memory. Falls back (create() returns
 * null) where WebAssembly or its SIMD extension is missing, and the kernel then runs its TypeScript path.
 */
import { FC_INT8_WASM_HEX } from './fc-int8.wasm';

type FcExport = (
  n: number,
  rows: number,
  w: number,
  x: number,
  acc0: number,
  mul: number,
  shift: number,
  out: number,
  zp: number,
  lo: number,
  hi: number,
) => void;

const PAGE_BYTES = 65536;
let compiled: WebAssembly.Module | null | undefined;

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(2 * i, 2), 16);
  return bytes;
}

/** The compiled module, or null where WebAssembly SIMD is unavailable (checked once). */
export function fcInt8Module(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  const wasm = (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly;
  const bytes = hexBytes(FC_INT8_WASM_HEX);
  compiled = wasm !== undefined && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  return compiled;
}

export interface FcInt8Params {
  /** [rows][n] int8 weights. */
  weights: Int8Array;
  rows: number;
  n: number;
  /** bias + input offset x row sum, per row (exact integers; taken modulo 2^32 like the C++ int32). */
  acc0: ArrayLike<number>;
  multipliers: Int32Array;
  shifts: Int32Array;
  outputZeroPoint: number;
  actMin: number;
  actMax: number;
}

export class WasmFullyConnected {
  /** Bytes of the instance memory (host-only). */
  readonly memory: WebAssembly.Memory;
  private readonly x: Int8Array;
  private readonly out: Int8Array;

  private constructor(
    private readonly p: FcInt8Params,
    private readonly fc: FcExport,
    memory: WebAssembly.Memory,
    private readonly layout: {
      nPad: number;
      rowsPad: number;
      x: number;
      acc0: number;
      mul: number;
      shift: number;
      out: number;
    },
  ) {
    this.memory = memory;
    this.x = new Int8Array(memory.buffer, layout.x, layout.nPad);
    this.out = new Int8Array(memory.buffer, layout.out, p.rows);
  }

  static create(p: FcInt8Params): WasmFullyConnected | null {
    const module = fcInt8Module();
    if (module === null) return null;
    const nPad = Math.ceil(p.n / 16) * 16;
    const rowsPad = Math.ceil(p.rows / 4) * 4;
    const x = rowsPad * nPad;
    const acc0 = x + nPad;
    const mul = acc0 + 4 * rowsPad;
    const shift = mul + 4 * rowsPad;
    const out = shift + 4 * rowsPad;
    const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil((out + rowsPad) / PAGE_BYTES)) });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    const buffer = memory.buffer;
    const w = new Int8Array(buffer, 0, rowsPad * nPad);
    for (let r = 0; r < p.rows; r++) w.set(p.weights.subarray(r * p.n, (r + 1) * p.n), r * nPad);
    const acc = new Int32Array(buffer, acc0, rowsPad);
    for (let r = 0; r < p.rows; r++) acc[r] = p.acc0[r] | 0;
    new Int32Array(buffer, mul, rowsPad).set(p.multipliers.subarray(0, p.rows));
    new Int32Array(buffer, shift, rowsPad).set(p.shifts.subarray(0, p.rows));
    return new WasmFullyConnected(p, instance.exports.fc as FcExport, memory, {
      nPad,
      rowsPad,
      x,
      acc0,
      mul,
      shift,
      out,
    });
  }

  /** One batch row: input[inBase .. inBase + n) -> output[outBase .. outBase + rows). Allocation-free. */
  run(input: Int8Array, inBase: number, output: Int8Array, outBase: number): void {
    const { n, rows } = this.p;
    const x = this.x;
    if (inBase === 0 && input.length === n) x.set(input);
    else for (let i = 0; i < n; i++) x[i] = input[inBase + i];
    const l = this.layout;
    this.fc(
      l.nPad,
      l.rowsPad,
      0,
      l.x,
      l.acc0,
      l.mul,
      l.shift,
      l.out,
      this.p.outputZeroPoint,
      this.p.actMin,
      this.p.actMax,
    );
    const out = this.out;
    if (outBase === 0 && output.length === rows) output.set(out);
    else for (let r = 0; r < rows; r++) output[outBase + r] = out[r];
  }
}
