/**
 * KISS FFT 1.3.0's real transforms (tools/kiss_fftr.c kiss_fftr and kiss_fftri over kiss_fft.c) for the two
 * other scalar types TFLM's signal library builds them with (signal/src/kiss_fft_wrappers): FIXED_POINT=32
 * (int32, Q31) and float. Same algorithm as the int16 path in kiss-fft-int16.ts; what differs is the arithmetic, kept
 * behind KissArithmetic so one butterfly code runs both:
 *
 * - int32: products are exact 64-bit (smul), rounded by sround = (x + 2^30) >> 31 and truncated to int32;
 *   C_FIXDIV(x, p) = sround(x * floor(2^31-1 / p)); sums wrap at 32 bits; twiddles floor(0.5 + (2^31-1) cos).
 * - float: every product and sum is rounded to float32 (x86-64 SSE, no FMA contraction); C_FIXDIV is a no-op;
 *   twiddles are (float) cos / sin of the double phase.
 *
 * Power-of-two lengths only (radix 4 and 2 stages), like the int16 path.
 */
import { checkFftLength, kissFactors } from './kiss-fft-int16';

/** The scalar arithmetic of one KISS FFT build. */
interface KissArithmetic {
  /** kf_cexp: a twiddle component from cos or sin of its phase. */
  twiddle(v: number): number;
  /** C_FIXDIV of one component by the radix. */
  fixdiv(x: number, radix: number): number;
  /** sround(a * b - c * d) (one component of C_MUL). */
  mulSub(a: number, b: number, c: number, d: number): number;
  /** sround(a * b + c * d). */
  mulAdd(a: number, b: number, c: number, d: number): number;
  add(a: number, b: number): number;
  sub(a: number, b: number): number;
  neg(a: number): number;
  /** HALF_OF of a sum already stored as a scalar: >> 1 (fixed point) or * 0.5 (float). */
  half(x: number): number;
}

const TWO_POW_30 = 2 ** 30;
const TWO_POW_31 = 2 ** 31;

/**
 * floor((a * b + sign * c * d + 2^30) / 2^31) wrapped to int32, exact for int32 a, b, c, d: a and c are split
 * into 16-bit halves so every partial product stays below 2^48 (no BigInt).
 */
function q31Round(a: number, b: number, c: number, d: number, sign: number): number {
  const aH = a >> 16;
  const aL = a & 0xffff;
  const cH = c >> 16;
  const cL = c & 0xffff;
  // a * b + sign * c * d = hi * 2^16 + lo.
  const hi = aH * b + sign * cH * d;
  const lo = aL * b + sign * cL * d + TWO_POW_30;
  // hi = q * 2^15 + r with 0 <= r < 2^15, so the sum is q * 2^31 + (r * 2^16 + lo), the second term exact.
  const q = Math.floor(hi / 32768);
  const r = hi - q * 32768;
  return (q + Math.floor((r * 65536 + lo) / TWO_POW_31)) | 0;
}

const INT32_ARITHMETIC: KissArithmetic = {
  twiddle: (v) => Math.floor(0.5 + 2147483647 * v),
  fixdiv: (x, radix) => q31Round(x, Math.floor(2147483647 / radix), 0, 0, 1),
  mulSub: (a, b, c, d) => q31Round(a, b, c, d, -1),
  mulAdd: (a, b, c, d) => q31Round(a, b, c, d, 1),
  add: (a, b) => (a + b) | 0,
  sub: (a, b) => (a - b) | 0,
  neg: (a) => -a | 0,
  half: (x) => x >> 1,
};

const { fround } = Math;
const FLOAT_ARITHMETIC: KissArithmetic = {
  twiddle: (v) => fround(v),
  fixdiv: (x) => x,
  mulSub: (a, b, c, d) => fround(fround(a * b) - fround(c * d)),
  mulAdd: (a, b, c, d) => fround(fround(a * b) + fround(c * d)),
  add: (a, b) => fround(a + b),
  sub: (a, b) => fround(a - b),
  neg: (a) => -a,
  half: (x) => fround(x * 0.5),
};

type Scalars = Int32Array | Float32Array;

