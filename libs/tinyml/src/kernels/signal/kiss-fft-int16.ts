/**
 * The int16 fixed-point real FFT that TFLM's SignalRfft runs (signal/src/rfft_int16.cc wraps KISS FFT 1.3.0
 * built with FIXED_POINT=16: kiss_fft.c + tools/kiss_fftr.c). Written from the algorithm's description:
 *
 * - a complex FFT of n/2 points on the samples taken in pairs, decimation in time by kf_factor's radices
 *   (4 first, then 2, 3, 5, ...); each butterfly first divides its inputs by the radix (C_FIXDIV:
 *   x * floor(32767 / p) with Q15 rounding), so the transform never overflows and the output is scaled by 1/n;
 * - products are Q15: (a * b + 2^14) >> 15 on the int32 product (sround), stored to int16 with wrap-around;
 * - twiddles are floor(0.5 + 32767 * cos/sin(phase)) for phase = -2 pi i / (n/2);
 * - the real-FFT post-processing splits the packed spectrum with super-twiddles of phase
 *   -pi ((i + 1) / (n/2) + 1/2), halving again (C_FIXDIV by 2, then >> 1).
 *
 * The inverse (kiss_fftri, SignalIrfft) runs the same complex FFT with the phases negated (kiss_fft_alloc and
 * kiss_fftr_alloc with inverse_fft = 1: conjugate twiddles, the other sign in the radix-4 butterfly) after the
 * mirror-image pre-processing of the spectrum, halving it first (C_FIXDIV by 2).
 *
 * Only power-of-two lengths are supported (radix 4 and 2 stages); that is every length the TFLM
 * front-ends use. Every int16 store wraps exactly as the C assignments to `short` do.
 */

import type { Field, StructLayout } from '../../memory/device-layout';

/** KISS FFT's MAXFACTORS: the factor list of kiss_fft_state holds 2 * 32 ints. */
const KISS_MAX_FACTORS = 32;

/**
 * The memory kiss_fftr_alloc(fft_length) asks for, which SignalRfft's and SignalIrfft's Init allocate
 * persistently (RfftInt16GetNeededMemory, IrfftInt16GetNeededMemory, ...): kiss_fftr_state {substate, tmpbuf,
 * super_twiddles pointers}, then the complex FFT's kiss_fft_state {nfft, inverse, factors[64], nfft twiddles},
 * then tmpbuf (nfft) and super_twiddles (nfft / 2), for nfft = fft_length / 2. A complex value is two
 * kiss_fft_scalar: int16 with FIXED_POINT=16 (the default), int32 with FIXED_POINT=32, float otherwise.
 */
export function kissFftrStateLayout(fftLength: number, scalar: 'i16' | 'i32' | 'f32' = 'i16'): StructLayout {
  const nfft = fftLength / 2;
  const complex = (count: number): Field[] => Array<Field>(2 * count).fill(scalar);
  return {
    name: `kiss_fftr_state ${scalar} (fft_length ${fftLength})`,
    fields: [
      'ptr',
      'ptr',
      'ptr',
      'i32',
      'i32',
      ...Array<Field>(2 * KISS_MAX_FACTORS).fill('i32'),
      ...complex(nfft),
      ...complex(nfft + Math.floor(nfft / 2)),
    ],
  };
}

const wrap16 = (x: number): number => (x << 16) >> 16;
/** sround(x): Q15 rounding of an int32 product sum, stored as int16. */
const sround = (x: number): number => wrap16((x + 16384) >> 15);

/** kf_factor for power-of-two n: 4 while it divides, then 2 (as (radix, remaining length) pairs). */
export function kissFactors(n: number): number[] {
  const factors: number[] = [];
  // floor(sqrt(n)) decides when the remainder is itself the radix.
  const floorSqrt = Math.floor(Math.sqrt(n));
  let rest = n;
  let p = 4;
  while (rest > 1) {
    while (rest % p !== 0) {
      p = p === 4 ? 2 : p === 2 ? 3 : p + 2;
      if (p > floorSqrt) p = rest;
    }
    rest /= p;
    factors.push(p, rest);
  }
  return factors;
}

