/**
 * BROADCAST_ARGS (broadcast_args.cc, reference_ops::BroadcastArgs): the broadcast of two shape vectors (int32 or
 * int64), aligned at their last dimension; a missing dimension counts as 1. The shapes are runtime data: two
 * dimensions that are neither equal nor 1 raise InvokeError (TFLM only DCHECKs it). No Init, no OpData, no options.
 */
import type { OperatorInfo } from '../model/model.types';
import { indexAt, setInt64 } from './copy-common';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';
import { invokeFailure } from './kernel.types';

const SHAPE1 = 0;
const SHAPE2 = 1;
const OUTPUT = 0;

interface BroadcastArgsData {
  node: OperatorInfo;
  is64: boolean;
  length1: number;
  length2: number;
  outputLength: number;
}

export const broadcastArgsKernel: Kernel<BroadcastArgsData> = {
  op: 'BROADCAST_ARGS',
  types: ['int32', 'int64'],
  prepare(ctx: PrepareContext): Prepared<BroadcastArgsData> {
    const shape1 = ctx.input(SHAPE1);
    const shape2 = ctx.input(SHAPE2);
    const output = ctx.output(OUTPUT);
    if (shape2.dtype !== shape1.dtype || output.dtype !== shape1.dtype)
      ctx.fail(`types ${shape1.dtype}, ${shape2.dtype} -> ${output.dtype} differ`);
    for (const t of [shape1, shape2, output])
      if (t.shape.length !== 1) ctx.fail(`shape vectors must be 1-D, got [${t.shape}]`);
    const outputLength = Math.max(shape1.elementCount, shape2.elementCount);
    if (output.elementCount !== outputLength)
      ctx.fail(`output has ${output.elementCount} dims, expected ${outputLength}`);
    return {
      data: {
        node: ctx.node,
        is64: shape1.dtype === 'int64',
        length1: shape1.elementCount,
        length2: shape2.elementCount,
        outputLength,
      },
      macs: outputLength,
    };
  },
  eval(d: BroadcastArgsData, io: KernelIo): void {
    const s1 = io.inputs[SHAPE1] as TensorData;
    const s2 = io.inputs[SHAPE2] as TensorData;
    const output = io.outputs[OUTPUT];
    for (let i = 0; i < d.outputLength; i++) {
      const a = i < d.length1 ? indexAt(s1, d.is64, d.length1 - 1 - i) : 1;
      const b = i < d.length2 ? indexAt(s2, d.is64, d.length2 - 1 - i) : 1;
      let dim: number;
      if (a === b || b === 1) dim = a;
      else if (a === 1) dim = b;
      else return invokeFailure(d.node, `dimensions ${a} and ${b} do not broadcast`);
      if (d.is64) setInt64(output as Uint8Array, d.outputLength - 1 - i, dim);
      else output[d.outputLength - 1 - i] = dim;
    }
  },
};
