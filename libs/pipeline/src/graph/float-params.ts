/** Float weights in tfjs layout, detached from tf (plain arrays) so stages can hand them around. */
import { layerShapes, type ModelSpec } from './model-spec';

export interface FloatParams {
  /** Per layer: dense [in, out], conv [kh, kw, in, out]; null for layers without weights. */
  kernels: (Float32Array | null)[];
  biases: (Float32Array | null)[];
}

/** dense [in, out] -> TFLite [out, in]; conv [kh, kw, in, out] -> TFLite [out, kh, kw, in]. */
export function toTfliteLayout(kernel: Float32Array, shape: number[]): Float32Array {
  const out = shape[shape.length - 1];
  const inner = kernel.length / out;
  const t = new Float32Array(kernel.length);
  for (let i = 0; i < inner; i++) for (let o = 0; o < out; o++) t[o * inner + i] = kernel[i * out + o];
  return t;
}

export function countNonzeros(params: FloatParams): { params: number; nonzeros: number } {
  let n = 0;
  let nz = 0;
  for (const arr of [...params.kernels, ...params.biases]) {
    if (!arr) continue;
    n += arr.length;
    for (const v of arr) if (v !== 0) nz++;
  }
  return { params: n, nonzeros: nz };
}

export function cloneParams(p: FloatParams): FloatParams {
  return { kernels: p.kernels.map((k) => (k ? k.slice() : null)), biases: p.biases.map((b) => (b ? b.slice() : null)) };
}

export function checkParams(spec: ModelSpec, p: FloatParams): void {
  layerShapes(spec).forEach((l, i) => {
    const want = l.kernel ? l.kernel.reduce((a, b) => a * b, 1) : 0;
    if ((p.kernels[i]?.length ?? 0) !== want)
      throw new Error(`layer ${i}: kernel has ${p.kernels[i]?.length ?? 0} values, expected ${want}`);
  });
}
