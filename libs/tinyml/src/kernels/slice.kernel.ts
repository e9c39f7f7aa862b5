/**
 * SLICE (slice.cc, reference_ops::Slice): output = input[begin[d] : begin[d] + size[d]] in each of up to 5
 * dimensions, size -1 meaning "to the end". float32, int8, int16, int32 and bool; begin and size int32 or int64.
 * begin/size may be runtime tensors: like TFLM's GetValidatedBeginAndSizeVectors, eval() checks each against the
 * input and the slice against the output's element count and raises InvokeError if they do not fit. Constant
 * begin/size are checked once at allocate(). No Init, no OpData, no builtin options (ParseSlice is a no-op).
 */
import type { OperatorInfo, TensorInfo } from '../model/model.types';
import { indexAt } from './copy-common';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';
import { invokeFailure } from './kernel.types';

const INPUT = 0;
const BEGIN = 1;
const SIZE = 2;
const OUTPUT = 0;
const MAX_DIMS = 5;

interface SliceData {
  node: OperatorInfo;
  rank: number;
  inShape: number[];
  /** Input strides of the 5-D view (leading dimensions of size 1). */
  strides: Int32Array;
  outputCount: number;
  indexIs64: boolean;
  /** Resolved begins and stops of the 5-D view, filled by eval() (allocation-free). */
  begins: Int32Array;
  stops: Int32Array;
}

/** Resolves begin/size into d.begins/d.stops; returns the reason they are invalid, or null. */
function resolveSlice(d: SliceData, begin: ArrayLike<number>, size: ArrayLike<number>): string | null {
  const offset = MAX_DIMS - d.rank;
  let elements = 1;
  for (let k = 0; k < d.rank; k++) {
    const b = indexAt(begin, d.indexIs64, k);
    const s = indexAt(size, d.indexIs64, k);
    const dim = d.inShape[k];
    if (b < 0 || b > dim) return `begin ${b} outside [0, ${dim}] in dimension ${k}`;
    const resolved = s === -1 ? dim - b : s;
    if (resolved < 0 || resolved > dim - b) return `size ${s} does not fit dimension ${k} from ${b}`;
    elements *= resolved;
    d.begins[offset + k] = b;
    d.stops[offset + k] = b + resolved;
  }
  return elements === d.outputCount ? null : `slice has ${elements} elements, output ${d.outputCount}`;
}

/** A constant index tensor's bytes as indexAt reads them (int64: the bytes; int32: an aligned copy). */
function constantIndices(bytes: Uint8Array, is64: boolean): ArrayLike<number> {
  return is64 ? bytes : new Int32Array(bytes.slice().buffer);
}

function checkIndexTensor(ctx: PrepareContext, t: TensorInfo, rank: number, what: string): void {
  ctx.expectType(t, ['int32', 'int64'], what);
  if (t.shape.length !== 1 || t.elementCount !== rank) ctx.fail(`${what} must be a vector of ${rank} values`);
}

export const sliceKernel: Kernel<SliceData> = {
  op: 'SLICE',
  types: ['float32', 'int8', 'int16', 'int32', 'bool'],
  prepare(ctx: PrepareContext): Prepared<SliceData> {
    const input = ctx.input(INPUT);
    const begin = ctx.input(BEGIN);
    const size = ctx.input(SIZE);
    const output = ctx.output(OUTPUT);
    if (input.dtype !== output.dtype) ctx.fail(`output ${output.dtype} differs from input ${input.dtype}`);
    const rank = input.shape.length;
    if (rank > MAX_DIMS) ctx.unsupported(`${rank} dimensions (at most ${MAX_DIMS})`);
    checkIndexTensor(ctx, begin, rank, 'begin');
    checkIndexTensor(ctx, size, rank, 'size');
    if (begin.dtype !== size.dtype) ctx.fail(`begin ${begin.dtype} and size ${size.dtype} differ`);
    const shape5 = [...Array<number>(MAX_DIMS - rank).fill(1), ...input.shape];
    const strides = new Int32Array(MAX_DIMS);
    strides[MAX_DIMS - 1] = 1;
    for (let k = MAX_DIMS - 2; k >= 0; k--) strides[k] = strides[k + 1] * shape5[k + 1];
    const begins = new Int32Array(MAX_DIMS);
    const stops = new Int32Array(MAX_DIMS).fill(1);
    const data: SliceData = {
      node: ctx.node,
      rank,
      inShape: [...input.shape],
      strides,
      outputCount: output.elementCount,
      indexIs64: begin.dtype === 'int64',
      begins,
      stops,
    };
    if (begin.data && size.data) {
      const reason = resolveSlice(
        data,
        constantIndices(begin.data, data.indexIs64),
        constantIndices(size.data, data.indexIs64),
      );
      if (reason !== null) ctx.fail(reason);
      // The output shape must be the slice, not only its element count.
      for (let k = 0; k < rank; k++) {
        const extent = stops[MAX_DIMS - rank + k] - begins[MAX_DIMS - rank + k];
        if (output.shape[k] !== extent) ctx.fail(`output dimension ${k} is ${output.shape[k]}, slice ${extent}`);
      }
    }
    return { data };
  },
  eval(d: SliceData, io: KernelIo): void {
    const input = io.inputs[INPUT] as TensorData;
    const output = io.outputs[OUTPUT];
    const reason = resolveSlice(d, io.inputs[BEGIN] as TensorData, io.inputs[SIZE] as TensorData);
    if (reason !== null) invokeFailure(d.node, reason);
    const { begins: b, stops: e, strides: s } = d;
    let o = 0;
    for (let i0 = b[0]; i0 < e[0]; i0++)
      for (let i1 = b[1]; i1 < e[1]; i1++)
        for (let i2 = b[2]; i2 < e[2]; i2++)
          for (let i3 = b[3]; i3 < e[3]; i3++) {
            const base = i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3];
            for (let i4 = b[4]; i4 < e[4]; i4++) output[o++] = input[base + i4];
          }
  },
};