/** Throws unless fftLength is a power of two KISS FFT's real transform can run here. */
export function checkFftLength(fftLength: number): void {
  if (!Number.isInteger(fftLength) || fftLength < 4 || (fftLength & (fftLength - 1)) !== 0 || fftLength > 1 << 16)
    throw new RangeError(`fft length ${fftLength} is not a power of two in [4, 65536]`);
}

/** kiss_fft_alloc(n, inverse) and kiss_fft for FIXED_POINT=16: the n-point complex FFT both real FFTs run. */
class ComplexFftInt16 {
  private readonly factors: number[];
  /** Interleaved (re, im) twiddles of the n-point complex FFT. */
  private readonly twiddles: Int16Array;
  /** Where the transform being run writes (set by transform()). */
  private dst: Int16Array = new Int16Array(0);
  private dstBase = 0;

  constructor(
    readonly n: number,
    private readonly inverse: boolean,
  ) {
    this.factors = kissFactors(n);
    this.twiddles = new Int16Array(2 * n);
    for (let i = 0; i < n; i++) {
      // kiss_fft_alloc negates the phase for the inverse; cos/sin are taken of the negated phase.
      const phase = ((-2 * Math.PI * i) / n) * (inverse ? -1 : 1);
      this.twiddles[2 * i] = Math.floor(0.5 + 32767 * Math.cos(phase));
      this.twiddles[2 * i + 1] = Math.floor(0.5 + 32767 * Math.sin(phase));
    }
  }

  /** kiss_fft: the n complex values f[fStart..] (re, im interleaved) transformed into out[outStart..]. */
  transform(f: Int16Array, fStart: number, out: Int16Array, outStart: number): void {
    this.dst = out;
    this.dstBase = outStart;
    this.work(0, f, fStart / 2, 1, 0);
  }

  /** kf_work: writes the transform of f[in], f[in + stride], ... (complex indices) at dst[out..]. */
  private work(out: number, f: Int16Array, inStart: number, fstride: number, factor: number): void {
    const p = this.factors[factor];
    const m = this.factors[factor + 1];
    if (m === 1) {
      const t = this.dst;
      const base = this.dstBase;
      for (let q = 0; q < p; q++) {
        const src = 2 * (inStart + q * fstride);
        t[base + 2 * (out + q)] = f[src];
        t[base + 2 * (out + q) + 1] = f[src + 1];
      }
    } else {
      for (let q = 0; q < p; q++) this.work(out + q * m, f, inStart + q * fstride, fstride * p, factor + 2);
    }
    if (p === 4) this.butterfly4(out, fstride, m);
    else this.butterfly2(out, fstride, m);
  }

  private butterfly2(out: number, fstride: number, m: number): void {
    const t = this.dst;
    const tw = this.twiddles;
    for (let k = 0; k < m; k++) {
      const a = this.dstBase + 2 * (out + k);
      const b = a + 2 * m;
      const aR = sround(t[a] * 16383);
      const aI = sround(t[a + 1] * 16383);
      const bR = sround(t[b] * 16383);
      const bI = sround(t[b + 1] * 16383);
      const wR = tw[2 * k * fstride];
      const wI = tw[2 * k * fstride + 1];
      const xR = sround(bR * wR - bI * wI);
      const xI = sround(bR * wI + bI * wR);
      t[b] = aR - xR;
      t[b + 1] = aI - xI;
      t[a] = aR + xR;
      t[a + 1] = aI + xI;
    }
  }

