/**
 * Real inputs for the decoder fuzz specs (tests only): TFLM's hello_world int8 model from the shared
 * reference models (FLEET_DATA_DIR), its int8 weight buffers found as libs/pipeline finds them, a
 * pruned variant so that sparse records occur, and a synthetic model with a large pruned buffer whose
 * zero runs are longer than any index field (filler pairs).
 */
import { mulberry32 } from '@tinyfleet/random';
import { loadModel } from '@tinyfleet/tinyml';
import { loadReferenceModel } from '@tinyfleet/tinyml/testing/reference-models';
import * as fs from 'node:fs';
import type { WeightRange } from '../ota-container';

export function helloWorldInt8(): Uint8Array {
  return new Uint8Array(fs.readFileSync(loadReferenceModel('hello_world_int8').modelFile));
}

/**
 * Every int8 constant buffer of at least `minBytes`, located in the file (the reader copies buffers),
 * as libs/pipeline's package-tflite does for an imported model.
 */
export function int8WeightRanges(model: Uint8Array, minBytes: number): WeightRange[] {
  const file = Buffer.from(model.buffer, model.byteOffset, model.byteLength);
  const out: WeightRange[] = [];
  for (const t of loadModel(model).tensors) {
    if (!t.data || t.dtype !== 'int8' || t.byteLength < minBytes) continue;
    for (let at = file.indexOf(Buffer.from(t.data)); at >= 0; at = file.indexOf(Buffer.from(t.data), at + 1)) {
      if (out.some((r) => at < r.offset + r.length && at + t.byteLength > r.offset)) continue;
      out.push({ offset: at, length: t.byteLength, name: t.name });
      break;
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
}

/** Magnitude pruning as libs/pipeline's prune stage leaves it: the smallest `fraction` of each buffer zeroed. */
export function pruned(model: Uint8Array, ranges: WeightRange[], fraction: number): Uint8Array {
  const out = model.slice();
  for (const r of ranges) {
    const w = new Int8Array(out.buffer, r.offset, r.length);
    const cut = [...w].map(Math.abs).sort((a, b) => a - b)[Math.floor(fraction * (w.length - 1))]!;
    for (let i = 0; i < w.length; i++) if (Math.abs(w[i]!) <= cut) w[i] = 0;
  }
  return out;
}

/** 6,000 bytes: a random skeleton (coded raw), a 3,000-byte buffer with 95 % zeros and a dense one. */
export function syntheticModel(seed: number): { model: Uint8Array; ranges: WeightRange[] } {
  const rnd = mulberry32(seed);
  const model = Uint8Array.from({ length: 6000 }, () => Math.floor(rnd() * 256));
  for (let i = 1000; i < 4000; i++) model[i] = rnd() < 0.95 ? 0 : Math.round((rnd() - 0.5) * 30) & 0xff;
  for (let i = 4500; i < 5500; i++) model[i] = Math.round((rnd() - 0.5) * 60) & 0xff;
  return {
    model,
    ranges: [
      { offset: 1000, length: 3000 },
      { offset: 4500, length: 1000 },
    ],
  };
}
