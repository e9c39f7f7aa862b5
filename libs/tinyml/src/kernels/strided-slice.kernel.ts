/**
 * STRIDED_SLICE with constant begin/end/strides and begin/end/shrink masks (TFLM strided_slice_logic), for the
 * types of strided_slice.cc's Eval switch: float32, int8, int16, int32 and bool (element copies).
 */
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

const INPUT = 0;
const BEGIN = 1;
const END = 2;
const STRIDES = 3;
const OUTPUT = 0;
const OPT = { beginMask: 0, endMask: 1, ellipsisMask: 2, newAxisMask: 3, shrinkAxisMask: 4, offset: 5 };

interface StridedSliceData {
  /** Input flat index of each output element, computed once (the slice is static). */
  gather: Int32Array;
}

export const stridedSliceKernel: Kernel<StridedSliceData> = {
  op: 'STRIDED_SLICE',
  types: ['float32', 'int8', 'int16', 'int32', 'bool'],
  prepare(ctx: PrepareContext): Prepared<StridedSliceData> {
    const input = ctx.input(INPUT);
    const output = ctx.output(OUTPUT);
    if (input.dtype !== output.dtype) ctx.unsupported('mixed types');
    ctx.builtinData(BUILTIN_DATA.stridedSlice);
    ctx.opData(OP_DATA.stridedSlice);
    const begin = ctx.constantInt32(ctx.input(BEGIN), 'begin');
    const end = ctx.constantInt32(ctx.input(END), 'end');
    const strides = ctx.constantInt32(ctx.input(STRIDES), 'strides');
    const rank = input.shape.length;
    if (begin.length !== rank || end.length !== rank || strides.length !== rank)
      ctx.fail('begin/end/strides must have one entry per dimension');
    const o = ctx.options;
    if ((o?.i32(OPT.ellipsisMask) ?? 0) !== 0 || (o?.i32(OPT.newAxisMask) ?? 0) !== 0)
      ctx.unsupported('ellipsis or new-axis masks');
    const beginMask = o?.i32(OPT.beginMask) ?? 0;
    const endMask = o?.i32(OPT.endMask) ?? 0;
    const shrinkMask = o?.i32(OPT.shrinkAxisMask) ?? 0;
    const offset = o?.bool(OPT.offset) ?? false;
    const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
    const ranges: number[][] = [];
    for (let axis = 0; axis < rank; axis++) {
      const size = input.shape[axis];
      const stride = strides[axis];
      if (stride === 0) ctx.fail('stride 0');
      let start = begin[axis];
      if (beginMask & (1 << axis)) start = stride > 0 ? 0 : size - 1;
      else {
        if (start < 0) start += size;
        start = stride > 0 ? clamp(start, 0, size) : clamp(start, -1, size - 1);
      }
      let stop: number;
      if (shrinkMask & (1 << axis)) stop = start + 1;
      else if (endMask & (1 << axis)) stop = stride > 0 ? size : -1;
      else {
        stop = offset ? begin[axis] + end[axis] : end[axis];
        if (stop < 0) stop += size;
        stop = stride > 0 ? clamp(stop, 0, size) : clamp(stop, -1, size - 1);
      }
      const idx: number[] = [];
      for (let i = start; stride > 0 ? i < stop : i > stop; i += stride) {
        idx.push(i);
        if (idx.length > size) break;
      }
      ranges.push(idx);
    }
    const count = ranges.reduce((p, r) => p * r.length, 1);
    if (count !== output.elementCount) ctx.fail(`slice has ${count} elements, output ${output.elementCount}`);
    const inStrides = new Array<number>(rank).fill(1);
    for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1] * input.shape[i + 1];
    // Host-only: TFLM computes source indices while copying.
    const gather = ctx.hostOnly(new Int32Array(count), 'gather indices');
    let n = 0;
    const walk = (axis: number, base: number): void => {
      if (axis === rank) {
        gather[n++] = base;
        return;
      }
      for (const i of ranges[axis]) walk(axis + 1, base + i * inStrides[axis]);
    };
    if (count > 0) walk(0, 0);
    return { data: { gather } };
  },
  eval(d: StridedSliceData, io: KernelIo): void {
    const input = io.inputs[INPUT] as TensorData;
    const output = io.outputs[OUTPUT];
    const g = d.gather;
    for (let i = 0; i < g.length; i++) output[i] = input[g[i]];
  },
};
