/** Examples as the pipeline consumes them: raw (unnormalised) features, row-major, with integer labels. */
export interface LabelledData {
  n: number;
  /** Shape of one example, e.g. [window, channels] or [96, 96, 1]. */
  featureShape: number[];
  x: Float32Array;
  y: Int32Array;
  labels: string[];
  /** Channel names along the last feature axis. */
  channels: string[];
}

export function featureSize(d: { featureShape: number[] }): number {
  return d.featureShape.reduce((a, b) => a * b, 1);
}

export function subset(d: LabelledData, indices: number[]): LabelledData {
  const f = featureSize(d);
  const x = new Float32Array(indices.length * f);
  const y = new Int32Array(indices.length);
  indices.forEach((src, i) => {
    x.set(d.x.subarray(src * f, (src + 1) * f), i * f);
    y[i] = d.y[src];
  });
  return { ...d, n: indices.length, x, y };
}

/** Every k-th example (deterministic, keeps class mix for sorted data better than a prefix). */
export function strided(d: LabelledData, max: number): LabelledData {
  if (d.n <= max) return d;
  const step = d.n / max;
  return subset(
    d,
    Array.from({ length: max }, (_, i) => Math.floor(i * step)),
  );
}
