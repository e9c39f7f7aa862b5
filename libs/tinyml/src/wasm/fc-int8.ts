/**
 * Host side of fc-int8.wat: one WebAssembly instance per op, holding its weights (padded), folded accumulator
 * constants and per-row requantization, an input region and an output region. Used by FULLY_CONNECTED (one
 * vector per batch row) and CONV_2D (one vector per output pixel). create() returns null where WebAssembly or
 * its SIMD extension is missing; the kernels then run their TypeScript paths.
 */
import { FC_INT8_WASM_HEX } from './fc-int8.wasm';
import { align16, compileWasm, instantiate } from './wasm-module';

type FcExport = (
  n: number,
  rows: number,
  w: number,
  x: number,
  xStride: number,
  pixels: number,
  acc0: number,
  mul: number,
  shift: number,
  out: number,
  zp: number,
  lo: number,
  hi: number,
) => void;

/** Vectors are read in 16-byte chunks: the input region ends with this much slack. */
const READ_SLACK_BYTES = 16;

/** The compiled module, or null where WebAssembly SIMD is unavailable. */
export function fcInt8Module(): WebAssembly.Module | null {
  return compileWasm(FC_INT8_WASM_HEX);
}

export interface Int8RowsParams {
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
  /** Bytes of the input region (vectors are written there). */
  inputBytes: number;
  /** Most vectors computed by one run() (size of the output region, in vectors). */
  maxVectors: number;
}

export class WasmInt8Rows {
  readonly memory: WebAssembly.Memory;
  /** The input region: write vectors here, then run(). */
  readonly input: Int8Array;
  /** The output region: vector p's results are output[p * rowsPad .. p * rowsPad + rows). */
  readonly output: Int8Array;
  readonly rowsPad: number;
  readonly nPad: number;

  private constructor(
    private readonly p: Int8RowsParams,
    private readonly fc: FcExport,
    memory: WebAssembly.Memory,
    private readonly at: { x: number; acc0: number; mul: number; shift: number; out: number },
    nPad: number,
    rowsPad: number,
  ) {
    this.memory = memory;
    this.nPad = nPad;
    this.rowsPad = rowsPad;
    this.input = new Int8Array(memory.buffer, at.x, p.inputBytes);
    this.output = new Int8Array(memory.buffer, at.out, p.maxVectors * rowsPad);
  }

  static create(p: Int8RowsParams): WasmInt8Rows | null {
    const module = fcInt8Module();
    if (module === null) return null;
    const nPad = Math.ceil(p.n / 16) * 16;
    const rowsPad = Math.ceil(p.rows / 4) * 4;
    const x = rowsPad * nPad;
    const acc0 = align16(x + p.inputBytes + READ_SLACK_BYTES);
    const mul = acc0 + 4 * rowsPad;
    const shift = mul + 4 * rowsPad;
    const out = shift + 4 * rowsPad;
    const end = out + p.maxVectors * rowsPad;
    const { memory, exports } = instantiate(module, end);
    const buffer = memory.buffer;
    const w = new Int8Array(buffer, 0, rowsPad * nPad);
    for (let r = 0; r < p.rows; r++) w.set(p.weights.subarray(r * p.n, (r + 1) * p.n), r * nPad);
    const acc = new Int32Array(buffer, acc0, rowsPad);
    for (let r = 0; r < p.rows; r++) acc[r] = p.acc0[r] | 0;
    new Int32Array(buffer, mul, rowsPad).set(p.multipliers.subarray(0, p.rows));
    new Int32Array(buffer, shift, rowsPad).set(p.shifts.subarray(0, p.rows));
    const fc = exports.fc as FcExport;
    return new WasmInt8Rows(p, fc, memory, { x, acc0, mul, shift, out }, nPad, rowsPad);
  }

  /**
   * Computes `vectors` vectors read from input[inputOffset + v * stride] into output slots firstSlot... .
   * Allocation-free.
   */
  run(inputOffset: number, stride: number, vectors: number, firstSlot: number): void {
    const at = this.at;
    const p = this.p;
    this.fc(
      this.nPad,
      this.rowsPad,
      0,
      at.x + inputOffset,
      stride,
      vectors,
      at.acc0,
      at.mul,
      at.shift,
      at.out + firstSlot * this.rowsPad,
      p.outputZeroPoint,
      p.actMin,
      p.actMax,
    );
  }

  /** Copies `vectors` output slots to `dest` (rows values each, packed). */
  copyOut(dest: Int8Array, vectors: number): void {
    const rows = this.p.rows;
    const rowsPad = this.rowsPad;
    const out = this.output;
    if (rows === rowsPad && dest.length === vectors * rows && out.length === dest.length) {
      dest.set(out);
      return;
    }
    for (let v = 0; v < vectors; v++) for (let r = 0; r < rows; r++) dest[v * rows + r] = out[v * rowsPad + r];
  }
}
