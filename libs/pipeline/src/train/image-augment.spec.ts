import type { LabelledData } from '@tinyfleet/datasets';
import { augmentImages } from './image-augment';

describe('augmentImages', () => {
  const d: LabelledData = {
    n: 2,
    featureShape: [8, 8, 1],
    x: Float32Array.from({ length: 128 }, (_, i) => (i * 7) % 256),
    y: Int32Array.from([0, 1]),
    labels: ['a', 'b'],
    channels: ['gray'],
  };

  it('keeps the originals first, adds labelled copies of valid 8-bit pixels, deterministically', () => {
    const a = augmentImages(d, 3, 42, 2);
    expect(a.n).toBe(8);
    expect(a.x.subarray(0, 128)).toEqual(d.x);
    expect(Array.from(a.y)).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
    for (const v of a.x) expect(Number.isInteger(v) && v >= 0 && v <= 255).toBe(true);
    expect(augmentImages(d, 3, 42, 2).x).toEqual(a.x);
    expect(augmentImages(d, 3, 43, 2).x).not.toEqual(a.x);
    expect(a.x.subarray(128, 192)).not.toEqual(d.x.subarray(0, 64));
  });

  it('zero copies returns the data unchanged', () => {
    expect(augmentImages(d, 0, 1)).toBe(d);
  });
});