  private butterfly4(out: number, fstride: number, m: number): void {
    const t = this.dst;
    const tw = this.twiddles;
    // The inverse takes the other sign of the -i rotation (kf_bfly4's st->inverse branch).
    const sign = this.inverse ? -1 : 1;
    for (let k = 0; k < m; k++) {
      const i0 = this.dstBase + 2 * (out + k);
      const i1 = i0 + 2 * m;
      const i2 = i1 + 2 * m;
      const i3 = i2 + 2 * m;
      // C_FIXDIV(..., 4): x * floor(32767 / 4) in Q15.
      const f0R = sround(t[i0] * 8191);
      const f0I = sround(t[i0 + 1] * 8191);
      const f1R = sround(t[i1] * 8191);
      const f1I = sround(t[i1 + 1] * 8191);
      const f2R = sround(t[i2] * 8191);
      const f2I = sround(t[i2 + 1] * 8191);
      const f3R = sround(t[i3] * 8191);
      const f3I = sround(t[i3 + 1] * 8191);
      const w1 = 2 * k * fstride;
      const w2 = 2 * w1;
      const w3 = 3 * w1;
      const s0R = sround(f1R * tw[w1] - f1I * tw[w1 + 1]);
      const s0I = sround(f1R * tw[w1 + 1] + f1I * tw[w1]);
      const s1R = sround(f2R * tw[w2] - f2I * tw[w2 + 1]);
      const s1I = sround(f2R * tw[w2 + 1] + f2I * tw[w2]);
      const s2R = sround(f3R * tw[w3] - f3I * tw[w3 + 1]);
      const s2I = sround(f3R * tw[w3 + 1] + f3I * tw[w3]);
      const s5R = wrap16(f0R - s1R);
      const s5I = wrap16(f0I - s1I);
      const g0R = wrap16(f0R + s1R);
      const g0I = wrap16(f0I + s1I);
      const s3R = wrap16(s0R + s2R);
      const s3I = wrap16(s0I + s2I);
      // s4 = s0 - s2, turned by -i (forward) or +i (inverse) below.
      const s4R = wrap16(sign * wrap16(s0R - s2R));
      const s4I = wrap16(sign * wrap16(s0I - s2I));
      t[i2] = g0R - s3R;
      t[i2 + 1] = g0I - s3I;
      t[i0] = g0R + s3R;
      t[i0 + 1] = g0I + s3I;
      t[i1] = s5R + s4I;
      t[i1 + 1] = s5I - s4R;
      t[i3] = s5R - s4I;
      t[i3 + 1] = s5I + s4R;
    }
  }
}

/** Super-twiddles of kiss_fftr_alloc: phase -pi ((i + 1) / n + 1/2), negated for the inverse. */
function superTwiddles(n: number, inverse: boolean): Int16Array {
  const st = new Int16Array(n);
  for (let i = 0; i < n / 2; i++) {
    const phase = -Math.PI * ((i + 1) / n + 0.5) * (inverse ? -1 : 1);
    st[2 * i] = Math.floor(0.5 + 32767 * Math.cos(phase));
    st[2 * i + 1] = Math.floor(0.5 + 32767 * Math.sin(phase));
  }
  return st;
}

/** kiss_fftr (SignalRfft int16): fft_length real samples to fft_length / 2 + 1 complex bins. */
export class RealFftInt16 {
  /** Complex FFT size (fft_length / 2). */
  readonly n: number;
  private readonly fft: ComplexFftInt16;
  private readonly superTwiddles: Int16Array;
  /** Output of the complex FFT (re, im interleaved). */
  private readonly tmp: Int16Array;

  constructor(readonly fftLength: number) {
    checkFftLength(fftLength);
    const n = fftLength / 2;
    this.n = n;
    this.fft = new ComplexFftInt16(n, false);
    this.superTwiddles = superTwiddles(n, false);
    this.tmp = new Int16Array(2 * n);
  }