/** kiss_fft_alloc(n, inverse) and kiss_fft over one arithmetic. */
class ComplexFft {
  private readonly factors: number[];
  private readonly twiddles: Float64Array;
  private dst: Scalars;
  private dstBase = 0;

  constructor(
    readonly n: number,
    private readonly inverse: boolean,
    private readonly ar: KissArithmetic,
    empty: Scalars,
  ) {
    this.factors = kissFactors(n);
    this.twiddles = new Float64Array(2 * n);
    this.dst = empty;
    for (let i = 0; i < n; i++) {
      // The inverse negates the forward phase -2 pi i / n.
      const phase = ((-2 * Math.PI * i) / n) * (inverse ? -1 : 1);
      this.twiddles[2 * i] = ar.twiddle(Math.cos(phase));
      this.twiddles[2 * i + 1] = ar.twiddle(Math.sin(phase));
    }
  }

  /** kiss_fft: the n complex values of f (re, im interleaved) transformed into out[outStart..]. */
  transform(f: Scalars, out: Scalars, outStart: number): void {
    this.dst = out;
    this.dstBase = outStart;
    this.work(0, f, 0, 1, 0);
  }

  private work(out: number, f: Scalars, inStart: number, fstride: number, factor: number): void {
    const p = this.factors[factor];
    const m = this.factors[factor + 1];
    if (m === 1) {
      const t = this.dst;
      for (let q = 0; q < p; q++) {
        const src = 2 * (inStart + q * fstride);
        t[this.dstBase + 2 * (out + q)] = f[src];
        t[this.dstBase + 2 * (out + q) + 1] = f[src + 1];
      }
    } else {
      for (let q = 0; q < p; q++) this.work(out + q * m, f, inStart + q * fstride, fstride * p, factor + 2);
    }
    if (p === 4) this.butterfly4(out, fstride, m);
    else this.butterfly2(out, fstride, m);
  }

  private butterfly2(out: number, fstride: number, m: number): void {
    const { dst: t, twiddles: tw, ar } = this;
    for (let k = 0; k < m; k++) {
      const a = this.dstBase + 2 * (out + k);
      const b = a + 2 * m;
      const aR = ar.fixdiv(t[a], 2);
      const aI = ar.fixdiv(t[a + 1], 2);
      const bR = ar.fixdiv(t[b], 2);
      const bI = ar.fixdiv(t[b + 1], 2);
      const wR = tw[2 * k * fstride];
      const wI = tw[2 * k * fstride + 1];
      const xR = ar.mulSub(bR, wR, bI, wI);
      const xI = ar.mulAdd(bR, wI, bI, wR);
      t[b] = ar.sub(aR, xR);
      t[b + 1] = ar.sub(aI, xI);
      t[a] = ar.add(aR, xR);
      t[a + 1] = ar.add(aI, xI);
    }
  }

