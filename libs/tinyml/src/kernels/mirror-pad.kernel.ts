/**
 * MIRROR_PAD (mirror_pad.cc): pads each dimension with its own mirror image, REFLECT (edge not repeated) or
 * SYMMETRIC (edge repeated); float32 and int8 as TFLM, paddings int32 or int64 ([rank, 2]). Each output element's
 * source index is computed as TFLM's GetFlatIndex / GetInputDimension do, with the per-dimension element counts in
 * the two int32 scratch buffers TFLM requests. The paddings may be a runtime tensor (read per invoke): paddings
 * beyond what the mode allows (REFLECT: dim - 1, SYMMETRIC: dim) or not matching the output shape raise
 * InvokeError. Init allocates OpDataMirrorPad; ParseMirrorPad keeps TfLiteMirrorPaddingParams.
 */
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import type { OperatorInfo } from '../model/model.types';
import { indexAt } from './copy-common';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';
import { invokeFailure } from './kernel.types';

const INPUT = 0;
const PADDINGS = 1;
const OUTPUT = 0;
const OPT = { mode: 0 };
/** schema.fbs MirrorPadMode. */
const REFLECT = 0;
const SYMMETRIC = 1;

interface MirrorPadData {
  node: OperatorInfo;
  rank: number;
  inShape: Int32Array;
  outShape: Int32Array;
  /** 1 for REFLECT, 0 for SYMMETRIC (TFLM's offset). */
  offset: number;
  is64: boolean;
  outputCount: number;
  /** io.scratch indices of the output / input per-dimension element counts. */
  outCountsScratch: number;
  inCountsScratch: number;
  /** Left and right pads per dimension, read per invoke. */
  pads: Int32Array;
}

function inputIndex(padded: number, left: number, dim: number, offset: number): number {
  if (padded < left) {
    const original = left + offset - 1;
    return original - Math.min(padded, original - offset);
  }
  let p = padded - left;
  if (p >= dim) {
    p -= dim;
    const original = dim - (1 + offset);
    return original - Math.min(p, original);
  }
  return p;
}

/** Reads the paddings into d.pads; the reason they are invalid for this mode and output, or null. */
function readPads(d: MirrorPadData, paddings: ArrayLike<number>): string | null {
  for (let i = 0; i < d.rank; i++) {
    const left = indexAt(paddings, d.is64, 2 * i);
    const right = indexAt(paddings, d.is64, 2 * i + 1);
    const limit = d.inShape[i] - d.offset;
    if (left < 0 || right < 0 || left > limit || right > limit)
      return `paddings ${left}, ${right} exceed ${limit} in dimension ${i}`;
    if (d.inShape[i] + left + right !== d.outShape[i])
      return `paddings ${left}, ${right} do not give output dimension ${i} (${d.outShape[i]})`;
    d.pads[2 * i] = left;
    d.pads[2 * i + 1] = right;
  }
  return null;
}

export const mirrorPadKernel: Kernel<MirrorPadData> = {
  op: 'MIRROR_PAD',
  types: ['float32', 'int8'],
  prepare(ctx: PrepareContext): Prepared<MirrorPadData> {
    ctx.builtinData(BUILTIN_DATA.mirrorPad);
    ctx.opData(OP_DATA.mirrorPad);
    const input = ctx.input(INPUT);
    const paddings = ctx.input(PADDINGS);
    const output = ctx.output(OUTPUT);
    if (output.dtype !== input.dtype) ctx.fail(`output ${output.dtype} differs from input ${input.dtype}`);
    ctx.expectType(paddings, ['int32', 'int64'], 'paddings');
    const rank = input.shape.length;
    if (paddings.shape.length !== 2 || paddings.shape[0] !== rank || paddings.shape[1] !== 2)
      ctx.fail(`paddings shape [${paddings.shape}], expected [${rank}, 2]`);
    if (output.shape.length !== rank) ctx.fail('output rank differs from the input rank');
    const mode = ctx.options?.i8(OPT.mode) ?? REFLECT;
    if (mode !== REFLECT && mode !== SYMMETRIC) ctx.fail(`mirror pad mode ${mode}`);
    const data: MirrorPadData = {
      node: ctx.node,
      rank,
      inShape: Int32Array.from(input.shape),
      outShape: Int32Array.from(output.shape),
      offset: mode === REFLECT ? 1 : 0,
      is64: paddings.dtype === 'int64',
      outputCount: output.elementCount,
      outCountsScratch: ctx.requestScratch('int32', rank, 'output dims num elements'),
      inCountsScratch: ctx.requestScratch('int32', rank, 'input dims num elements'),
      pads: new Int32Array(2 * rank),
    };
    if (paddings.data) {
      const reason = readPads(
        data,
        paddings.dtype === 'int64' ? paddings.data : new Int32Array(paddings.data.slice().buffer),
      );
      if (reason !== null) ctx.fail(reason);
    }
    return { data };
  },
  eval(d: MirrorPadData, io: KernelIo): void {
    const input = io.inputs[INPUT] as TensorData;
    const output = io.outputs[OUTPUT];
    const reason = readPads(d, io.inputs[PADDINGS] as TensorData);
    if (reason !== null) invokeFailure(d.node, reason);
    const outCounts = io.scratch[d.outCountsScratch] as Int32Array;
    const inCounts = io.scratch[d.inCountsScratch] as Int32Array;
    const { rank, inShape, outShape, offset, pads } = d;
    outCounts[rank - 1] = 1;
    inCounts[rank - 1] = 1;
    for (let i = rank - 2; i >= 0; i--) {
      outCounts[i] = outCounts[i + 1] * outShape[i + 1];
      inCounts[i] = inCounts[i + 1] * inShape[i + 1];
    }
    for (let o = 0; o < d.outputCount; o++) {
      let rest = o;
      let flat = 0;
      for (let i = 0; i < rank; i++) {
        const padded = (rest / outCounts[i]) | 0;
        rest -= padded * outCounts[i];
        flat += inputIndex(padded, pads[2 * i], inShape[i], offset) * inCounts[i];
      }
      output[o] = input[flat];
    }
  },
};