  /** `input`: fftLength real samples; writes fftLength / 2 + 1 complex bins (re, im) at output[o..]. */
  apply(input: Int16Array, output: Int16Array, o = 0): void {
    const n = this.n;
    const t = this.tmp;
    this.fft.transform(input, 0, t, 0);
    // C_FIXDIV(tdc, 2), then DC and Nyquist from the sums of even and odd samples.
    const dcR = sround(t[0] * 16383);
    const dcI = sround(t[1] * 16383);
    output[o] = dcR + dcI;
    output[o + 1] = 0;
    output[o + 2 * n] = dcR - dcI;
    output[o + 2 * n + 1] = 0;
    const st = this.superTwiddles;
    for (let k = 1; k <= n / 2; k++) {
      const fpkR = sround(t[2 * k] * 16383);
      const fpkI = sround(t[2 * k + 1] * 16383);
      const fpnkR = sround(t[2 * (n - k)] * 16383);
      const fpnkI = sround(wrap16(-t[2 * (n - k) + 1]) * 16383);
      const f1kR = wrap16(fpkR + fpnkR);
      const f1kI = wrap16(fpkI + fpnkI);
      const f2kR = wrap16(fpkR - fpnkR);
      const f2kI = wrap16(fpkI - fpnkI);
      const twR = st[2 * (k - 1)];
      const twI = st[2 * (k - 1) + 1];
      const tR = sround(f2kR * twR - f2kI * twI);
      const tI = sround(f2kR * twI + f2kI * twR);
      output[o + 2 * k] = (f1kR + tR) >> 1;
      output[o + 2 * k + 1] = (f1kI + tI) >> 1;
      output[o + 2 * (n - k)] = (f1kR - tR) >> 1;
      output[o + 2 * (n - k) + 1] = (tI - f1kI) >> 1;
    }
  }
}

/**
 * kiss_fftri (SignalIrfft int16): fft_length / 2 + 1 complex bins to fft_length real samples. Each bin and its
 * mirror are halved (C_FIXDIV by 2), split into the packed half-length spectrum with the inverse
 * super-twiddles, then run through the inverse complex FFT, which divides by the radix at every stage: the
 * output is the inverse transform scaled by 1 / fft_length, as TFLM's int16 IRFFT returns it.
 */
export class InverseRealFftInt16 {
  readonly n: number;
  private readonly fft: ComplexFftInt16;
  private readonly superTwiddles: Int16Array;
  /** The packed spectrum the complex FFT transforms (kiss_fftr_state.tmpbuf). */
  private readonly tmp: Int16Array;

  constructor(readonly fftLength: number) {
    checkFftLength(fftLength);
    const n = fftLength / 2;
    this.n = n;
    this.fft = new ComplexFftInt16(n, true);
    this.superTwiddles = superTwiddles(n, true);
    this.tmp = new Int16Array(2 * n);
  }

  /** `input`: fftLength / 2 + 1 complex bins (re, im) at input[i..]; writes fftLength samples at output[o..]. */
  apply(input: Int16Array, i: number, output: Int16Array, o: number): void {
    const n = this.n;
    const t = this.tmp;
    // tmpbuf[0] = (X0.r + Xn.r, X0.r - Xn.r), stored as int16, then C_FIXDIV by 2.
    t[0] = sround(wrap16(input[i] + input[i + 2 * n]) * 16383);
    t[1] = sround(wrap16(input[i] - input[i + 2 * n]) * 16383);
    const st = this.superTwiddles;
    for (let k = 1; k <= n / 2; k++) {
      const fkR = sround(input[i + 2 * k] * 16383);
      const fkI = sround(input[i + 2 * k + 1] * 16383);
      const fnkR = sround(input[i + 2 * (n - k)] * 16383);
      const fnkI = sround(wrap16(-input[i + 2 * (n - k) + 1]) * 16383);
      const fekR = wrap16(fkR + fnkR);
      const fekI = wrap16(fkI + fnkI);
      const dR = wrap16(fkR - fnkR);
      const dI = wrap16(fkI - fnkI);
      const twR = st[2 * (k - 1)];
      const twI = st[2 * (k - 1) + 1];
      const fokR = sround(dR * twR - dI * twI);
      const fokI = sround(dR * twI + dI * twR);
      t[2 * k] = fekR + fokR;
      t[2 * k + 1] = fekI + fokI;
      t[2 * (n - k)] = fekR - fokR;
      // tmpbuf[n - k].i = -(fek.i - fok.i), each step stored as int16.
      t[2 * (n - k) + 1] = -wrap16(fekI - fokI);
    }
    this.fft.transform(t, 0, output, o);
  }
}
