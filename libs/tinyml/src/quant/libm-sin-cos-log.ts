/**
 * glibc's float32 sinf / cosf / logf as the reference host ran them (glibc 2.36, x86-64 with FMA), for the
 * kernels that call std::sin / std::cos / std::log on floats (TFLM's SIN, COS, LOG and float LOG_SOFTMAX): TFLM's
 * recorded outputs came from them, and they are not correctly rounded, so rounding Math.sin / cos / log to float
 * differs from them in the last bit on millions of inputs (README "float32 sin, cos, log").
 *
 * Reproduced: glibc's algorithms since 2.28 (ARM's optimized routines), their tables and coefficients and their
 * evaluation order, all in double, rounded to float once. On FMA hosts x86-64 glibc runs a build compiled with
 * -mfma in which every a·b + c of these routines is one fused multiply-add (libm.so.6's disassembly). Only one of
 * them changes a result: sin / cos's x - n·π/2, done here exactly in two parts; evaluating the others unfused
 * gives the same floats on all 2^32 inputs (exhaustive comparison of a C replica with glibc, README).
 * - sinf / cosf: |x| < 2^-12 gives x (sin) or 1 (cos); |x| < 0.75 a polynomial in x (odd, sin) or x² (even,
 *   cos); |x| < 120 reduces x - n·π/2 with n from x·2/π; larger x reduce with 4/π to 192 bits in integer
 *   arithmetic. The quadrant picks the polynomial and the sign. The branch tests compare the top 12 bits of |x|
 *   (exponent and 3 mantissa bits), as glibc does: hence 0.75 where it names π/4.
 * - logf: x = 2^k·z, z in [0.699, 1.398) split into 16 intervals with a table of (1/c, log c); log x =
 *   log1p(z/c - 1) + log c + k·ln2, log1p by a degree-3 polynomial. Subnormals are normalised first.
 * - NaNs: glibc's bit patterns. An invalid operation (log of x < 0, sin / cos of ±inf) gives the x86 default NaN
 *   (0xffc00000); a NaN input is returned as is.
 *
 * Per element: no allocation, no BigInt; the large-range product is built from 32-bit halves in doubles.
 */
import { doubleFromBits, floatBits, floatFromBits } from './float-bits';
const { fround: f32, floor, imul } = Math;

/** The x86 default NaN of an invalid operation (0/0, inf - inf): sign bit set, quiet bit set, no payload. */
const INVALID_NAN = floatFromBits(0xffc00000);

// ------------------------------------------------------------------------------------------- sinf / cosf

/**
 * Top 12 bits of |x|'s float pattern (exponent and 3 mantissa bits) at which glibc switches branch: below 0x398
 * |x| < 2^-12; below 0x3f4 |x| < 0.75 (glibc compares with π/4's top bits, 0x3f4, so [0.75, π/4) goes to the
 * reduction with n = 0); below 0x42f |x| < 120; below 0x7f8 finite.
 */
const TOP_TINY = 0x398;
const TOP_SMALL = 0x3f4;
const TOP_FAST = 0x42f;
const TOP_FINITE = 0x7f8;

/** Sign of the sine in quadrants 0..3. */
const QUADRANT_SIGN = [1, -1, -1, 1];
/** 2/π·2^24, so that the truncated product carries the quadrant in bits 24..31 (glibc rounds that way). */
const HALF_PI_INV_2P24 = 0x145f306dc9c883 * 2 ** -29;
/**
 * π/2 as glibc's double (0x1.921fb54442d18p0) split into a 31-bit head and a 17-bit tail: n·head and n·tail are
 * exact for |n| ≤ 77, and x - n·head is exact (x is within a factor 2 of n·π/2), so (x - n·head) - n·tail is x -
 * n·π/2 rounded once, the fused multiply-subtract of glibc's FMA build.
 */
const HALF_PI_HEAD = 0x1921fb544 * 2 ** -32;
const HALF_PI_TAIL = 0x10b46 * 2 ** -50;
/** 2π·2^-64: the large-range remainder is a 2.62 fixed-point fraction of a quadrant. */
const PI_2P_MINUS_63 = 0x1921fb54442d18 * 2 ** -114;

/** Sine polynomial x + s1·x³ + s2·x⁵ + s3·x⁷ on [-π/4, π/4]. */
const S1 = -0x1555545995a603 * 2 ** -55;
const S2 = 0x11107605230bc4 * 2 ** -59;
const S3 = -0x1994eb3774cf24 * 2 ** -65;
/** Cosine polynomial c0 + c1·x² + … + c4·x⁸; quadrants 2 and 3 use it negated (glibc's second table). */
const C0 = 1;
const C1 = -0x1ffffffd0c621c * 2 ** -54;
const C2 = 0x155553e1068f19 * 2 ** -57;
const C3 = -0x16c087e89a359d * 2 ** -62;
const C4 = 0x199343027bf8c3 * 2 ** -68;

