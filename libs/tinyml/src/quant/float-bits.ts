/**
 * IEEE-754 bit patterns to and from JS numbers, for the libm routines that branch on a float's bits or
 * build their tables from published hex constants. The float views are module-level so the per-element
 * paths allocate nothing; doubleFromBits runs at load only.
 */
const F32_WORD = new Float32Array(1);
const U32_WORD = new Uint32Array(F32_WORD.buffer);

/** The float32 bit pattern of `x` (rounded to float32 first), as an unsigned 32-bit integer. */
export function floatBits(x: number): number {
  F32_WORD[0] = x;
  return U32_WORD[0];
}

/** The float32 whose bit pattern is `bits`. */
export function floatFromBits(bits: number): number {
  U32_WORD[0] = bits;
  return F32_WORD[0];
}

/** The double whose high and low 32 bits are `hi` and `lo` (the way C sources write their table constants). */
export function doubleFromBits(hi: number, lo: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, hi);
  view.setUint32(4, lo);
  return view.getFloat64(0);
}
