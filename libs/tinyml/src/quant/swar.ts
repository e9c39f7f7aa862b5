/**
 * Two int8 dot products per double multiply ("SIMD within a register"), exactly.
 *
 * A weight pair (w0, w1) is packed as p = w0 + w1 * 2^26. For any integer x, x * p = x*w0 + x*w1 * 2^26, and a sum
 * of such products S = L + H * 2^26 with L = sum(x*w0), H = sum(x*w1). Every intermediate is an integer below 2^53,
 * so the double arithmetic is exact; as long as |L| < 2^25, H = round(S / 2^26) and L = S - H * 2^26 recover both
 * sums exactly. Kernels check the bound (terms x count) at prepare time and fall back to plain loops otherwise.
 */
// Bound once at load: looking up the global `Math` inside hot loops is slow in vm sandboxes (e.g. Jest).
const { round: mathRound } = Math;
export const SWAR_SHIFT = 67108864; // 2^26
const HALF_RANGE = 33554432; // 2^25
const INV_SWAR_SHIFT = 1 / SWAR_SHIFT; // exact: a power of two

/** True when n products of magnitude <= maxTerm keep the low sum strictly inside (-2^25, 2^25). */
export function swarFits(n: number, maxTerm: number): boolean {
  return n * maxTerm < HALF_RANGE;
}

/** High sum of a packed accumulator. */
export function swarHigh(s: number): number {
  return mathRound(s * INV_SWAR_SHIFT);
}

/**
 * Packs rows of an int8 matrix [rows][n] pairwise: packed[pair][k] = w[2*pair][k] + w[2*pair+1][k] * 2^26.
 * An odd last row is packed with a zero partner.
 */
export function packRowPairs(w: Int8Array, rows: number, n: number): Float64Array {
  const pairs = (rows + 1) >> 1;
  const packed = new Float64Array(pairs * n);
  for (let p = 0; p < pairs; p++) {
    const r0 = 2 * p * n;
    const hasPartner = 2 * p + 1 < rows;
    for (let k = 0; k < n; k++) packed[p * n + k] = w[r0 + k] + (hasPartner ? w[r0 + n + k] * SWAR_SHIFT : 0);
  }
  return packed;
}

/**
 * Reorders pair rows so that each block of `width` consecutive pairs is stored as [k][width] (sequential loads
 * in a blocked inner loop); the tail pairs that do not fill a block stay row-major.
 */
export function interleaveBlocks(packed: Float64Array, pairs: number, n: number, width: number): Float64Array {
  const out = new Float64Array(packed.length);
  const full = pairs - (pairs % width);
  for (let block = 0; block < full; block += width) {
    for (let k = 0; k < n; k++)
      for (let j = 0; j < width; j++) out[block * n + k * width + j] = packed[(block + j) * n + k];
  }
  for (let i = full * n; i < packed.length; i++) out[i] = packed[i];
  return out;
}