/** 4/π to 192 bits, 8 new bits per entry so that any 96-bit window starts on an entry (glibc's __inv_pio4). */
const INV_PIO4 = Uint32Array.from([
  0xa2, 0xa2f9, 0xa2f983, 0xa2f9836e, 0xf9836e4e, 0x836e4e44, 0x6e4e4415, 0x4e441529, 0x441529fc, 0x1529fc27,
  0x29fc2757, 0xfc2757d1, 0x2757d1f5, 0x57d1f534, 0xd1f534dd, 0xf534ddc0, 0x34ddc0db, 0xddc0db62, 0xc0db6295,
  0xdb629599, 0x6295993c, 0x95993c43, 0x993c4390, 0x3c439041,
]);

/** Quadrant n of the last reduction (the reductions return the remainder and leave n here). */
let quadrant = 0;

/** x - n·π/2 for |x| < 120 with n = round(x·2/π) (glibc: truncate x·2/π·2^24, add 2^23, shift by 24). */
function reduceFast(x: number): number {
  const n = (((x * HALF_PI_INV_2P24) | 0) + 0x800000) >> 24;
  quadrant = n;
  return x - n * HALF_PI_HEAD - n * HALF_PI_TAIL;
}

/** High 32 bits of the 64-bit product m·a (m < 2^31, a < 2^32), exact: a is split into 16-bit halves. */
function mulHigh32(m: number, a: number): number {
  return floor((m * (a >>> 16) + floor((m * (a & 0xffff)) / 65536)) / 65536);
}

/**
 * x mod π/2 for a finite float with |x| ≥ 120 from its bit pattern: the 24-bit mantissa, shifted by the exponent's
 * low 3 bits, times the 96 bits of 4/π that matter for its exponent gives the fraction of x·4/π mod 8 as a 64-bit
 * fixed-point number with 62 fraction bits (glibc's 32×96-bit product, kept mod 2^64); its top two bits rounded are
 * the quadrant, the signed rest times 2π·2^-64 the remainder. The sign of x is left to the caller.
 */
function reduceLarge(bits: number): number {
  const table = (bits >>> 26) & 15;
  const mantissa = ((bits & 0xffffff) | 0x800000) << ((bits >>> 23) & 7);
  const a4 = INV_PIO4[table + 4];
  // (low32(m·a0) << 32 | high32(m·a8)) + m·a4, mod 2^64, as a high and a low 32-bit word.
  let low = mulHigh32(mantissa, INV_PIO4[table + 8]) + (imul(mantissa, a4) >>> 0);
  const carry = low >= 2 ** 32 ? 1 : 0;
  low -= carry * 2 ** 32;
  const high = (imul(mantissa, INV_PIO4[table]) + mulHigh32(mantissa, a4) + carry) >>> 0;
  const n = ((high + 0x20000000) >>> 30) & 3;
  quadrant = n;
  // The remainder as a signed 64-bit integer, converted with one rounding (its high word times 2^32 is exact).
  return (((high - n * 0x40000000) | 0) * 2 ** 32 + low) * PI_2P_MINUS_63;
}

/**
 * sin(x) for x = ±(the reduced argument) and x2 = its square when the quadrant is even, else ±cos from x2
 * (negate: the quadrant is 2 or 3), in glibc's evaluation order. Its FMA build fuses each multiply-add here; the
 * plain evaluation rounds to the same float on all 2^32 inputs (exhaustive comparison, README), so it is kept.
 */
function sinOrCosPoly(x: number, x2: number, odd: boolean, negate: boolean): number {
  if (!odd) {
    const x3 = x * x2;
    const s1 = S2 + x2 * S3;
    const x7 = x3 * x2;
    const s = x + x3 * S1;
    return f32(s + x7 * s1);
  }
  const sign = negate ? -1 : 1;
  const x4 = x2 * x2;
  const c1 = sign * C0 + x2 * (sign * C1);
  const c2 = sign * C3 + x2 * (sign * C4);
  const x6 = x4 * x2;
  const c = c1 + x4 * (sign * C2);
  return f32(c + x6 * c2);
}

/** glibc sinf of a float32 value (any double is first taken as the float it rounds to). */
export function sinf(input: number): number {
  const y = f32(input);
  const bits = floatBits(y);
  const top = (bits >>> 20) & 0x7ff;
  if (top < TOP_SMALL) {
    if (top < TOP_TINY) return y;
    return sinOrCosPoly(y, y * y, false, false);
  }
  if (top < TOP_FAST) {
    const x = reduceFast(y);
    const n = quadrant;
    return sinOrCosPoly(x * QUADRANT_SIGN[n & 3], x * x, (n & 1) === 1, (n & 2) === 2);
  }
  if (top < TOP_FINITE) {
    const x = reduceLarge(bits);
    const n = quadrant;
    // The quadrant of |x| shifted by the sign bit: sin(-x) = -sin(x) is quadrant n + 2 in sign only.
    const q = n + (bits >>> 31);
    return sinOrCosPoly(x * QUADRANT_SIGN[q & 3], x * x, (n & 1) === 1, (q & 2) === 2);
  }
  return y !== y ? input : INVALID_NAN;
}

