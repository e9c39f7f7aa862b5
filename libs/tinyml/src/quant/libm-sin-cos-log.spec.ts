/**
 * sinf / cosf / logf against glibc 2.36 on x86-64 with FMA, the C library of the host that recorded TFLM's
 * expected outputs: bit for bit on the recorded vectors of libm-float32.vectors.ts (tools/libm-vectors.ts: every
 * branch point of glibc's algorithms ±1–2 ulp — 2^-12, the 0.75 polynomial / reduction switch, 120, multiples of
 * π/4, every power of two of the large reduction, logf's table-interval edges, subnormals, infinities, NaNs — and
 * seeded random inputs). tools/libm-exhaustive.ts runs the same comparison over all 2^32 inputs (README "float32
 * sin, cos, log"). The named cases below restate the special values glibc documents or that kernels rely on.
 */
import { cosf, logf, sinf } from './libm-sin-cos-log';
import { COSF_GLIBC, LOGF_GLIBC, SINF_GLIBC } from './libm-float32.vectors';

const bits = new Uint32Array(1);
const value = new Float32Array(bits.buffer);

function floatOf(pattern: number): number {
  bits[0] = pattern;
  return value[0];
}

function bitsOf(x: number): number {
  value[0] = x;
  return bits[0];
}

/** Inputs whose result is not glibc's bit pattern (NaN payloads included), as "input -> ours (glibc)" in hex. */
function mismatches(vectors: string, f: (x: number) => number): string[] {
  const out: string[] = [];
  for (let i = 0; i < vectors.length; i += 16) {
    const x = floatOf(parseInt(vectors.slice(i, i + 8), 16));
    const want = parseInt(vectors.slice(i + 8, i + 16), 16);
    const got = bitsOf(f(x));
    if (got !== want) out.push(`${vectors.slice(i, i + 8)} -> ${got.toString(16)} (${vectors.slice(i + 8, i + 16)})`);
  }
  return out;
}

describe.each([
  ['sinf', SINF_GLIBC, sinf],
  ['cosf', COSF_GLIBC, cosf],
  ['logf', LOGF_GLIBC, logf],
] as const)('%s', (name, vectors, f) => {
  it(`gives glibc's ${name} bit pattern on every recorded input`, () => {
    expect(vectors.length / 16).toBeGreaterThan(1000);
    expect(mismatches(vectors, f)).toEqual([]);
  });
});

/** The results of f on the given float bit patterns, as bit patterns. */
function patterns(f: (x: number) => number, inputs: number[]): number[] {
  return inputs.map((x) => bitsOf(f(floatOf(x))));
}

describe('special points (glibc 2.36 x86-64 results)', () => {
  it('signed zeros and subnormals: sin x = x, cos x = 1 below 2^-12', () => {
    const inputs = [0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x39000000, 0xb97fffff];
    expect(patterns(sinf, inputs)).toEqual(inputs);
    expect(patterns(cosf, inputs)).toEqual(inputs.map(() => 0x3f800000));
  });

  it('infinities give the x86 default NaN, a NaN input comes back quieted with its payload', () => {
    const inputs = [0x7f800000, 0xff800000, 0x7fc00001, 0x7f800001, 0xffc00001];
    const want = [0xffc00000, 0xffc00000, 0x7fc00001, 0x7fc00001, 0xffc00001];
    expect(patterns(sinf, inputs)).toEqual(want);
    expect(patterns(cosf, inputs)).toEqual(want);
  });

  it('the largest floats go through the 4/π-table reduction: sin odd, cos even', () => {
    expect(patterns(sinf, [0x7f7fffff, 0xff7fffff])).toEqual([0xbf0599b3, 0x3f0599b3]);
    expect(patterns(cosf, [0x7f7fffff, 0xff7fffff])).toEqual([0x3f5a5f96, 0x3f5a5f96]);
  });

  it('logf: log 1 = +0, log ±0 = -inf, log inf = inf, subnormals normalised', () => {
    expect(Object.is(logf(1), 0)).toBe(true);
    expect([logf(0), logf(-0), logf(Infinity)]).toEqual([-Infinity, -Infinity, Infinity]);
    // The smallest subnormal: -149·ln 2 rounded to float.
    expect(bitsOf(logf(floatOf(0x00000001)))).toBe(0xc2ce8ed0);
  });

  it('logf NaN bit patterns: 0xffc00000 below zero, a NaN input its own (quieted) bits', () => {
    const inputs = [0xbf800000, 0xff800000, 0x80000001, 0x7fc00001, 0x7f800001, 0xffc00001];
    expect(patterns(logf, inputs)).toEqual([0xffc00000, 0xffc00000, 0xffc00000, 0x7fc00001, 0x7fc00001, 0xffc00001]);
  });

  it("fuses the reduction x - n·π/2 as glibc's FMA build: the inputs where two roundings would be one step off", () => {
    // Every such input (exhaustive comparison of a C replica with glibc); the sign changes nothing for |x| < 120.
    const sinInputs = [0x4255b0a9, 0x42a35c07, 0x42a35d44, 0x42a97360, 0x42cf5854, 0x42e87a55];
    const sinGlibc = [0xbc7d08a9, 0xbadaa3b4, 0x3a44b889, 0x3dc7b08a, 0x382ee64e, 0xb5d2257c];
    const negate = (patterns: number[]): number[] => patterns.map((x) => (x ^ 0x80000000) >>> 0);
    expect(patterns(sinf, sinInputs)).toEqual(sinGlibc);
    expect(patterns(sinf, negate(sinInputs))).toEqual(negate(sinGlibc));
    const cosInputs = [
      0x418a3adb, 0x418a3adc, 0x418a3add, 0x418a3ade, 0x41bc76d9, 0x4202eb4b, 0x42687a55, 0x4280ce28, 0x42870e40,
      0x42c55faa, 0x42d8d23e,
    ];
    const cosGlibc = [
      0xb7b4f770, 0xb7a4f770, 0xb794f770, 0xb784f770, 0xbb803f6b, 0x3e821ce2, 0xb552257c, 0x34fdd672, 0xbc866cc4,
      0xbe8a34d1, 0xbcd25ea8,
    ];
    expect(patterns(cosf, cosInputs)).toEqual(cosGlibc);
    expect(patterns(cosf, negate(cosInputs))).toEqual(cosGlibc);
  });

  it('takes any double as the float it rounds to, as the C call converts it', () => {
    const x = 2.000000001;
    expect([sinf(x), cosf(x), logf(x)]).toEqual([sinf(Math.fround(x)), cosf(Math.fround(x)), logf(Math.fround(x))]);
  });
});
