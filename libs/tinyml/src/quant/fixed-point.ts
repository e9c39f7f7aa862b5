/**
 * TFLM / gemmlowp fixed-point primitives, emulated exactly with JS doubles.
 *
 * The reference build (tflite-micro @ 90b983c2, x86-64 host, TFLITE_SINGLE_ROUNDING undefined) uses the
 * "double rounding" MultiplyByQuantizedMultiplier: SaturatingRoundingDoublingHighMul followed by
 * RoundingDivideByPowerOfTwo. The reference outputs in shared/reference-models confirm this variant.
 *
 * 64-bit products are never formed as one double (that would lose bits above 2^53); they are split into
 * exact partial products of at most 2^47 in magnitude. No BigInt on any eval path.
 */
// Bound once at load: looking up the global `Math` inside hot loops is slow in vm sandboxes (e.g. Jest).
const {
  abs: mathAbs,
  floor: mathFloor,
  imul: mathImul,
  log2: mathLog2,
  max: mathMax,
  pow: mathPow,
  round: mathRound,
  trunc: mathTrunc,
} = Math;

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
const TWO_POW_15 = 32768;
const TWO_POW_16 = 65536;
const TWO_POW_30 = 1073741824;
const TWO_POW_31 = 2147483648;
const TWO_POW_52 = 4503599627370496;
/** Multiplying by a power of two is exact and much cheaper than dividing. */
const INV_TWO_POW_31 = 1 / TWO_POW_31;

/**
 * gemmlowp SaturatingRoundingDoublingHighMul: (a*b*2 + round) >> 32 with C++ truncating division,
 * computed as high 32 bits of the exact 64-bit product. a, b are int32.
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const direct = a * b;
  if (direct < TWO_POW_52 && direct > -TWO_POW_52) {
    // Fast path: the product is exact in a double, and adding the nudge keeps it exact.
    return mathTrunc((direct + (direct >= 0 ? TWO_POW_30 : 1 - TWO_POW_30)) * INV_TWO_POW_31) | 0;
  }
  // b = bHi * 2^16 + bLo, bLo in [0, 2^16): both partial products are exact (< 2^47).
  const bLo = b & 0xffff;
  const bHi = (b - bLo) / TWO_POW_16;
  const p1 = a * bHi;
  const p0 = a * bLo;
  // p1 * 2^16 = q1 * 2^31 + r1 * 2^16, r1 in [0, 2^15)
  const q1 = mathFloor(p1 / TWO_POW_15);
  const r1 = p1 - q1 * TWO_POW_15;
  const negative = p1 * TWO_POW_16 + p0 < 0; // sign is exact enough: only the sign matters here
  const nudge = negative ? 1 - TWO_POW_30 : TWO_POW_30;
  const t = r1 * TWO_POW_16 + p0 + nudge; // exact, |t| < 2^48
  const tq = mathFloor(t / TWO_POW_31);
  const f = q1 + tq; // floor((ab + nudge) / 2^31)
  if (f >= 0) return f | 0;
  // C++ '/' truncates toward zero: add one when the division was inexact.
  const rem = t - tq * TWO_POW_31;
  return (rem !== 0 ? f + 1 : f) | 0;
}

/** gemmlowp RoundingDivideByPOT: round-half-away-from-zero arithmetic right shift of an int32. */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = exponent >= 31 ? 0x7fffffff : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * TFLM MultiplyByQuantizedMultiplier (double-rounding variant). x is int32 (wraps like the C++ code would
 * on the left shift), shift > 0 is a left shift, shift < 0 a rounding right shift.
 */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  // Hot path, kept tiny so V8 inlines it into kernel loops: no left shift and a product that is exact in a
  // double (|x * m| < 2^52), which covers requantization of conv/FC accumulators.
  const ab = x * multiplier;
  if (shift <= 0 && ab < TWO_POW_52 && ab > -TWO_POW_52) {
    const high = mathTrunc((ab + (ab >= 0 ? TWO_POW_30 : 1 - TWO_POW_30)) * INV_TWO_POW_31);
    const exponent = -shift;
    const mask = (1 << exponent) - 1; // exponent 31 gives -2^31 - 1, which `&` reads as 0x7fffffff
    const threshold = (mask >> 1) + (high < 0 ? 1 : 0);
    return (high >> exponent) + ((high & mask) > threshold ? 1 : 0);
  }
  return multiplyByQuantizedMultiplierSlow(x, multiplier, shift);
}

