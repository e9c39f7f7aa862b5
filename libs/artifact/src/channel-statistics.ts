/**
 * How the per-channel standardisation constants (`mean`, `std`) travel in the device manifest, and
 * the rounding that makes fitted constants travel exactly (docs/ota.md "Device manifest").
 *
 * Why this form: the constants are fitted statistics, so any nearby values are equally valid as long
 * as training, evaluation, self-test and the device use the same ones. fitPreprocessing therefore
 * rounds them with roundChannelStatistics to what the manifest carries, and every accuracy figure is
 * the accuracy of the numbers a device decodes. A 128-feature model sent 1,024 bytes of float32
 * constants, a quarter of its transfer; this form takes 3 bytes a channel:
 *
 * - mean: IEEE 754 binary16 (2 bytes, little-endian) × 2^E, one E for the list — the largest |mean|
 *   sits in binary16's top binade, so a mean keeps 11 significant bits whatever the unit (a pressure
 *   of 101,325 Pa fits as well as 0.002 A); error ≤ |mean| × 2^-12, small next to the std of any
 *   channel whose mean is under a few hundred stds.
 * - std: one byte `eeeemmmm` = (1 + m/16) × 2^(E + e), one E for the list — 5 significant bits (at
 *   most 3 % from the fitted value: a channel's spread, not its position, so it only scales what the
 *   network sees) over 16 binades below the largest; a std smaller than that becomes 2^E (the channel
 *   barely varies: it is read a little flatter).
 *
 * Both decode exactly in float32 without pow or any transcendental: integer × power of two (ldexpf),
 * every decoded value a normal float32. A power of two built from its exponent bits is normal for the
 * mean, but the std's 2^(E + e − 4) is not at the lowest E (2^−130): built from bits, the std is
 * 2^(E + e) × (16 + m)/16. Encoding rounds to nearest, ties to even; a value the
 * form cannot hold exactly is refused rather than rounded, so no encoder changes a model's input.
 */

export class ChannelStatisticsError extends Error {
  override name = 'ChannelStatisticsError';
}

/** A list of means or stds as the device manifest carries it: the list's exponent and one code per value. */
export interface EncodedStatistics {
  exponent: number;
  bytes: Uint8Array;
}

/** Bounds of the list exponents: every decoded value is a normal float32 (no flush-to-zero surprises). */
export const MEAN_EXPONENT_MIN = -100;
export const MEAN_EXPONENT_MAX = 112;
export const STD_EXPONENT_MIN = -126;
export const STD_EXPONENT_MAX = 112;

/**
 * The closest constants the device manifest carries exactly: what fitPreprocessing keeps, so that the
 * pipeline trains, evaluates and self-tests with the values a device decodes. Idempotent.
 */
export function roundChannelStatistics(
  mean: readonly number[],
  std: readonly number[],
): { mean: number[]; std: number[] } {
  return { mean: roundMeans(mean), std: roundStds(std) };
}

export function encodeMeans(mean: readonly number[]): EncodedStatistics {
  const exponent = meanExponent(mean);
  const bytes = new Uint8Array(mean.length * 2);
  mean.forEach((v, i) => {
    const bits = binary16Bits(v / pow2(exponent));
    if (bits === null || decodeBinary16(bits) * pow2(exponent) !== v)
      throw new ChannelStatisticsError(
        `mean[${i}] = ${v} is not binary16 × 2^${exponent} (fitPreprocessing rounds with roundChannelStatistics)`,
      );
    bytes[2 * i] = bits & 0xff;
    bytes[2 * i + 1] = bits >> 8;
  });
  return { exponent, bytes };
}

/** Decodes and checks a mean list: binary16 codes that are finite and not −0, and the exponent the encoder picks. */
export function decodeMeans(e: EncodedStatistics): number[] {
  const { exponent, bytes } = e;
  if (!Number.isInteger(exponent) || exponent < MEAN_EXPONENT_MIN || exponent > MEAN_EXPONENT_MAX)
    throw new ChannelStatisticsError(`mean exponent ${exponent} is outside ${MEAN_EXPONENT_MIN}..${MEAN_EXPONENT_MAX}`);
  if (bytes.length === 0 || bytes.length % 2 !== 0)
    throw new ChannelStatisticsError(`mean codes: expected a non-zero multiple of 2 bytes, got ${bytes.length}`);
  const out = Array.from({ length: bytes.length / 2 }, (_, i) => {
    const bits = bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
    if ((bits & 0x7c00) === 0x7c00) throw new ChannelStatisticsError(`mean[${i}] is a binary16 infinity or NaN`);
    if (bits === 0x8000) throw new ChannelStatisticsError(`mean[${i}] is −0 (0 is 00 00)`);
    return decodeBinary16(bits) * pow2(exponent);
  });
  if (meanExponent(out) !== exponent)
    throw new ChannelStatisticsError(
      `mean exponent ${exponent} is not ${meanExponent(out)} (the largest |mean|'s binary16 exponent must be 15)`,
    );
  return out;
}

