/**
 * Deterministic image augmentation for distillation: shifted, flipped and brightness/contrast-jittered
 * copies of the training frames. The teacher labels each copy itself, so the student sees the
 * teacher's function on more inputs than the 720 labelled frames (the main lever with so little data).
 */
import type { LabelledData } from '@tinyfleet/datasets';
import { SeededRandom } from './seeded-random';

export function augmentImages(d: LabelledData, copies: number, seed: number, maxShift = 8): LabelledData {
  if (copies <= 0) return d;
  const [h, w, c] = d.featureShape;
  const f = h * w * c;
  const rng = new SeededRandom(seed);
  const n = d.n * (copies + 1);
  const x = new Float32Array(n * f);
  const y = new Int32Array(n);
  x.set(d.x);
  y.set(d.y);
  let k = d.n;
  for (let copy = 0; copy < copies; copy++)
    for (let i = 0; i < d.n; i++, k++) {
      const dx = Math.round((rng.next() * 2 - 1) * maxShift);
      const dy = Math.round((rng.next() * 2 - 1) * maxShift);
      const flip = rng.next() < 0.5;
      const gain = 0.8 + 0.4 * rng.next();
      const offset = (rng.next() * 2 - 1) * 20;
      const src = d.x.subarray(i * f, (i + 1) * f);
      for (let yy = 0; yy < h; yy++)
        for (let xx = 0; xx < w; xx++) {
          // Edge-replicating shift: the camera would see more scene, not black borders.
          const sy = Math.min(h - 1, Math.max(0, yy + dy));
          let sx = Math.min(w - 1, Math.max(0, xx + dx));
          if (flip) sx = w - 1 - sx;
          for (let ch = 0; ch < c; ch++) {
            const v = src[(sy * w + sx) * c + ch] * gain + offset;
            x[k * f + (yy * w + xx) * c + ch] = Math.max(0, Math.min(255, Math.round(v)));
          }
        }
      y[k] = d.y[i];
    }
  return { ...d, n, x, y };
}