function multiplyByQuantizedMultiplierSlow(x: number, multiplier: number, shift: number): number {
  if (shift <= 0) return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x | 0, multiplier), -shift);
  return saturatingRoundingDoublingHighMul(mathImul(x, 1 << shift), multiplier);
}

const TWO_POW_24 = 16777216;
const TWO_POW_47 = 140737488355328;

/**
 * TFLM's int64 MultiplyByQuantizedMultiplier (16x8 kernels' int64 accumulators): the multiplier reduced to
 * Q15 ((m + 2^15) >> 16, at most 0x7FFF), then (x * reduced + 2^(14 - shift)) >> (15 - shift). x must be an
 * integer with |x| < 2^47 (TFLM asserts it); shift in [-31, 7]. The 62-bit product is formed from two exact
 * partial products (x split at 2^24), so no bit is lost; the result is the low 32 bits, as the C++ cast.
 */
export function multiplyByQuantizedMultiplierInt64(x: number, multiplier: number, shift: number): number {
  const reduced = multiplier < 0x7fff0000 ? (multiplier + TWO_POW_15) >> 16 : 0x7fff;
  const totalShift = 15 - shift;
  const direct = x * reduced;
  if (direct < TWO_POW_52 && direct > -TWO_POW_52) {
    // Exact product; the arithmetic shift of (product + round) is a floor division by 2^totalShift.
    return mathFloor((direct + mathPow(2, totalShift - 1)) / mathPow(2, totalShift)) | 0;
  }
  // x = xHi * 2^24 + xLo, xLo in [0, 2^24): hi = xHi * reduced (< 2^39), lo = xLo * reduced + round (< 2^47).
  const xLo = x - mathFloor(x / TWO_POW_24) * TWO_POW_24;
  const hi = ((x - xLo) / TWO_POW_24) * reduced;
  const lo = xLo * reduced + mathPow(2, totalShift - 1);
  if (totalShift >= 24) return mathFloor((hi + mathFloor(lo / TWO_POW_24)) / mathPow(2, totalShift - 24)) | 0;
  return (hi * mathPow(2, 24 - totalShift) + mathFloor(lo / mathPow(2, totalShift))) | 0;
}

/** Whether an int64 accumulator value is inside the range TFLM's int64 MultiplyByQuantizedMultiplier accepts. */
export function fitsInt64Accumulator(x: number): boolean {
  return x >= -TWO_POW_47 && x < TWO_POW_47;
}

/** MultiplyByQuantizedMultiplierGreaterThanOne (softmax input scaling): left shift then high mul. */
export function multiplyByQuantizedMultiplierGreaterThanOne(x: number, multiplier: number, leftShift: number): number {
  return saturatingRoundingDoublingHighMul(mathImul(x, 1 << leftShift), multiplier);
}

export interface QuantizedMultiplier {
  /** Q31 fixed-point multiplier in [2^30, 2^31) (or 0). */
  multiplier: number;
  /** Power-of-two exponent: value = multiplier * 2^(shift - 31). */
  shift: number;
}

/** C frexp: x = m * 2^e with 0.5 <= |m| < 1. */
export function frexp(x: number): { mantissa: number; exponent: number } {
  if (x === 0 || !Number.isFinite(x)) return { mantissa: x, exponent: 0 };
  const abs = mathAbs(x);
  let exponent = mathMax(-1073, mathFloor(mathLog2(abs)) + 1);
  let mantissa = abs * mathPow(2, -exponent);
  // log2 can be off by one near powers of two; normalise into [0.5, 1).
  while (mantissa < 0.5) {
    mantissa *= 2;
    exponent -= 1;
  }
  while (mantissa >= 1) {
    mantissa /= 2;
    exponent += 1;
  }
  return { mantissa: x < 0 ? -mantissa : mantissa, exponent };
}