  private butterfly4(out: number, fstride: number, m: number): void {
    const { dst: t, twiddles: tw, ar } = this;
    for (let k = 0; k < m; k++) {
      const i0 = this.dstBase + 2 * (out + k);
      const i1 = i0 + 2 * m;
      const i2 = i1 + 2 * m;
      const i3 = i2 + 2 * m;
      const f0R = ar.fixdiv(t[i0], 4);
      const f0I = ar.fixdiv(t[i0 + 1], 4);
      const f1R = ar.fixdiv(t[i1], 4);
      const f1I = ar.fixdiv(t[i1 + 1], 4);
      const f2R = ar.fixdiv(t[i2], 4);
      const f2I = ar.fixdiv(t[i2 + 1], 4);
      const f3R = ar.fixdiv(t[i3], 4);
      const f3I = ar.fixdiv(t[i3 + 1], 4);
      const w1 = 2 * k * fstride;
      const w2 = 2 * w1;
      const w3 = 3 * w1;
      const s0R = ar.mulSub(f1R, tw[w1], f1I, tw[w1 + 1]);
      const s0I = ar.mulAdd(f1R, tw[w1 + 1], f1I, tw[w1]);
      const s1R = ar.mulSub(f2R, tw[w2], f2I, tw[w2 + 1]);
      const s1I = ar.mulAdd(f2R, tw[w2 + 1], f2I, tw[w2]);
      const s2R = ar.mulSub(f3R, tw[w3], f3I, tw[w3 + 1]);
      const s2I = ar.mulAdd(f3R, tw[w3 + 1], f3I, tw[w3]);
      const s5R = ar.sub(f0R, s1R);
      const s5I = ar.sub(f0I, s1I);
      const g0R = ar.add(f0R, s1R);
      const g0I = ar.add(f0I, s1I);
      const s3R = ar.add(s0R, s2R);
      const s3I = ar.add(s0I, s2I);
      const s4R = ar.sub(s0R, s2R);
      const s4I = ar.sub(s0I, s2I);
      t[i2] = ar.sub(g0R, s3R);
      t[i2 + 1] = ar.sub(g0I, s3I);
      t[i0] = ar.add(g0R, s3R);
      t[i0 + 1] = ar.add(g0I, s3I);
      if (this.inverse) {
        t[i1] = ar.sub(s5R, s4I);
        t[i1 + 1] = ar.add(s5I, s4R);
        t[i3] = ar.add(s5R, s4I);
        t[i3 + 1] = ar.sub(s5I, s4R);
      } else {
        t[i1] = ar.add(s5R, s4I);
        t[i1 + 1] = ar.sub(s5I, s4R);
        t[i3] = ar.sub(s5R, s4I);
        t[i3 + 1] = ar.add(s5I, s4R);
      }
    }
  }
}

/** Super-twiddles of kiss_fftr_alloc: phase -pi ((i + 1) / n + 1/2), negated for the inverse. */
function superTwiddles(n: number, inverse: boolean, ar: KissArithmetic): Float64Array {
  const st = new Float64Array(n);
  for (let i = 0; i < n / 2; i++) {
    const phase = -Math.PI * ((i + 1) / n + 0.5) * (inverse ? -1 : 1);
    st[2 * i] = ar.twiddle(Math.cos(phase));
    st[2 * i + 1] = ar.twiddle(Math.sin(phase));
  }
  return st;
}

/** kiss_fftr: fft_length real samples to fft_length / 2 + 1 complex bins, for one arithmetic. */
class RealFft {
  readonly n: number;
  private readonly fft: ComplexFft;
  private readonly superTwiddles: Float64Array;
  /** Output of the complex FFT (kiss_fftr_state.tmpbuf). */
  private readonly tmp: Scalars;

  constructor(
    readonly fftLength: number,
    private readonly ar: KissArithmetic,
    tmp: (length: number) => Scalars,
  ) {
    checkFftLength(fftLength);
    const n = fftLength / 2;
    this.n = n;
    this.tmp = tmp(2 * n);
    this.fft = new ComplexFft(n, false, ar, this.tmp);
    this.superTwiddles = superTwiddles(n, false, ar);
  }

  /** `input`: fftLength samples at input[0..]; writes the bins (re, im) at output[o..]. */
  apply(input: Scalars, output: Scalars, o: number): void {
    const { n, tmp: t, ar, superTwiddles: st } = this;
    this.fft.transform(input, t, 0);
    const dcR = ar.fixdiv(t[0], 2);
    const dcI = ar.fixdiv(t[1], 2);
    output[o] = ar.add(dcR, dcI);
    output[o + 1] = 0;
    output[o + 2 * n] = ar.sub(dcR, dcI);
    output[o + 2 * n + 1] = 0;
    for (let k = 1; k <= n / 2; k++) {
      const fpkR = ar.fixdiv(t[2 * k], 2);
      const fpkI = ar.fixdiv(t[2 * k + 1], 2);
      const fpnkR = ar.fixdiv(t[2 * (n - k)], 2);
      const fpnkI = ar.fixdiv(ar.neg(t[2 * (n - k) + 1]), 2);
      const f1kR = ar.add(fpkR, fpnkR);
      const f1kI = ar.add(fpkI, fpnkI);
      const f2kR = ar.sub(fpkR, fpnkR);
      const f2kI = ar.sub(fpkI, fpnkI);
      const twR = ar.mulSub(f2kR, st[2 * (k - 1)], f2kI, st[2 * (k - 1) + 1]);
      const twI = ar.mulAdd(f2kR, st[2 * (k - 1) + 1], f2kI, st[2 * (k - 1)]);
      output[o + 2 * k] = ar.half(ar.add(f1kR, twR));
      output[o + 2 * k + 1] = ar.half(ar.add(f1kI, twI));
      output[o + 2 * (n - k)] = ar.half(ar.sub(f1kR, twR));
      output[o + 2 * (n - k) + 1] = ar.half(ar.sub(twI, f1kI));
    }
  }
}

