/**
 * The C library's float32 expf and tanhf as the reference build ran them (glibc 2.36, x86-64), so float
 * kernels that call std::exp / std::tanh on floats (reference_ops Logistic, Tanh, Softmax and the float LSTM)
 * are bit-exact: Math.exp / Math.tanh are double routines, and rounding their result to float differs from
 * glibc's in the last bit for some inputs (tanhf is not correctly rounded; expf rounds a double polynomial).
 *
 * expf: glibc's since 2.28 (ARM's optimized routines): x·32/ln2 = k + r, |r| ≤ 1/2; exp(x) = 2^(k/32)·2^(r/32)
 * with a 32-entry table of 2^(i/32) and a degree-3 polynomial, all in double, rounded to float once.
 * tanhf / expm1f: the fdlibm float routines (Sun, float conversion by Cygnus), every operation in float:
 * each JS operation below is wrapped in Math.fround, which rounds the exact double result of one float
 * operation to float exactly as the hardware does (a double holds every float sum, difference and product
 * exactly enough: 53 ≥ 2·24 + 2 bits, so the double rounding is innocuous).
 *
 * Eval paths call these per element: no allocation, no BigInt, tables built once at load.
 */
import { doubleFromBits, floatBits, floatFromBits } from './float-bits';
const { fround: f32 } = Math;

// ---------------------------------------------------------------------------------------------------- expf

const EXP_TABLE_BITS = 5;
const EXP_N = 1 << EXP_TABLE_BITS;
/**
 * 2^(i/32), i = 0..31, as the nearest doubles (glibc's table stores their bit patterns less i·2^47, which
 * only pre-subtracts the exponent increment its integer arithmetic adds back). High and low 32 bits.
 */
const EXP2_I_OVER_32_BITS: readonly (readonly [number, number])[] = [
  [0x3ff00000, 0x00000000],
  [0x3ff059b0, 0xd3158574],
  [0x3ff0b558, 0x6cf9890f],
  [0x3ff11301, 0xd0125b51],
  [0x3ff172b8, 0x3c7d517b],
  [0x3ff1d487, 0x3168b9aa],
  [0x3ff2387a, 0x6e756238],
  [0x3ff29e9d, 0xf51fdee1],
  [0x3ff306fe, 0x0a31b715],
  [0x3ff371a7, 0x373aa9cb],
  [0x3ff3dea6, 0x4c123422],
  [0x3ff44e08, 0x6061892d],
  [0x3ff4bfda, 0xd5362a27],
  [0x3ff5342b, 0x569d4f82],
  [0x3ff5ab07, 0xdd485429],
  [0x3ff6247e, 0xb03a5585],
  [0x3ff6a09e, 0x667f3bcd],
  [0x3ff71f75, 0xe8ec5f74],
  [0x3ff7a114, 0x73eb0187],
  [0x3ff82589, 0x994cce13],
  [0x3ff8ace5, 0x422aa0db],
  [0x3ff93737, 0xb0cdc5e5],
  [0x3ff9c491, 0x82a3f090],
  [0x3ffa5503, 0xb23e255d],
  [0x3ffae89f, 0x995ad3ad],
  [0x3ffb7f76, 0xf2fb5e47],
  [0x3ffc199b, 0xdd85529c],
  [0x3ffcb720, 0xdcef9069],
  [0x3ffd5818, 0xdcfba487],
  [0x3ffdfc97, 0x337b9b5f],
  [0x3ffea4af, 0xa2a490da],
  [0x3fff5076, 0x5b6e4540],
];

const EXP2_TABLE = Float64Array.from(EXP2_I_OVER_32_BITS, ([hi, lo]) => doubleFromBits(hi, lo));
/** 2^e for the scale exponents expf can reach (e = floor(k/32) in [-151, 128]), index e + POW2_BIAS. */
const POW2_BIAS = 160;
const POW2 = Float64Array.from({ length: 2 * POW2_BIAS }, (_, i) => 2 ** (i - POW2_BIAS));