export function encodeStds(std: readonly number[]): EncodedStatistics {
  const exponent = stdExponent(std);
  const bytes = Uint8Array.from(std, (v, i) => {
    const code = stdCode(v, exponent);
    if (code === null)
      throw new ChannelStatisticsError(
        `std[${i}] = ${v} is not (1 + m/16) × 2^(${exponent} + e) (fitPreprocessing rounds with roundChannelStatistics)`,
      );
    return code;
  });
  return { exponent, bytes };
}

/** Decodes and checks a std list: every byte is a value; the exponent must be the one the encoder picks. */
export function decodeStds(e: EncodedStatistics): number[] {
  const { exponent, bytes } = e;
  if (!Number.isInteger(exponent) || exponent < STD_EXPONENT_MIN || exponent > STD_EXPONENT_MAX)
    throw new ChannelStatisticsError(`std exponent ${exponent} is outside ${STD_EXPONENT_MIN}..${STD_EXPONENT_MAX}`);
  if (bytes.length === 0) throw new ChannelStatisticsError('std codes: expected at least 1 byte, got none');
  const out = Array.from(bytes, (b) => (16 + (b & 15)) * pow2(exponent + (b >> 4) - 4));
  if (stdExponent(out) !== exponent)
    throw new ChannelStatisticsError(
      `std exponent ${exponent} is not ${stdExponent(out)} (the largest std's code must be f0..ff)`,
    );
  return out;
}

function roundMeans(mean: readonly number[]): number[] {
  mean.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new ChannelStatisticsError(`mean[${i}] = ${v} is not finite`);
  });
  let exponent = meanExponent(mean);
  for (;;) {
    const scale = pow2(exponent);
    const codes = mean.map((v) => binary16Bits(v / scale));
    // Rounding the largest up to 2^16 leaves binary16: one binade up, then it is the top binade's 2^15.
    if (codes.every((c) => c !== null)) return codes.map((c) => decodeBinary16(c!) * scale || 0);
    if (exponent >= MEAN_EXPONENT_MAX)
      throw new ChannelStatisticsError(`a mean of ${Math.max(...mean.map(Math.abs))} is beyond float32`);
    exponent++;
  }
}

function roundStds(std: readonly number[]): number[] {
  const rounded = std.map((v, i) => {
    if (!(v > 0) || !Number.isFinite(v)) throw new ChannelStatisticsError(`std[${i}] = ${v} is not a positive number`);
    const e = exponentOf(v);
    const r = roundHalfEven(v / pow2(e - 4)) * pow2(e - 4);
    if (exponentOf(r) > 127) throw new ChannelStatisticsError(`std[${i}] = ${v} is beyond float32`);
    return r;
  });
  const floor = pow2(stdExponent(rounded));
  return rounded.map((r) => Math.max(r, floor));
}

/** The list exponent of means: the largest |mean| in binary16's top binade [2^15, 2^16); 0 for all zeros. */
function meanExponent(mean: readonly number[]): number {
  const largest = Math.max(0, ...mean.map(Math.abs));
  return largest === 0 ? 0 : clamp(exponentOf(largest) - 15, MEAN_EXPONENT_MIN, MEAN_EXPONENT_MAX);
}

/** The list exponent of stds: the largest std takes code exponent 15. */
function stdExponent(std: readonly number[]): number {
  return clamp(exponentOf(Math.max(...std)) - 15, STD_EXPONENT_MIN, STD_EXPONENT_MAX);
}

function stdCode(v: number, exponent: number): number | null {
  if (!(v > 0) || !Number.isFinite(v)) return null;
  const e = exponentOf(v) - exponent;
  if (e < 0 || e > 15) return null;
  const m = v / pow2(exponent + e - 4) - 16;
  return Number.isInteger(m) ? (e << 4) | m : null;
}

/**
 * binary16 bits of x rounded to nearest, ties to even (subnormals included), or null when x rounds
 * beyond 65504. −0 and 0 both give 0.
 */
function binary16Bits(x: number): number | null {
  const sign = x < 0 ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === 0) return 0;
  if (a < 2 ** -14) {
    const q = roundHalfEven(a * 2 ** 24); // q = 1024 is the smallest normal, 0x0400: the bits agree
    return q === 0 ? 0 : sign | q;
  }
  let e = exponentOf(a);
  let q = roundHalfEven(a / pow2(e - 10));
  if (q === 2048) {
    e++;
    q = 1024;
  }
  return e > 15 ? null : sign | ((e + 15) << 10) | (q - 1024);
}

function decodeBinary16(bits: number): number {
  const e = (bits >> 10) & 31;
  const f = bits & 1023;
  const magnitude = e === 0 ? f * 2 ** -24 : (1024 + f) * pow2(e - 25);
  return bits & 0x8000 ? -magnitude : magnitude;
}

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

const f64 = new DataView(new ArrayBuffer(8));
/** floor(log2(a)) of a positive, normal float64, from its exponent bits (log2 itself may round). */
function exponentOf(a: number): number {
  f64.setFloat64(0, a);
  return ((f64.getUint16(0) >> 4) & 0x7ff) - 1023;
}
/** 2^k exactly, for −1022 ≤ k ≤ 1023. */
function pow2(k: number): number {
  f64.setFloat64(0, 0);
  f64.setUint16(0, (k + 1023) << 4);
  return f64.getFloat64(0);
}
function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
