/**
 * RESIZE_BILINEAR (resize_bilinear.cc): float32 follows reference_ops::ResizeBilinear (float32 scales and
 * weights, every product and sum rounded to float32 in the reference's order); int8 follows ResizeBilinearInteger
 * (Q10 scales, Q20 sums with int64 products, double-rounding build: +-2^19 then truncating division by 2^20).
 * half_pixel_centers with align_corners is refused as TFLM's Prepare does. The interpolation rows / columns are
 * static, so prepare() computes them; eval() only blends. ParseResizeBilinear keeps the two bool flags.
 */
import { BUILTIN_DATA } from '../memory/device-layout';
import { prepareResize } from './resize-common';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

const { fround: f32, floor: mathFloor, ceil: mathCeil, trunc: mathTrunc, max, min } = Math;
/** ResizeBilinearOptions: new_height and new_width (deprecated) come first. */
const OPT = { alignCorners: 2, halfPixelCenters: 3 };

interface BilinearData {
  float: boolean;
  batches: number;
  depth: number;
  inH: number;
  inW: number;
  /** Per output row / column: lower and upper source index and the scaled position (float32 or Q10). */
  y0: Int32Array;
  y1: Int32Array;
  yScaled: Float64Array;
  x0: Int32Array;
  x1: Int32Array;
  xScaled: Float64Array;
}

function floatAxis(
  outSize: number,
  inSize: number,
  scale: number,
  halfPixel: boolean,
): [Int32Array, Int32Array, Float64Array] {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const scaled = new Float64Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const v = halfPixel ? f32(f32(f32(i + 0.5) * scale) - 0.5) : f32(i * scale);
    scaled[i] = v;
    lo[i] = max(mathTrunc(mathFloor(v)), 0);
    hi[i] = min(mathTrunc(mathCeil(v)), inSize - 1);
  }
  return [lo, hi, scaled];
}

function integerAxis(
  outSize: number,
  inSize: number,
  scale10: number,
  halfPixel: boolean,
): [Int32Array, Int32Array, Float64Array] {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const scaled = new Float64Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const v = halfPixel ? i * scale10 + mathTrunc(scale10 / 2) - (1 << 9) : i * scale10;
    scaled[i] = v;
    lo[i] = max(mathTrunc(v / 1024), 0);
    hi[i] = min(mathTrunc((v + 1023) / 1024), inSize - 1);
  }
  return [lo, hi, scaled];
}

export const resizeBilinearKernel: Kernel<BilinearData> = {
  op: 'RESIZE_BILINEAR',
  types: ['float32', 'int8'],
  prepare(ctx: PrepareContext): Prepared<BilinearData> {
    ctx.builtinData(BUILTIN_DATA.resizeBilinear);
    const g = prepareResize(ctx, [OPT.alignCorners, OPT.halfPixelCenters]);
    if (g.alignCorners && g.halfPixelCenters) ctx.fail('half_pixel_centers requires align_corners false');
    const [batches, inH, inW, depth] = g.input;
    const [, outH, outW] = g.output;
    const float = ctx.input(0).dtype === 'float32';
    let ys: [Int32Array, Int32Array, Float64Array];
    let xs: [Int32Array, Int32Array, Float64Array];
    if (float) {
      let hScale = f32(inH / outH);
      let wScale = f32(inW / outW);
      if (g.alignCorners && outH > 1) hScale = f32((inH - 1) / (outH - 1));
      if (g.alignCorners && outW > 1) wScale = f32((inW - 1) / (outW - 1));
      ys = floatAxis(outH, inH, hScale, g.halfPixelCenters);
      xs = floatAxis(outW, inW, wScale, g.halfPixelCenters);
    } else {
      let hScale = mathTrunc((1024 * inH + mathTrunc(outH / 2)) / outH);
      let wScale = mathTrunc((1024 * inW + mathTrunc(outW / 2)) / outW);
      if (g.alignCorners && outH > 1) hScale = mathTrunc((1024 * (inH - 1) + mathTrunc((outH - 1) / 2)) / (outH - 1));
      if (g.alignCorners && outW > 1) wScale = mathTrunc((1024 * (inW - 1) + mathTrunc((outW - 1) / 2)) / (outW - 1));
      ys = integerAxis(outH, inH, hScale, g.halfPixelCenters);
      xs = integerAxis(outW, inW, wScale, g.halfPixelCenters);
    }
    // Host-only: TFLM recomputes the interpolation values per output row / column.
    for (const a of [...ys, ...xs]) ctx.hostOnly(a, 'interpolation rows / columns');
    return {
      macs: 4 * ctx.output(0).elementCount,
      data: {
        float,
        batches,
        depth,
        inH,
        inW,
        y0: ys[0],
        y1: ys[1],
        yScaled: ys[2],
        x0: xs[0],
        x1: xs[1],
        xScaled: xs[2],
      },
    };
  },
  eval(d: BilinearData, io: KernelIo): void {
    const input = io.inputs[0] as TensorData;
    const output = io.outputs[0];
    const { depth, inH, inW, y0, y1, yScaled, x0, x1, xScaled } = d;
    const outH = y0.length;
    const outW = x0.length;
    let o = 0;
    for (let b = 0; b < d.batches; b++)
      for (let y = 0; y < outH; y++) {
        const r0 = (b * inH + y0[y]) * inW;
        const r1 = (b * inH + y1[y]) * inW;
        for (let x = 0; x < outW; x++) {
          const p00 = (r0 + x0[x]) * depth;
          const p10 = (r1 + x0[x]) * depth;
          const p01 = (r0 + x1[x]) * depth;
          const p11 = (r1 + x1[x]) * depth;
          if (d.float) {
            // (input_y - y0), (1 - (input_y - y0)), … as the reference's float32 subexpressions.
            const dy = f32(yScaled[y] - y0[y]);
            const dx = f32(xScaled[x] - x0[x]);
            const ey = f32(1 - dy);
            const ex = f32(1 - dx);
            for (let c = 0; c < depth; c++) {
              let s = f32(f32(input[p00 + c] * ey) * ex);
              s = f32(s + f32(f32(input[p10 + c] * dy) * ex));
              s = f32(s + f32(f32(input[p01 + c] * ey) * dx));
              s = f32(s + f32(f32(input[p11 + c] * dy) * dx));
              // + rounding_offset (0.0f for float): turns -0 into +0 as the reference does.
              output[o++] = s + 0;
            }
          } else {
            const dy = yScaled[y] - 1024 * y0[y];
            const dx = xScaled[x] - 1024 * x0[x];
            const ey = 1024 - dy;
            const ex = 1024 - dx;
            for (let c = 0; c < depth; c++) {
              // Each product < 2^27 and the sum < 2^29: exact as doubles.
              const sum =
                input[p00 + c] * ey * ex +
                input[p10 + c] * dy * ex +
                input[p01 + c] * ey * dx +
                input[p11 + c] * dy * dx;
              output[o++] = mathTrunc((sum + (sum > 0 ? 1 << 19 : -(1 << 19))) / (1 << 20));
            }
          }
        }
      }
  },
};
