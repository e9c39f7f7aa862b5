/**
 * The gemmlowp fixed-point transcendental functions TFLM's int8 softmax / logistic / tanh use.
 * Values are raw int32 of gemmlowp::FixedPoint<int32_t, integerBits>; a FixedPoint product of
 * F<a> * F<b> is F<a+b> with raw SaturatingRoundingDoublingHighMul(a, b); sums wrap like int32.
 */
import {
  INT32_MAX,
  INT32_MIN,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul as mul,
  saturatingRoundingMultiplyByPOT,
} from './fixed-point';

// Bound once at load: looking up the global `Math` inside hot loops is slow in vm sandboxes (e.g. Jest).
const { clz32: mathClz32, max: mathMax, min: mathMin, trunc: mathTrunc } = Math;

/** gemmlowp RoundingHalfSum for int32: (a + b + sign) / 2 with truncation. */
function roundingHalfSum(a: number, b: number): number {
  const sum = a + b; // exact in a double
  const sign = sum >= 0 ? 1 : -1;
  return mathTrunc((sum + sign) / 2);
}

/** Newton-Raphson refinement shared by 1/(1+x) and (1-x)/(1+x); returns x as F2 raw. */
function newtonReciprocalF2(halfDenominator: number): number {
  const constant48Over17 = 1515870810; // F2 48/17
  const constantNeg32Over17 = -1010580540; // F2 -32/17
  const oneF2 = 1 << 29;
  let x = (constant48Over17 + mul(halfDenominator, constantNeg32Over17)) | 0;
  for (let i = 0; i < 3; i++) {
    const halfDenominatorTimesX = mul(halfDenominator, x);
    const oneMinus = (oneF2 - halfDenominatorTimesX) | 0;
    x = (x + saturatingRoundingMultiplyByPOT(mul(x, oneMinus), 2)) | 0;
  }
  return x;
}

/** gemmlowp one_over_one_plus_x_for_x_in_0_1: F0 in, F0 out. */
export function oneOverOnePlusXForXIn01(a: number): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX);
  const x = newtonReciprocalF2(halfDenominator);
  // ExactMulByPot<-1> reinterprets F2 as F1; Rescale<0> from F1 is a saturating shift left by 1.
  return saturatingRoundingMultiplyByPOT(x, 1);
}

/** gemmlowp one_minus_x_over_one_plus_x_for_x_in_0_1: F0 in, F0 out. */
export function oneMinusXOverOnePlusXForXIn01(a: number): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX);
  const x = newtonReciprocalF2(halfDenominator);
  return saturatingRoundingMultiplyByPOT((x - (1 << 29)) | 0, 2);
}

/** gemmlowp exp_on_interval_between_negative_one_quarter_and_0_excl: F0 in, F0 out. */
function expOnIntervalBetweenNegativeOneQuarterAnd0Excl(a: number): number {
  const constantTerm = 1895147668; // exp(-1/8)
  const constant1Over3 = 715827883;
  const x = (a + (1 << 28)) | 0;
  const x2 = mul(x, x);
  const x3 = mul(x2, x);
  const x4 = mul(x2, x2);
  const x4Over4 = roundingDivideByPOT(x4, 2);
  const poly = roundingDivideByPOT((mul((x4Over4 + x3) | 0, constant1Over3) + x2) | 0, 1);
  return (constantTerm + mul(constantTerm, (x + poly) | 0)) | 0;
}

const EXP_BARREL: ReadonlyArray<readonly [number, number]> = [
  [-2, 1672461947],
  [-1, 1302514674],
  [0, 790015084],
  [1, 290630308],
  [2, 39332535],
  [3, 720401],
  [4, 242],
];

/**
 * gemmlowp exp_on_negative_values for FixedPoint<int32, integerBits> input (integerBits <= 5 here),
 * returning F0 raw.
 */
export function expOnNegativeValues(a: number, integerBits: number): number {
  const fractionalBits = 31 - integerBits;
  const oneQuarter = 1 << (fractionalBits - 2);
  const mask = oneQuarter - 1;
  const aModQuarterMinusOneQuarter = ((a & mask) - oneQuarter) | 0;
  let result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(
    saturatingRoundingMultiplyByPOT(aModQuarterMinusOneQuarter, integerBits),
  );
  const remainder = (aModQuarterMinusOneQuarter - a) | 0;
  for (const [exponent, multiplier] of EXP_BARREL) {
    if (integerBits > exponent) {
      const shiftAmount = fractionalBits + exponent;
      if ((remainder & (1 << shiftAmount)) !== 0) result = mul(result, multiplier);
    }
  }
  return a === 0 ? INT32_MAX : result;
}

