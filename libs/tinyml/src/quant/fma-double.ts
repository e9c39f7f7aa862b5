/**
 * fma(a, b, c): a·b + c rounded once to double, as the x86-64 vfmadd instructions compute it. C code built with
 * -mfma lets the compiler contract a·b + c into one such instruction, which rounds differently from JS's two
 * roundings (a·b, then + c); glibc's FMA builds of sinf / cosf / logf do that on every multiply-add
 * (libm-sin-cos-log.ts), so reproducing their results needs the fused rounding.
 *
 * Method (Boldo and Melquiond, "Emulation of FMA and correctly rounded sums: proved algorithms using rounding to
 * odd", IEEE Trans. Computers 57(4), 2008): a·b = ph + pl exactly (Veltkamp splitting, Dekker's product),
 * c + ph = sh + sl exactly (Knuth's two-sum), then sh + RO(sl + pl), where RO rounds to odd: the truncated sum
 * with its last bit forced to 1 when inexact, so that the final rounding to nearest sees a sticky bit and never a
 * false tie. Exact provided nothing overflows and the products' low parts stay normal (|a·b| above ~2^-960),
 * true of every call in the libm routines. Allocation-free: one shared 8-byte view flips the last bit.
 */
const DOUBLE = new Float64Array(1);
const WORDS = new Uint32Array(DOUBLE.buffer);
/** Index of the low 32-bit word of a double in WORDS (0 on little-endian hosts). */
const LOW = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HIGH = 1 - LOW;
/** 2^27 + 1: multiplying by it splits a double into two 26-bit halves (Veltkamp). */
const SPLITTER = 134217729;

export function fma(a: number, b: number, c: number): number {
  const ph = a * b;
  let t = SPLITTER * a;
  const aHi = t - (t - a);
  const aLo = a - aHi;
  t = SPLITTER * b;
  const bHi = t - (t - b);
  const bLo = b - bHi;
  const pl = aHi * bHi - ph + aHi * bLo + aLo * bHi + aLo * bLo;
  const sh = c + ph;
  let d = sh - c;
  const sl = c - (sh - d) + (ph - d);
  let v = sl + pl;
  d = v - sl;
  const error = sl - (v - d) + (pl - d);
  if (error !== 0) {
    DOUBLE[0] = v;
    if ((WORDS[LOW] & 1) === 0) {
      // v is even and inexact: the odd neighbour on the side of the true sum (v itself is never 0 here).
      if (v > 0 === error > 0) {
        WORDS[LOW] += 1;
      } else if (WORDS[LOW] === 0) {
        WORDS[LOW] = 0xffffffff;
        WORDS[HIGH] -= 1;
      } else {
        WORDS[LOW] -= 1;
      }
      v = DOUBLE[0];
    }
  }
  return sh + v;
}
