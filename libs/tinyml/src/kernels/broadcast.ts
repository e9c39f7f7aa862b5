/** NumPy-style broadcasting of two inputs onto an output shape (TFLM NdArrayDesc), planned at prepare time. */
import type { TensorInfo } from '../model/model.types';
import type { PrepareContext } from './kernel.types';

export interface BroadcastPlan {
  /** True when both inputs have exactly the output's element count (index i maps to i, i, i). */
  same: boolean;
  size: number;
  /** For broadcasting: input element index of each output element, computed once at prepare time. */
  index1: Int32Array;
  index2: Int32Array;
}

export function planBroadcast(ctx: PrepareContext, a: TensorInfo, b: TensorInfo, out: TensorInfo): BroadcastPlan {
  const rank = Math.max(a.shape.length, b.shape.length);
  const shapeA = [...new Array<number>(rank - a.shape.length).fill(1), ...a.shape];
  const shapeB = [...new Array<number>(rank - b.shape.length).fill(1), ...b.shape];
  const outShape: number[] = [];
  for (let i = 0; i < rank; i++) {
    if (shapeA[i] !== shapeB[i] && shapeA[i] !== 1 && shapeB[i] !== 1)
      ctx.fail(`shapes [${a.shape}] and [${b.shape}] do not broadcast`);
    outShape.push(shapeA[i] === 1 ? shapeB[i] : shapeA[i]);
  }
  const size = outShape.reduce((p, d) => p * d, 1);
  if (size !== out.elementCount) ctx.fail(`output has ${out.elementCount} elements, broadcast gives ${size}`);
  const same = a.elementCount === size && b.elementCount === size;
  if (same) return { same, size, index1: new Int32Array(0), index2: new Int32Array(0) };
  const strides = (shape: number[]): number[] => {
    const st = new Array<number>(rank).fill(0);
    let acc = 1;
    for (let i = rank - 1; i >= 0; i--) {
      st[i] = shape[i] === 1 ? 0 : acc;
      acc *= shape[i];
    }
    return st;
  };
  const s1 = strides(shapeA);
  const s2 = strides(shapeB);
  // Host-only: TFLM walks the broadcast indices during eval instead of storing them.
  const index1 = ctx.hostOnly(new Int32Array(size), 'broadcast index of input 1');
  const index2 = ctx.hostOnly(new Int32Array(size), 'broadcast index of input 2');
  const counter = new Array<number>(rank).fill(0);
  let i1 = 0;
  let i2 = 0;
  for (let o = 0; o < size; o++) {
    index1[o] = i1;
    index2[o] = i2;
    // Increment the multi-index from the innermost dimension.
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      i1 += s1[d];
      i2 += s2[d];
      if (counter[d] < outShape[d]) break;
      i1 -= s1[d] * counter[d];
      i2 -= s2[d] * counter[d];
      counter[d] = 0;
    }
  }
  return { same, size, index1, index2 };
}