/** gemmlowp logistic for FixedPoint<int32, integerBits>, F0 raw out. */
export function logisticFixed(a: number, integerBits: number): number {
  if (a === 0) return 1 << 30;
  const positive = a > 0;
  const absInput = positive ? a : -a | 0;
  const resultIfPositive = oneOverOnePlusXForXIn01(expOnNegativeValues(-absInput | 0, integerBits));
  return positive ? resultIfPositive : (INT32_MAX - resultIfPositive) | 0;
}

/** gemmlowp tanh for FixedPoint<int32, integerBits>, F0 raw out. */
export function tanhFixed(a: number, integerBits: number): number {
  if (a === 0) return 0;
  const negative = a < 0;
  const n = negative ? a : -a | 0;
  // ExactMulByPot<1> reinterprets the raw value with one more integer bit.
  const t = oneMinusXOverOnePlusXForXIn01(expOnNegativeValues(n, integerBits + 1));
  return negative ? -t | 0 : t;
}

/** int32 addition / subtraction saturated to the int32 range (SaturatingAddNonGemmlowp, gemmlowp SaturatingSub). */
function saturatingAdd(a: number, b: number): number {
  const sum = a + b; // exact in a double
  return sum > INT32_MAX ? INT32_MAX : sum < INT32_MIN ? INT32_MIN : sum;
}

/** SaturatingRoundingMultiplyByPOTParam: a shift by 0 is the identity, a positive one saturates. */
const pot = saturatingRoundingMultiplyByPOT;

// F0 constants of log_x_for_x_greater_than_or_equal_to_1_impl (kernels/internal/common.h), as raw Q0.31.
const LOG_2 = 1488522236; // log(2)
const SQRT_SQRT_HALF = 1805811301; // 0.5^(1/4)
const SQRT_HALF = 1518500250; // sqrt(0.5)
const ONE_QUARTER = 536870912;
const ALPHA_N = 117049297; // 11/240 · 2^(1/4)
const ALPHA_D = 127690142; // 1/20 · 2^(1/4)
const ALPHA_I = 1057819769; // 2 / 2^(1/4) - 2^(1/4)
const ALPHA_F = 638450708; // 1/4 · 2^(1/4)

/**
 * TFLM log_x_for_x_greater_than_or_equal_to_1<outputIntegerBits>(FixedPoint<int32, inputIntegerBits>): log(x) as
 * raw FixedPoint<outputIntegerBits>. The input's power of two is read off its leading zeros twice (as is and times
 * sqrt(1/2), keeping the better-centred mantissa r), log(r) comes from a rational approximation around 2^(-1/4)
 * with gemmlowp's 1/(1+x), and the sum is accumulated with one extra integer bit before rescaling. Products are
 * gemmlowp FixedPoint products (SaturatingRoundingDoublingHighMul), sums wrap like int32 except where the
 * reference saturates.
 */
export function logXForXGreaterThanOrEqualTo1(
  input: number,
  inputIntegerBits: number,
  outputIntegerBits: number,
): number {
  const accumIntegerBits = outputIntegerBits + 1;
  // Rescale<accumIntegerBits> of F0 1/4: a rounding right shift.
  const shiftedQuarter = roundingDivideByPOT(ONE_QUARTER, accumIntegerBits);
  const zA = input;
  const zAHeadroomPlus1 = mathClz32(zA);
  const rATmp = pot(zA, zAHeadroomPlus1 - 1);
  const rA = pot(mul(rATmp, SQRT_HALF), 1);
  const zAPow2Adj = saturatingAdd(pot(inputIntegerBits - zAHeadroomPlus1, 31 - accumIntegerBits), shiftedQuarter);
  // z_b is z_a premultiplied by sqrt(1/2).
  const zB = mul(zA, SQRT_HALF);
  const zBHeadroom = mathClz32(zB) - 1;
  const rB = pot(zA, zBHeadroom);
  const zBPow2Adj = saturatingAdd(pot(inputIntegerBits - zBHeadroom, 31 - accumIntegerBits), -shiftedQuarter);
  const r = mathMin(rA, rB);
  const zPow2Adj = mathMax(zAPow2Adj, zBPow2Adj);
  const p = roundingHalfSum(r, SQRT_SQRT_HALF);
  let q = (r - SQRT_SQRT_HALF) | 0;
  q = (q + q) | 0;
  const commonSq = mul(q, q);
  const num = (mul(q, r) + mul(mul(q, commonSq), ALPHA_N)) | 0;
  const denomMinusOne = (mul(p, (ALPHA_I + q + mul(ALPHA_D, commonSq)) | 0) + mul(ALPHA_F, q)) | 0;
  const recipDenom = oneOverOnePlusXForXIn01(denomMinusOne);
  const numScaled = roundingDivideByPOT(num, accumIntegerBits);
  const sum = (mul(zPow2Adj, LOG_2) + mul(numScaled, recipDenom)) | 0;
  // Rescale<outputIntegerBits> from accumIntegerBits: one saturating left shift.
  return pot(sum, accumIntegerBits - outputIntegerBits);
}
