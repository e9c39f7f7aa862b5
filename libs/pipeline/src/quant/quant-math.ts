/**
 * TFLite's integer arithmetic, written independently of libs/tinyml so the two can check each other:
 * QuantizeMultiplier, MultiplyByQuantizedMultiplier (gemmlowp SaturatingRoundingDoublingHighMul +
 * RoundingDivideByPOT), and the asymmetric/symmetric parameter choices of the TFLite converter.
 */

export interface QuantParams {
  /** float32-representable (Math.fround), as stored in the flatbuffer. */
  scale: number;
  zeroPoint: number;
}

export interface Multiplier {
  multiplier: number;
  shift: number;
}

/** frexp: m = q * 2^e with q in [0.5, 1). */
function frexp(m: number): { q: number; e: number } {
  let e = Math.floor(Math.log2(m)) + 1;
  let q = m / 2 ** e;
  if (q >= 1) {
    q /= 2;
    e++;
  } else if (q < 0.5) {
    q *= 2;
    e--;
  }
  return { q, e };
}

/** tflite::QuantizeMultiplier for a positive real multiplier. */
export function quantizeMultiplier(real: number): Multiplier {
  if (real === 0) return { multiplier: 0, shift: 0 };
  if (!(real > 0) || !Number.isFinite(real)) throw new Error(`multiplier must be positive and finite, got ${real}`);
  const { q, e } = frexp(real);
  let shift = e;
  let qFixed = Math.round(q * 2 ** 31);
  if (qFixed === 2 ** 31) {
    qFixed /= 2;
    shift++;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  if (shift > 30) throw new Error(`multiplier ${real} too large for int32 fixed point`);
  return { multiplier: qFixed, shift };
}

const TWO31 = 2n ** 31n;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Reference (BigInt) version, kept for the spec that checks the fast one. */
export function saturatingRoundingDoublingHighMulBig(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  // C++ integer division truncates toward zero; BigInt division does too.
  return Number((ab + nudge) / TWO31);
}

/**
 * Exact without BigInt: a*b can need 62 bits, so split b = bh*2^16 + bl and carry the part of
 * a*bh above 2^15 separately; every intermediate stays below 2^53.
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const bl = b & 0xffff; // b = bh * 65536 + bl, 0 <= bl < 65536
  const bh = (b - bl) / 65536;
  const A = a * bh; // |A| < 2^46
  const aHi = Math.floor(A / 32768);
  const aLo = A - aHi * 32768; // 0 <= aLo < 2^15
  const sign = a === 0 || b === 0 ? 0 : a > 0 === b > 0 ? 1 : -1;
  const nudge = sign >= 0 ? 2 ** 30 : 1 - 2 ** 30;
  const R = aLo * 65536 + a * bl + nudge; // ab + nudge = aHi * 2^31 + R, |R| < 2^48
  const total = aHi * 2 ** 31 + R; // only its sign is used (rounding cannot flip it)
  return total >= 0 ? aHi + Math.floor(R / 2 ** 31) : aHi + Math.ceil(R / 2 ** 31);
}

function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** tflite::MultiplyByQuantizedMultiplier (the TFLM reference, double-rounding variant). */
export function multiplyByQuantizedMultiplier(x: number, m: Multiplier): number {
  const leftShift = m.shift > 0 ? m.shift : 0;
  const rightShift = m.shift > 0 ? 0 : -m.shift;
  const shifted = x * 2 ** leftShift;
  if (shifted > INT32_MAX || shifted < INT32_MIN) throw new Error(`accumulator ${x} << ${leftShift} overflows int32`);
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(shifted | 0, m.multiplier), rightShift);
}

/** Per-tensor asymmetric int8 parameters covering [min, max] (always including 0, as TFLite nudges). */
export function asymmetricParams(min: number, max: number): QuantParams {
  const lo = Math.min(0, min);
  let hi = Math.max(0, max);
  if (hi - lo < 1e-8) hi = lo + 1e-8;
  const scale = Math.fround((hi - lo) / 255);
  const zeroPoint = Math.max(-128, Math.min(127, Math.round(-128 - lo / scale)));
  return { scale, zeroPoint };
}

export function quantizeValue(x: number, p: QuantParams): number {
  return Math.max(-128, Math.min(127, Math.round(x / p.scale) + p.zeroPoint));
}

export function dequantizeValue(q: number, p: QuantParams): number {
  return (q - p.zeroPoint) * p.scale;
}

/**
 * Per-channel symmetric int8 weights (zero point 0, range [-127, 127]) along `channelAxisStride`:
 * `weights` is laid out with the output channel outermost ([out, ...]).
 */
export function quantizePerChannel(weights: Float32Array, outChannels: number): { q: Int8Array; scales: number[] } {
  const per = weights.length / outChannels;
  const q = new Int8Array(weights.length);
  const scales: number[] = [];
  for (let c = 0; c < outChannels; c++) {
    let maxAbs = 0;
    for (let i = 0; i < per; i++) maxAbs = Math.max(maxAbs, Math.abs(weights[c * per + i]));
    // An all-zero (fully pruned) channel still needs a valid positive scale.
    const scale = Math.fround(maxAbs > 0 ? maxAbs / 127 : 1 / 127);
    scales.push(scale);
    for (let i = 0; i < per; i++)
      q[c * per + i] = Math.max(-127, Math.min(127, Math.round(weights[c * per + i] / scale)));
  }
  return { q, scales };
}

/** Output clamp range of a fused activation, in the output's quantized domain. */
export function activationRange(activation: 'none' | 'relu' | 'relu6', out: QuantParams): [number, number] {
  const qmin = -128;
  const qmax = 127;
  if (activation === 'none') return [qmin, qmax];
  const lo = Math.max(qmin, out.zeroPoint);
  if (activation === 'relu') return [lo, qmax];
  return [lo, Math.min(qmax, out.zeroPoint + Math.round(6 / out.scale))];
}
