/**
 * GATHER (gather.cc): output[batch, outer, coord, inner] = input[batch, outer, positions[batch, coord], inner]
 * along `axis`, with `batch_dims` leading dimensions shared by input and positions. float32 and int8 with int32
 * positions, as TFLM's reference kernel. The positions are runtime data: each is bounds-checked in eval() and an
 * out-of-range one raises InvokeError (TFLM's Eval returns kTfLiteError), never an out-of-bounds read.
 */
import { BUILTIN_DATA, intArrayBytes } from '../memory/device-layout';
import type { OperatorInfo } from '../model/model.types';
import { dimsProduct, resolveAxis, sameShape } from './copy-common';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';
import { invokeFailure } from './kernel.types';

const INPUT = 0;
const POSITIONS = 1;
const OUTPUT = 0;
const OPT = { axis: 0, batchDims: 1 };

interface GatherData {
  node: OperatorInfo;
  batchSize: number;
  outerSize: number;
  coordSize: number;
  axisSize: number;
  innerSize: number;
}

export const gatherKernel: Kernel<GatherData> = {
  op: 'GATHER',
  types: ['float32', 'int8'],
  prepare(ctx: PrepareContext): Prepared<GatherData> {
    ctx.builtinData(BUILTIN_DATA.gather);
    const input = ctx.input(INPUT);
    const positions = ctx.input(POSITIONS);
    const output = ctx.output(OUTPUT);
    ctx.expectType(positions, ['int32'], 'positions');
    if (output.dtype !== input.dtype) ctx.fail(`output ${output.dtype} differs from input ${input.dtype}`);
    const inRank = input.shape.length;
    const posRank = positions.shape.length;
    const axis = resolveAxis(ctx, ctx.options?.i32(OPT.axis) ?? 0, inRank);
    let batchDims = ctx.options?.i32(OPT.batchDims) ?? 0;
    if (batchDims < 0) batchDims += posRank;
    if (!(batchDims >= 0 && batchDims <= axis && batchDims < inRank && batchDims <= posRank))
      ctx.fail(`batch_dims ${batchDims} invalid for axis ${axis} and ranks ${inRank} / ${posRank}`);
    for (let i = 0; i < batchDims; i++)
      if (input.shape[i] !== positions.shape[i]) ctx.fail(`batch dimension ${i} differs between input and positions`);
    const expected = [
      ...input.shape.slice(0, axis),
      ...positions.shape.slice(batchDims),
      ...input.shape.slice(axis + 1),
    ];
    if (!sameShape(output.shape, expected)) ctx.fail(`output shape [${output.shape}], expected [${expected}]`);
    // Prepare relocates the output dims to the arena (CreateWritableTensorDimsWithCopy).
    ctx.persistentArray('int32', intArrayBytes(output.shape.length) / 4, 'output dims');
    return {
      data: {
        node: ctx.node,
        batchSize: dimsProduct(input.shape, 0, batchDims),
        outerSize: dimsProduct(input.shape, batchDims, axis),
        coordSize: dimsProduct(positions.shape, batchDims, posRank),
        axisSize: input.shape[axis],
        innerSize: dimsProduct(input.shape, axis + 1, inRank),
      },
    };
  },
  eval(d: GatherData, io: KernelIo): void {
    const input = io.inputs[INPUT] as TensorData;
    const positions = io.inputs[POSITIONS] as Int32Array;
    const output = io.outputs[OUTPUT];
    const { outerSize, coordSize, axisSize, innerSize } = d;
    let o = 0;
    for (let batch = 0; batch < d.batchSize; batch++) {
      for (let outer = 0; outer < outerSize; outer++) {
        const rowBase = (batch * outerSize + outer) * axisSize;
        for (let coord = 0; coord < coordSize; coord++) {
          const p = positions[batch * coordSize + coord];
          if (p < 0 || p >= axisSize) invokeFailure(d.node, `position ${p} outside [0, ${axisSize})`);
          for (let i = (rowBase + p) * innerSize, end = i + innerSize; i < end; i++) output[o++] = input[i];
        }
      }
    }
  },
};
