/**
 * sinf / cosf / logf (the double routine rounded to float) against glibc 2.36 on x86-64 with FMA, the C library
 * of the host that recorded TFLM's expected outputs, on the recorded vectors of libm-float32.vectors.ts
 * (tools/libm-vectors.ts: special points, seeded uniform float bit patterns, seeded uniform values where kernel
 * inputs lie). They are not glibc's algorithms, so a few inputs differ, each by one float step (glibc is not
 * correctly rounded; ours almost always is). tools/libm-exhaustive.ts counts the differences over all 2^32 inputs
 * (README "float32 sin, cos, log").
 */
import { cosf, logf, sinf } from './libm-sin-cos-log';
import { COSF_GLIBC, LOGF_GLIBC, SINF_GLIBC } from './libm-float32.vectors';

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

interface Difference {
  /** The input, and both results, as floats. */
  x: number;
  ours: number;
  glibc: number;
}

function differences(vectors: string, f: (x: number) => number): Difference[] {
  const out: Difference[] = [];
  for (let i = 0; i < vectors.length; i += 16) {
    const x = floatOf(vectors.slice(i, i + 8));
    const glibc = floatOf(vectors.slice(i + 8, i + 16));
    const ours = f(x);
    if (Number.isNaN(glibc) ? !Number.isNaN(ours) : bitsOf(ours) !== bitsOf(glibc)) out.push({ x, ours, glibc });
  }
  return out;
}

describe.each([
  ['sinf', SINF_GLIBC, sinf],
  ['cosf', COSF_GLIBC, cosf],
  ['logf', LOGF_GLIBC, logf],
] as const)('%s', (name, vectors, f) => {
  const found = differences(vectors, f);
  it(`agrees with glibc's ${name} on all but a few of ${vectors.length / 16} recorded inputs`, () => {
    expect(vectors.length / 16).toBeGreaterThan(500);
    // The exhaustive rates are below 1% (README); more here means the routine or the vectors changed.
    expect(found.length).toBeLessThanOrEqual(vectors.length / 16 / 50);
  });
  it('differs by one float step at most (same sign, adjacent bit patterns)', () => {
    for (const { x, ours, glibc } of found) expect([x, Math.abs(bitsOf(ours) - bitsOf(glibc))]).toEqual([x, 1]);
  });
});

it('keeps the special values: signed zero, infinities, NaN', () => {
  expect(Object.is(sinf(-0), -0)).toBe(true);
  expect(cosf(0)).toBe(1);
  expect(logf(0)).toBe(-Infinity);
  expect(logf(Infinity)).toBe(Infinity);
  expect([sinf(Infinity), cosf(-Infinity), logf(-1), logf(NaN)].every(Number.isNaN)).toBe(true);
});

it("logf gives glibc's NaN bit patterns: 0xffc00000 below zero, a NaN input's own (quieted) bits", () => {
  const input = new Uint32Array([0xbf800000, 0xff800000, 0x80000001, 0x7fc00001, 0x7f800001, 0xffc00001]);
  const x = new Float32Array(input.buffer);
  const out = new Float32Array(input.length);
  x.forEach((v, i) => (out[i] = logf(v)));
  // glibc 2.36 x86-64 logf on these inputs.
  expect(Array.from(new Uint32Array(out.buffer))).toEqual([
    0xffc00000, 0xffc00000, 0xffc00000, 0x7fc00001, 0x7fc00001, 0xffc00001,
  ]);
});