/** glibc cosf of a float32 value (any double is first taken as the float it rounds to). */
export function cosf(input: number): number {
  const y = f32(input);
  const bits = floatBits(y);
  const top = (bits >>> 20) & 0x7ff;
  if (top < TOP_SMALL) {
    if (top < TOP_TINY) return 1;
    return sinOrCosPoly(y, y * y, true, false);
  }
  if (top < TOP_FAST) {
    const x = reduceFast(y);
    const n = quadrant;
    return sinOrCosPoly(x * QUADRANT_SIGN[n & 3], x * x, (n & 1) === 0, (n & 2) === 2);
  }
  if (top < TOP_FINITE) {
    const x = reduceLarge(bits);
    const n = quadrant;
    // glibc shifts the quadrant by the sign bit for cos as for sin (the even-quadrant sine sign and the table).
    const q = n + (bits >>> 31);
    return sinOrCosPoly(x * QUADRANT_SIGN[q & 3], x * x, (n & 1) === 0, (q & 2) === 2);
  }
  return y !== y ? input : INVALID_NAN;
}

// --------------------------------------------------------------------------------------------------- logf

/** Interval i of z holds 1/c_i and log(c_i), c_i near its centre (glibc's __logf_data, as bit patterns). */
const LOG_TABLE_BITS: readonly (readonly [number, number, number, number])[] = [
  [0x3ff661ec, 0x79f8f3be, 0xbfd57bf7, 0x808caade],
  [0x3ff571ed, 0x4aaf883d, 0xbfd2bef0, 0xa7c06ddb],
  [0x3ff49539, 0xf0f010b0, 0xbfd01eae, 0x7f513a67],
  [0x3ff3c995, 0xb0b80385, 0xbfcb31d8, 0xa68224e9],
  [0x3ff30d19, 0x0c8864a5, 0xbfc6574f, 0x0ac07758],
  [0x3ff25e22, 0x7b0b8ea0, 0xbfc1aa2b, 0xc79c8100],
  [0x3ff1bb4a, 0x4a1a343f, 0xbfba4e76, 0xce8c0e5e],
  [0x3ff12358, 0xf08ae5ba, 0xbfb1973c, 0x5a611ccc],
  [0x3ff0953f, 0x419900a7, 0xbfa252f4, 0x38e10c1e],
  [0x3ff00000, 0x00000000, 0x00000000, 0x00000000],
  [0x3fee608c, 0xfd9a47ac, 0x3faaa5aa, 0x5df25984],
  [0x3feca4b3, 0x1f026aa0, 0x3fbc5e53, 0xaa362eb4],
  [0x3feb2036, 0x576afce6, 0x3fc526e5, 0x7720db08],
  [0x3fe9c2d1, 0x63a1aa2d, 0x3fcbc286, 0x0d224770],
  [0x3fe886e6, 0x037841ed, 0x3fd1058b, 0xc8a07ee1],
  [0x3fe767dc, 0xf5534862, 0x3fd40430, 0x57b6ee09],
];

const LOG_INV_C = Float64Array.from(LOG_TABLE_BITS, ([hi, lo]) => doubleFromBits(hi, lo));
const LOG_C = Float64Array.from(LOG_TABLE_BITS, ([, , hi, lo]) => doubleFromBits(hi, lo));
/** The bit pattern of ~0.6992: x is split as 2^k·z with z's pattern in [LOG_OFF, LOG_OFF + 2^23). */
const LOG_OFF = 0x3f330000;
const LN2 = 0x162e42fefa39ef * 2 ** -53;
/** log1p(r) ≈ r + A2·r² + A1·r³ + A0·r⁴. */
const A0 = -0x100ea348b88334 * 2 ** -54;
const A1 = 0x15575b0be00b6a * 2 ** -54;
const A2 = -0x1ffffef20a4123 * 2 ** -54;

/** glibc logf of a float32 value (any double is first taken as the float it rounds to). */
export function logf(input: number): number {
  const y = f32(input);
  let bits = floatBits(y);
  if (bits === 0x3f800000) return 0;
  if ((bits - 0x00800000) >>> 0 >= 0x7f000000) {
    // Not a positive normal float.
    if (bits << 1 === 0) return -Infinity;
    if (bits === 0x7f800000) return Infinity;
    if (y !== y) return input;
    if (bits >>> 31 === 1) return INVALID_NAN;
    // A positive subnormal: scaled to a normal float (exact), its exponent put back by hand.
    bits = floatBits(y * 2 ** 23) - (23 << 23);
  }
  const tmp = (bits - LOG_OFF) | 0;
  const i = (tmp >>> 19) & 15;
  const k = tmp >> 23;
  const z = floatFromBits((bits - (tmp & 0xff800000)) >>> 0);
  // glibc's FMA build fuses all five multiply-adds; the plain evaluation rounds to the same float on all 2^32
  // inputs (exhaustive comparison, README), so it is kept.
  const r = z * LOG_INV_C[i] - 1;
  const y0 = LOG_C[i] + k * LN2;
  const r2 = r * r;
  let p = A1 * r + A2;
  p = A0 * r2 + p;
  return f32(p * r2 + (y0 + r));
}
