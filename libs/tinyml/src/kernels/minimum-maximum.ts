/** Shared MINIMUM / MAXIMUM implementation (TFLM maximum_minimum.cc; no requantization, as TFLM). */
import { BroadcastPlan, planBroadcast } from './broadcast';
import type { KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

export interface MinMaxData {
  plan: BroadcastPlan;
}

export function prepareMinMax(ctx: PrepareContext): Prepared<MinMaxData> {
  const a = ctx.input(0);
  const b = ctx.input(1);
  const out = ctx.output(0);
  ctx.expectType(a, ['int8', 'uint8', 'int16', 'int32', 'float32'], 'input1');
  if (b.dtype !== a.dtype || out.dtype !== a.dtype) ctx.unsupported('mixed input/output types');
  return { data: { plan: planBroadcast(ctx, a, b, out) } };
}

export function evalMinMax(d: MinMaxData, io: KernelIo, takeMax: boolean): void {
  const a = io.inputs[0] as TensorData;
  const b = io.inputs[1] as TensorData;
  const out = io.outputs[0];
  const { size, same, index1, index2 } = d.plan;
  for (let o = 0; o < size; o++) {
    const x = same ? a[o] : a[index1[o]];
    const y = same ? b[o] : b[index2[o]];
    out[o] = takeMax ? (x > y ? x : y) : x < y ? x : y;
  }
}
