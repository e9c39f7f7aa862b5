/**
 * The float32 expf / tanhf / expm1f against glibc 2.36 on x86-64 with FMA, the C library of the host that
 * recorded TFLM's expected outputs: bit for bit on the recorded vectors (libm-float32.vectors.ts, from
 * tools/libm-vectors.ts: every branch boundary, glibc's two FMA-specific expf results, seeded random inputs).
 * Offline, the same comparison ran over every float input of each routine's non-trivial range (README "float32
 * activations"). The float models that use them (tflm_trained_lstm's LSTM, float SOFTMAX) are compared with
 * TFLM's recorded tensors in interpreter/heldout-models.spec.ts.
 */
import { expf, expm1f, tanhf } from './libm-float32';
import { EXPF_GLIBC, EXPM1F_GLIBC, TANHF_GLIBC } from './libm-float32.vectors';

const bits = new Uint32Array(1);
const value = new Float32Array(bits.buffer);

function floatOf(hex: string): number {
  bits[0] = parseInt(hex, 16);
  return value[0];
}

function bitsOf(x: number): number {
  value[0] = x;
  return bits[0];
}

/** Inputs whose JS result is not glibc's, as "input -> got (want)" in hex; NaN matches any NaN. */
function mismatches(vectors: string, f: (x: number) => number): string[] {
  const out: string[] = [];
  for (let i = 0; i < vectors.length; i += 16) {
    const x = floatOf(vectors.slice(i, i + 8));
    const want = floatOf(vectors.slice(i + 8, i + 16));
    const got = f(x);
    if (Number.isNaN(want) ? !Number.isNaN(got) : bitsOf(got) !== bitsOf(want))
      out.push(`${vectors.slice(i, i + 8)} -> ${bitsOf(got).toString(16)} (${vectors.slice(i + 8, i + 16)})`);
  }
  return out;
}

/** Distance in float32 steps between two finite floats of the same sign. */
function ulps(a: number, b: number): number {
  return Math.abs(bitsOf(a) - bitsOf(b));
}

describe.each([
  ['expf', EXPF_GLIBC, expf],
  ['tanhf', TANHF_GLIBC, tanhf],
  ['expm1f', EXPM1F_GLIBC, expm1f],
] as const)('%s', (name, vectors, f) => {
  it(`reproduces glibc's ${name} bit for bit on ${vectors.length / 16} recorded inputs`, () => {
    expect(vectors.length / 16).toBeGreaterThan(800);
    expect(mismatches(vectors, f)).toEqual([]);
  });
});

it('expf is within one float step of exp, tanhf within two of tanh, on a dense grid', () => {
  // glibc's documented bounds (expf 0.502 ulp, tanhf 2 ulp); fround(Math.*) is itself within half a step.
  let expWorst = 0;
  let tanhWorst = 0;
  for (let x = -87; x < 88; x += 0.000731) {
    const xf = Math.fround(x);
    expWorst = Math.max(expWorst, ulps(expf(xf), Math.fround(Math.exp(xf))));
    if (Math.abs(xf) < 12)
      tanhWorst = Math.max(tanhWorst, ulps(Math.abs(tanhf(xf)), Math.abs(Math.fround(Math.tanh(xf)))));
  }
  expect(expWorst).toBeLessThanOrEqual(1);
  expect(tanhWorst).toBeLessThanOrEqual(2);
  // tanhf is not correctly rounded: it differs from the nearest float somewhere on this grid (else the float
  // kernels would not have needed it).
  expect(tanhWorst).toBeGreaterThan(0);
});

it('keeps the special values: signed zeros, saturation, overflow and underflow, NaN', () => {
  expect(Object.is(tanhf(-0), -0)).toBe(true);
  expect(tanhf(30)).toBe(1);
  expect(tanhf(-Infinity)).toBe(-1);
  expect(expf(89)).toBe(Infinity);
  expect(expf(-105)).toBe(0);
  expect(expf(-Infinity)).toBe(0);
  expect(expm1f(-100)).toBe(-1);
  expect([expf(NaN), tanhf(NaN), expm1f(NaN)].every(Number.isNaN)).toBe(true);
});