/** 1.5·2^52: adding it rounds a double of magnitude < 2^51 to an integer (round to nearest even). */
const ROUND_SHIFT = 6755399441055744;
/** 32/ln2 (glibc's 0x1.71547652b82fep+0 · 32) and the polynomial 2^(r/32) ≈ C0·r³ + C1·r² + C2·r + 1. */
const INV_LN2_N = 0x171547652b82fe * 2 ** -52 * EXP_N;
const EXP_C0 = (0x1c6af84b912394 * 2 ** -57) / EXP_N ** 3;
const EXP_C1 = (0x1ebfce50fac4f3 * 2 ** -55) / EXP_N ** 2;
const EXP_C2 = (0x162e42ff0c52d6 * 2 ** -53) / EXP_N;
/** Above log(2^128) expf overflows; below log(2^-150) it is 0. */
const EXPF_OVERFLOW = floatFromBits(0x42b17217);
const EXPF_UNDERFLOW = floatFromBits(0xc2cff1b4);

/**
 * On x86-64 hosts with FMA (any since 2013), glibc runs an expf built with -mfma, whose contracted multiply-adds
 * round differently from the plain double evaluation below at exactly two floats of all 2^32 (exhaustive
 * comparison with glibc 2.36 on such a host, and with FMA masked off: then the plain evaluation matches all).
 */
const FMA_X_A = floatFromBits(0x4202422f); // 32.56…
const FMA_Y_A = floatFromBits(0x56fc9f1c); // the plain evaluation gives one ulp less
const FMA_X_B = floatFromBits(0xc27c65d9); // -63.09…
const FMA_Y_B = floatFromBits(0x11fa2993); // the plain evaluation gives one ulp less

/** glibc expf of a float32 value x (any double is first taken as the float it rounds to). */
export function expf(x: number): number {
  const xd = f32(x);
  if (xd > EXPF_OVERFLOW) return Infinity;
  if (xd < EXPF_UNDERFLOW) return 0;
  if (xd !== xd) return NaN;
  if (xd === FMA_X_A) return FMA_Y_A;
  if (xd === FMA_X_B) return FMA_Y_B;
  const z = INV_LN2_N * xd;
  const k = z + ROUND_SHIFT - ROUND_SHIFT;
  const r = z - k;
  const s = EXP2_TABLE[k & (EXP_N - 1)] * POW2[(k >> EXP_TABLE_BITS) + POW2_BIAS];
  const y = (EXP_C0 * r + EXP_C1) * (r * r) + (EXP_C2 * r + 1);
  return f32(y * s);
}

// -------------------------------------------------------------------------------------------------- expm1f

const LN2_HI = f32(6.9313812256e-1); // 0x3f317180: its products with small integers are exact
const LN2_LO = f32(9.0580006145e-6); // 0x3717f7d1
const INV_LN2 = f32(1.4426950216); // 0x3fb8aa3b
// Scaled coefficients of fdlibm's rational approximation of expm1 on [-ln2/2, ln2/2].
const Q1 = f32(-3.3333335072e-2); // 0xbd088889
const Q2 = f32(1.5873016091e-3); // 0x3ad00d01
const Q3 = f32(-7.936507609e-5); // 0xb8a670cd
const Q4 = f32(4.0082177293e-6); // 0x36867e54
const Q5 = f32(-2.0109921195e-7); // 0xb457edbb
const EXPM1F_OVERFLOW = f32(8.8721679688e1); // 0x42b17180

