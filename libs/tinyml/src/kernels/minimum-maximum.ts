/**
 * Shared MINIMUM / MAXIMUM implementation (TFLM maximum_minimum.cc: MaximumMinimumBroadcastSlow with
 * `el1 > el2 ? el1 : el2` / `el1 < el2 ? el1 : el2`, no requantization) for the types of its Eval switch:
 * float32, int8, int16, int32 and int64 (raw byte views, compared word by word).
 */
import { BroadcastPlan, planBroadcast } from './broadcast';
import { compareInt64, copyInt64 } from './int64-common';
import type { KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

export const MIN_MAX_TYPES = ['float32', 'int8', 'int16', 'int32', 'int64'];

export interface MinMaxData {
  plan: BroadcastPlan;
  int64: boolean;
}

export function prepareMinMax(ctx: PrepareContext): Prepared<MinMaxData> {
  const a = ctx.input(0);
  const b = ctx.input(1);
  const out = ctx.output(0);
  ctx.expectType(a, MIN_MAX_TYPES, 'input1');
  if (b.dtype !== a.dtype || out.dtype !== a.dtype) ctx.unsupported('mixed input/output types');
  return { data: { plan: planBroadcast(ctx, a, b, out), int64: a.dtype === 'int64' } };
}

export function evalMinMax(d: MinMaxData, io: KernelIo, takeMax: boolean): void {
  const a = io.inputs[0] as TensorData;
  const b = io.inputs[1] as TensorData;
  const out = io.outputs[0];
  const { size, same, index1, index2 } = d.plan;
  if (d.int64) {
    for (let o = 0; o < size; o++) {
      const i = same ? o : index1[o];
      const j = same ? o : index2[o];
      const c = compareInt64(a, i, b, j);
      if (takeMax ? c > 0 : c < 0) copyInt64(a, i, out, o);
      else copyInt64(b, j, out, o);
    }
    return;
  }
  for (let o = 0; o < size; o++) {
    const x = same ? a[o] : a[index1[o]];
    const y = same ? b[o] : b[index2[o]];
    out[o] = takeMax ? (x > y ? x : y) : x < y ? x : y;
  }
}