/** TfLiteRound / std::round: half away from zero. */
export function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -mathRound(-x) : mathRound(x);
}

/** TFLM QuantizeMultiplier: frexp-based Q31 multiplier and shift for a positive real multiplier. */
export function quantizeMultiplier(realMultiplier: number): QuantizedMultiplier {
  if (realMultiplier === 0) return { multiplier: 0, shift: 0 };
  const { mantissa, exponent } = frexp(realMultiplier);
  let shift = exponent;
  let qFixed = roundHalfAwayFromZero(mantissa * TWO_POW_31);
  if (qFixed === TWO_POW_31) {
    qFixed /= 2;
    shift += 1;
  }
  if (shift < -31) {
    shift = 0;
    qFixed = 0;
  }
  return { multiplier: qFixed, shift };
}

/** Saturating left shift by a constant exponent (gemmlowp SaturatingRoundingMultiplyByPOT, exponent > 0). */
export function saturatingShiftLeft(x: number, exponent: number): number {
  const threshold = (1 << (31 - exponent)) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return x << exponent;
}

/** gemmlowp SaturatingRoundingMultiplyByPOT<exponent> for either sign of exponent. */
export function saturatingRoundingMultiplyByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  return exponent > 0 ? saturatingShiftLeft(x, exponent) : roundingDivideByPOT(x, -exponent);
}

/** CalculateInputRadius (softmax/logistic/tanh): the largest input magnitude that does not saturate. */
export function calculateInputRadius(inputIntegerBits: number, inputLeftShift: number, totalSignedBits = 31): number {
  const maxInputRescaled =
    (1.0 * ((1 << inputIntegerBits) - 1) * mathPow(2, totalSignedBits - inputIntegerBits)) / mathPow(2, inputLeftShift);
  return mathFloor(maxInputRescaled);
}

/**
 * GetInvSqrtQuantizedMultiplierExp (kernels/internal/common.h): 1/sqrt(input) as a multiplier and shift, by five
 * Newton-Raphson steps in gemmlowp FixedPoint<int32, 3>; `reverseShift` -1 (kReverseShift) returns a left shift.
 * Writes [multiplier, shift] into `out` so per-element callers (int8 RSQRT) allocate nothing.
 */
export function getInvSqrtQuantizedMultiplierExp(input: number, reverseShift: number, out: Int32Array): void {
  if (input <= 1) {
    // The reference treats 0 (invalid) like 1, whose general computation would overflow.
    out[0] = INT32_MAX;
    out[1] = 0;
    return;
  }
  let shift = 11;
  while (input >= 1 << 29) {
    input = (input / 4) | 0;
    shift++;
  }
  const leftShiftBitPairs = (((Math.clz32(input) - 1) / 2) | 0) - 1;
  shift -= leftShiftBitPairs;
  input <<= 2 * leftShiftBitPairs;
  // F3 raw values: input / 2 is the F3 input, 1.5 is (1 << 28) + (1 << 27), One() is 1 << 28.
  const fixedInput = input >> 1;
  const halfInput = roundingDivideByPOT(fixedInput, 1);
  const halfThree = (1 << 28) + (1 << 27);
  let x = 1 << 28;
  for (let i = 0; i < 5; i++) {
    // x*x*x is F9; Rescale<3> multiplies by 2^6 (saturating). F3*F3 products are F6; Rescale<3> is 2^3.
    const x3 = saturatingShiftLeft(saturatingRoundingDoublingHighMul(saturatingRoundingDoublingHighMul(x, x), x), 6);
    const diff =
      (saturatingRoundingDoublingHighMul(halfThree, x) - saturatingRoundingDoublingHighMul(halfInput, x3)) | 0;
    x = saturatingShiftLeft(diff, 3);
  }
  // x * sqrt(2)/2 in F0 (raw 1518500250).
  let multiplier = saturatingRoundingDoublingHighMul(x, 1518500250);
  if (shift < 0) {
    multiplier <<= -shift;
    shift = 0;
  }
  out[0] = multiplier;
  out[1] = shift * reverseShift;
}
