/**
 * The int16 overloads of gemmlowp's fixed-point primitives and the int16 helpers of TFLite's reference
 * hard_swish.h / common.h, for the int8 HARD_SWISH path. Each result is an int16 value as the C++ code stores it
 * (int arithmetic, then a conversion to int16_t), so every function returns a number in [-32768, 32767].
 */

const INT16_MIN = -32768;
const INT16_MAX = 32767;

/** A C++ int -> int16_t conversion: keeps the low 16 bits, two's complement (what GCC and Clang do). */
export function wrapInt16(x: number): number {
  return (x << 16) >> 16;
}

/**
 * gemmlowp SaturatingRoundingDoublingHighMul<int16_t>: (a*b + nudge) / 2^15 with C++ truncating division, nudge
 * 2^14 for a non-negative product and 1 - 2^14 otherwise; only -32768 * -32768 saturates.
 */
export function saturatingRoundingDoublingHighMulInt16(a: number, b: number): number {
  if (a === INT16_MIN && b === INT16_MIN) return INT16_MAX;
  const ab = a * b;
  // `| 0` truncates toward zero like C++ integer division (|quotient| <= 2^15).
  return ((ab + (ab >= 0 ? 16384 : -16383)) / 32768) | 0;
}

/**
 * hard_swish.h SaturatingDoublingHighMul (ARM SQDMULH): like the rounding one but truncating a*b / 2^15 toward
 * zero, which cancels the bias the rounding multiplications before it introduce.
 */
export function saturatingDoublingHighMulInt16(a: number, b: number): number {
  if (a === INT16_MIN && b === INT16_MIN) return INT16_MAX;
  return ((a * b) / 32768) | 0;
}

/**
 * gemmlowp RoundingDivideByPOT<int16_t>, exponent in [0, 31]. The mask is `(1ll << exponent) - 1` converted to int16_t, so for an
 * exponent of 16 or more it is -1: the remainder is then x itself and the threshold -1 (x >= 0) or 0, so every
 * x >= 0 gives 1 and every x < 0 gives -1. Kept as the reference computes it.
 */
export function roundingDivideByPOTInt16(x: number, exponent: number): number {
  const mask = exponent >= 16 ? -1 : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * hard_swish.h SaturatingLeftShift: value * (1 << amount) in int64, clamped to int16. `1 << amount` is the C++ int
 * expression: JS `<<` takes the amount modulo 32 and wraps at 2^31 as x86-64's shift does.
 */
export function saturatingLeftShiftInt16(value: number, amount: number): number {
  const result = value * (1 << amount);
  return result > INT16_MAX ? INT16_MAX : result < INT16_MIN ? INT16_MIN : result;
}

/** common.h DownScaleInt32ToInt16Multiplier: a Q31 multiplier (>= 0) rounded to Q15, saturating at 32767. */
export function downScaleInt32ToInt16Multiplier(multiplier: number): number {
  const roundingOffset = 1 << 15;
  if (multiplier >= 2147483647 - roundingOffset) return INT16_MAX;
  return (multiplier + roundingOffset) >> 16;
}
