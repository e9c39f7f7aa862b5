/**
 * Float32-only binary ops with broadcasting and no OpData (floor_div.cc, floor_mod.cc):
 * reference_ops::BinaryFunction / BroadcastBinaryFunction4DSlow with a scalar function.
 */
import { InvokeError } from '../errors';
import { BroadcastPlan, planBroadcast } from './broadcast';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

export interface FloatBinaryData {
  plan: BroadcastPlan;
  opIndex: number;
}

export function floatBinaryKernel(
  op: string,
  fn: (x: number, y: number) => number,
  /** FLOOR_DIV's Eval refuses a zero anywhere in input 2 before computing (kTfLiteError). */
  rejectZeroDenominator: boolean,
): Kernel<FloatBinaryData> {
  return {
    op,
    types: ['float32'],
    prepare(ctx: PrepareContext): Prepared<FloatBinaryData> {
      const a = ctx.input(0);
      const b = ctx.input(1);
      const out = ctx.output(0);
      ctx.expectType(a, ['float32'], 'input1');
      if (b.dtype !== a.dtype || out.dtype !== a.dtype) ctx.unsupported('mixed input/output types');
      return { data: { plan: planBroadcast(ctx, a, b, out), opIndex: ctx.node.index } };
    },
    eval(d: FloatBinaryData, io: KernelIo): void {
      const a = io.inputs[0] as Float32Array;
      const b = io.inputs[1] as Float32Array;
      const out = io.outputs[0] as Float32Array;
      if (rejectZeroDenominator) {
        for (let i = 0; i < b.length; i++)
          if (b[i] === 0) throw new InvokeError(`operator ${d.opIndex} (${op}): division by 0`, op, d.opIndex);
      }
      const { size, same, index1, index2 } = d.plan;
      for (let o = 0; o < size; o++) out[o] = same ? fn(a[o], b[o]) : fn(a[index1[o]], b[index2[o]]);
    },
  };
}