/** fdlibm expm1f: exp(x) - 1 in float arithmetic. */
export function expm1f(input: number): number {
  let x = f32(input);
  const hx = floatBits(x) & 0x7fffffff;
  const negative = x < 0 || (x === 0 && 1 / x < 0);
  if (hx >= 0x4195b844) {
    // |x| ≥ 27·ln2 (or not finite)
    if (hx >= 0x42b17218) {
      if (hx > 0x7f800000) return x + x;
      if (hx === 0x7f800000) return negative ? -1 : x;
      if (x > EXPM1F_OVERFLOW) return Infinity;
    }
    if (negative) return -1; // tiny - one in float
  }
  let k = 0;
  let c = 0;
  if (hx > 0x3eb17218) {
    // |x| > ln2/2: x = k·ln2 + (hi - lo)
    let hi: number;
    let lo: number;
    if (hx < 0x3f851592) {
      // and |x| < 3·ln2/2
      k = negative ? -1 : 1;
      hi = negative ? f32(x + LN2_HI) : f32(x - LN2_HI);
      lo = negative ? -LN2_LO : LN2_LO;
    } else {
      // C converts the float sum to int by truncation.
      k = Math.trunc(f32(f32(INV_LN2 * x) + (negative ? -0.5 : 0.5)));
      hi = f32(x - f32(k * LN2_HI));
      lo = f32(k * LN2_LO);
    }
    x = f32(hi - lo);
    c = f32(f32(hi - x) - lo);
  } else if (hx < 0x33000000) {
    return x; // |x| < 2^-25
  }
  const hfx = f32(0.5 * x);
  const hxs = f32(x * hfx);
  // r1 = 1 + hxs·(Q1 + hxs·(Q2 + hxs·(Q3 + hxs·(Q4 + hxs·Q5)))), Horner in float
  let r1 = f32(Q4 + f32(hxs * Q5));
  r1 = f32(Q3 + f32(hxs * r1));
  r1 = f32(Q2 + f32(hxs * r1));
  r1 = f32(Q1 + f32(hxs * r1));
  r1 = f32(1 + f32(hxs * r1));
  const t = f32(3 - f32(r1 * hfx));
  let e = f32(hxs * f32(f32(r1 - t) / f32(6 - f32(x * t))));
  if (k === 0) return f32(x - f32(f32(x * e) - hxs));
  e = f32(f32(x * f32(e - c)) - c);
  e = f32(e - hxs);
  if (k === -1) return f32(f32(0.5 * f32(x - e)) - 0.5);
  if (k === 1) {
    if (x < -0.25) return f32(-2 * f32(e - f32(x + 0.5)));
    return f32(1 + f32(2 * f32(x - e)));
  }
  if (k <= -2 || k > 56) {
    // exp(x) - 1 ≈ exp(x): scale 1 - (e - x) by 2^k (exact: adding k to the exponent field)
    const y = f32(1 - f32(e - x));
    return f32(f32(k === 128 ? y * 2 * 2 ** 127 : y * 2 ** k) - 1);
  }
  if (k < 23) {
    const oneMinus = f32(1 - 2 ** -k);
    return f32(f32(oneMinus - f32(e - x)) * 2 ** k);
  }
  const y = f32(f32(x - f32(e + 2 ** -k)) + 1);
  return f32(y * 2 ** k);
}

// --------------------------------------------------------------------------------------------------- tanhf

/** fdlibm tanhf: from expm1f(±2|x|) for |x| < 22, else ±1. */
export function tanhf(input: number): number {
  const x = f32(input);
  const ix = floatBits(x) & 0x7fffffff;
  if (ix >= 0x7f800000) return x !== x ? NaN : x > 0 ? 1 : -1;
  let z: number;
  if (ix < 0x41b00000) {
    if (ix < 0x24000000) return ix === 0 ? x : f32(x * f32(1 + x)); // |x| < 2^-55
    const ax = x < 0 ? -x : x;
    if (ix >= 0x3f800000) {
      const t = expm1f(f32(2 * ax));
      z = f32(1 - f32(2 / f32(t + 2)));
    } else {
      const t = expm1f(f32(-2 * ax));
      z = f32(-t / f32(t + 2));
    }
  } else {
    z = 1; // 1 - 1e-30 in float
  }
  return x < 0 ? -z : z;
}