/** kiss_fftri: fft_length / 2 + 1 complex bins to fft_length real samples, for one arithmetic. */
class InverseRealFft {
  readonly n: number;
  private readonly fft: ComplexFft;
  private readonly superTwiddles: Float64Array;
  /** The packed spectrum the complex FFT transforms (kiss_fftr_state.tmpbuf). */
  private readonly tmp: Scalars;

  constructor(
    readonly fftLength: number,
    private readonly ar: KissArithmetic,
    tmp: (length: number) => Scalars,
  ) {
    checkFftLength(fftLength);
    const n = fftLength / 2;
    this.n = n;
    this.tmp = tmp(2 * n);
    this.fft = new ComplexFft(n, true, ar, this.tmp);
    this.superTwiddles = superTwiddles(n, true, ar);
  }

  /** `input`: the bins (re, im) at input[i..]; writes fftLength samples at output[o..]. */
  apply(input: Scalars, i: number, output: Scalars, o: number): void {
    const { n, tmp: t, ar, superTwiddles: st } = this;
    t[0] = ar.fixdiv(ar.add(input[i], input[i + 2 * n]), 2);
    t[1] = ar.fixdiv(ar.sub(input[i], input[i + 2 * n]), 2);
    for (let k = 1; k <= n / 2; k++) {
      const fkR = ar.fixdiv(input[i + 2 * k], 2);
      const fkI = ar.fixdiv(input[i + 2 * k + 1], 2);
      const fnkR = ar.fixdiv(input[i + 2 * (n - k)], 2);
      const fnkI = ar.fixdiv(ar.neg(input[i + 2 * (n - k) + 1]), 2);
      const fekR = ar.add(fkR, fnkR);
      const fekI = ar.add(fkI, fnkI);
      const dR = ar.sub(fkR, fnkR);
      const dI = ar.sub(fkI, fnkI);
      const twR = st[2 * (k - 1)];
      const twI = st[2 * (k - 1) + 1];
      const fokR = ar.mulSub(dR, twR, dI, twI);
      const fokI = ar.mulAdd(dR, twI, dI, twR);
      t[2 * k] = ar.add(fekR, fokR);
      t[2 * k + 1] = ar.add(fekI, fokI);
      t[2 * (n - k)] = ar.sub(fekR, fokR);
      t[2 * (n - k) + 1] = ar.neg(ar.sub(fekI, fokI));
    }
    this.fft.transform(t, output, o);
  }
}

/** SignalIrfft int32 (IrfftInt32Apply): the output is scaled by 1 / fft_length by the per-stage division. */
export class InverseRealFftInt32 extends InverseRealFft {
  constructor(fftLength: number) {
    super(fftLength, INT32_ARITHMETIC, (length) => new Int32Array(length));
  }
}

/**
 * kiss_fftri in float, unscaled (the float build divides by nothing): IrfftFloatApply divides the output by
 * fft_length afterwards (SignalIrfft's float kernel does).
 */
export class InverseRealFftFloat extends InverseRealFft {
  constructor(fftLength: number) {
    super(fftLength, FLOAT_ARITHMETIC, (length) => new Float32Array(length));
  }
}

/** SignalRfft int32 (RfftInt32Apply): scaled by 1 / fft_length through the per-stage division, like int16. */
export class RealFftInt32 extends RealFft {
  constructor(fftLength: number) {
    super(fftLength, INT32_ARITHMETIC, (length) => new Int32Array(length));
  }
}

/** SignalRfft float32 (RfftFloatApply): kiss_fftr in float, unscaled. */
export class RealFftFloat extends RealFft {
  constructor(fftLength: number) {
    super(fftLength, FLOAT_ARITHMETIC, (length) => new Float32Array(length));
  }
}
