/**
 * RESIZE_NEAREST_NEIGHBOR (reference_ops::ResizeNearestNeighbor): each output pixel copies the input pixel
 * GetNearestNeighbor picks, in float32 arithmetic as the reference (scale, (i + offset) * scale, then round
 * (align_corners) or floor, clamped). float32, int8 and int16 as TFLM. The source row and column of every output
 * row / column are static, so prepare() computes them. ParseResizeNearestNeighbor keeps the two bool flags.
 */
import { BUILTIN_DATA } from '../memory/device-layout';
import { prepareResize } from './resize-common';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

const { fround: f32, floor: mathFloor, round: mathRound, abs: mathAbs, sign: mathSign, min, max } = Math;
const OPT = { alignCorners: 0, halfPixelCenters: 1 };

interface NearestData {
  batches: number;
  depth: number;
  inH: number;
  inW: number;
  /** Source row / column of each output row / column. */
  rows: Int32Array;
  cols: Int32Array;
}

/** TfLiteRound: std::round on float (half away from zero). */
function roundHalfAway(v: number): number {
  return mathSign(v) * mathRound(mathAbs(v));
}

function nearest(i: number, inSize: number, outSize: number, alignCorners: boolean, halfPixel: boolean): number {
  const scale = alignCorners && outSize > 1 ? f32((inSize - 1) / (outSize - 1)) : f32(inSize / outSize);
  const offset = halfPixel ? 0.5 : 0;
  const scaled = f32(f32(i + offset) * scale);
  let v = min(alignCorners ? roundHalfAway(scaled) : mathFloor(scaled), inSize - 1);
  if (halfPixel) v = max(0, v);
  return v;
}

export const resizeNearestNeighborKernel: Kernel<NearestData> = {
  op: 'RESIZE_NEAREST_NEIGHBOR',
  types: ['float32', 'int8', 'int16'],
  prepare(ctx: PrepareContext): Prepared<NearestData> {
    ctx.builtinData(BUILTIN_DATA.resizeNearestNeighbor);
    const g = prepareResize(ctx, [OPT.alignCorners, OPT.halfPixelCenters]);
    const [batches, inH, inW, depth] = g.input;
    const [, outH, outW] = g.output;
    // Host-only: TFLM recomputes the source row / column while copying.
    const rows = ctx.hostOnly(
      Int32Array.from({ length: outH }, (_, y) => nearest(y, inH, outH, g.alignCorners, g.halfPixelCenters)),
      'source rows',
    );
    const cols = ctx.hostOnly(
      Int32Array.from({ length: outW }, (_, x) => nearest(x, inW, outW, g.alignCorners, g.halfPixelCenters)),
      'source columns',
    );
    return { data: { batches, depth, inH, inW, rows, cols } };
  },
  eval(d: NearestData, io: KernelIo): void {
    const input = io.inputs[0] as TensorData;
    const output = io.outputs[0];
    const { depth, inH, inW, rows, cols } = d;
    let o = 0;
    for (let b = 0; b < d.batches; b++)
      for (let y = 0; y < rows.length; y++) {
        const rowBase = (b * inH + rows[y]) * inW;
        for (let x = 0; x < cols.length; x++)
          for (let i = (rowBase + cols[x]) * depth, end = i + depth; i < end; i++) output[o++] = input[i];
      }
  },
};
