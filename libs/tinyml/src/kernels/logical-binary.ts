/** LOGICAL_AND / LOGICAL_OR (logical.cc): bool inputs with broadcasting, bool output; no OpData, no options. */
import { BroadcastPlan, planBroadcast } from './broadcast';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

interface LogicalData {
  plan: BroadcastPlan;
  isAnd: boolean;
}

function prepareLogical(ctx: PrepareContext, isAnd: boolean): Prepared<LogicalData> {
  const a = ctx.input(0);
  const b = ctx.input(1);
  const out = ctx.output(0);
  ctx.expectType(a, ['bool'], 'input1');
  ctx.expectType(b, ['bool'], 'input2');
  ctx.expectType(out, ['bool'], 'output');
  return { data: { plan: planBroadcast(ctx, a, b, out), isAnd } };
}

function evalLogical(d: LogicalData, io: KernelIo): void {
  const a = io.inputs[0] as Uint8Array;
  const b = io.inputs[1] as Uint8Array;
  const out = io.outputs[0];
  const { size, same, index1, index2 } = d.plan;
  for (let o = 0; o < size; o++) {
    const x = (same ? a[o] : a[index1[o]]) !== 0;
    const y = (same ? b[o] : b[index2[o]]) !== 0;
    out[o] = (d.isAnd ? x && y : x || y) ? 1 : 0;
  }
}

export function logicalKernel(op: string, isAnd: boolean): Kernel<LogicalData> {
  return { op, types: ['bool'], prepare: (ctx) => prepareLogical(ctx, isAnd), eval: evalLogical };
}
