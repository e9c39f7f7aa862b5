/**
 * The detection post-process sorts: DecreasingPartialArgSort against libstdc++'s std::partial_sort itself (g++ 12
 * on the recorded cases of detection-postprocess.vectors.ts, NaN scores included, where the result is the
 * algorithm's), DecreasingArgSort against a stable sort by decreasing value (TFLM's merge sort is stable, and its
 * inputs, scores at or above a threshold, hold no NaN).
 */
import { decreasingArgSort, decreasingPartialArgSort } from './detection-postprocess-sort';
import { PARTIAL_SORT } from './detection-postprocess.vectors';

function floatsOf(hex: string): Float32Array {
  const words = new Uint32Array(hex.length / 8);
  for (let i = 0; i < words.length; i++) words[i] = parseInt(hex.slice(8 * i, 8 * i + 8), 16);
  return new Float32Array(words.buffer);
}

describe('decreasingPartialArgSort', () => {
  it(`leaves the first k indices where libstdc++'s std::partial_sort does (${PARTIAL_SORT.length} recorded cases)`, () => {
    const withNaN = PARTIAL_SORT.filter(([, hex]) => floatsOf(hex).some(Number.isNaN)).length;
    expect(withNaN).toBeGreaterThan(50);
    const mismatches = PARTIAL_SORT.flatMap(([k, hex, want], c) => {
      const values = floatsOf(hex);
      const indices = new Int32Array(values.length);
      decreasingPartialArgSort(values, 0, values.length, k, indices, 0);
      const got = Array.from(indices.subarray(0, k)).join(' ');
      return got === want ? [] : [`case ${c}: ${got} (want ${want})`];
    });
    expect(mismatches).toEqual([]);
  });

  it('reads the values at an offset and writes the indices at an offset (one anchor of a score matrix)', () => {
    const scores = new Float32Array([9, 9, 0.1, 0.7, 0.7, 0.3, 9]);
    const indices = new Int32Array(8).fill(-1);
    decreasingPartialArgSort(scores, 2, 4, 3, indices, 3);
    // Values 0.1, 0.7, 0.7, 0.3: the tie goes to the lower index; the one index left over fills the tail.
    expect(Array.from(indices)).toEqual([-1, -1, -1, 1, 2, 3, 0, -1]);
  });
});

describe('decreasingArgSort', () => {
  it('is a stable sort by decreasing value, on short (insertion) and long (merge) runs', () => {
    let seed = 12345;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const n of [0, 1, 2, 5, 19, 20, 21, 39, 40, 41, 100, 257]) {
      const values = Float32Array.from({ length: n }, () => Math.round(next() * 8) / 8);
      const indices = new Int32Array(n);
      const scratch = new Int32Array(n);
      decreasingArgSort(values, n, indices, scratch);
      const want = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[b] - values[a]);
      expect([n, Array.from(indices)]).toEqual([n, want]);
    }
  });
});
