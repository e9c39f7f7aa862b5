/**
 * fma against the exact a·b + c (BigInt) rounded to nearest even by hand, on seeded random operands and the cases
 * that break naive emulations: heavy cancellation (c ≈ -a·b) and exact ties (short mantissas, so a·b + c lands
 * exactly halfway between two doubles). The libm routines that use it are compared with glibc bit for bit in
 * libm-sin-cos-log.spec.ts.
 */
import { fma } from './fma-double';

const view = new DataView(new ArrayBuffer(8));

/** A finite nonzero double as mantissa · 2^exponent with an integer mantissa. */
function decompose(x: number): [bigint, number] {
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  if (biased !== 0) mantissa |= 1n << 52n;
  return [hi >>> 31 === 1 ? -mantissa : mantissa, (biased === 0 ? 1 : biased) - 1075];
}

/** a·b + c computed exactly, rounded once to the nearest double (ties to even); operands of moderate size. */
function exactFma(a: number, b: number, c: number): number {
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const [mc, ec] = decompose(c);
  const e = Math.min(ea + eb, ec);
  const sum = ((ma * mb) << BigInt(ea + eb - e)) + (mc << BigInt(ec - e));
  if (sum === 0n) return 0;
  let magnitude = sum < 0n ? -sum : sum;
  const shift = Math.max(0, magnitude.toString(2).length - 53);
  if (shift > 0) {
    const rest = magnitude & ((1n << BigInt(shift)) - 1n);
    const half = 1n << BigInt(shift - 1);
    magnitude >>= BigInt(shift);
    if (rest > half || (rest === half && (magnitude & 1n) === 1n)) magnitude += 1n;
  }
  const out = Number(magnitude) * 2 ** (e + shift);
  return sum < 0n ? -out : out;
}

/** Deterministic operands: xorshift32, two draws per 53-bit mantissa. */
function* operands(seed: number): Generator<[number, number, number]> {
  let s = seed;
  const next = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  const double = (minExp: number, span: number): number => {
    const m = 1 + (next() * 2 ** 21 + (next() >>> 11)) * 2 ** -53;
    return (next() & 1 ? -m : m) * 2 ** (minExp + (next() % span));
  };
  for (;;) {
    const a = double(-30, 40);
    const b = double(-30, 40);
    yield [a, b, double(-70, 80)];
    // Cancellation: c within a few ulps of -a·b.
    yield [a, b, -(a * b) * (1 + ((next() % 9) - 4) * 2 ** -52)];
    // Short mantissas: exact ties and exact results are common.
    const short = (): number => ((next() % 4096) - 2048) * 2 ** ((next() % 16) - 8);
    yield [short() * 2 ** 20 + short(), short() * 2 ** 21 + 1, short() * 2 ** 30];
  }
}

describe('fma', () => {
  it('rounds a·b + c once, like the hardware instruction', () => {
    const wrong: string[] = [];
    let plainDiffers = 0;
    let n = 0;
    for (const [a, b, c] of operands(0x2545f491)) {
      if (n++ === 30000) break;
      if (a === 0 || b === 0 || c === 0) continue;
      const want = exactFma(a, b, c);
      if (!Object.is(fma(a, b, c), want)) wrong.push(`fma(${a}, ${b}, ${c}) = ${fma(a, b, c)}, want ${want}`);
      if (a * b + c !== want) plainDiffers++;
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    // The cases are hard enough that two roundings get many of them wrong.
    expect(plainDiffers).toBeGreaterThan(3000);
  });

  it('handles exact results and a zero sum', () => {
    expect(fma(3, 5, -15)).toBe(0);
    expect(fma(1 + 2 ** -30, 1 - 2 ** -30, -1)).toBe(-(2 ** -60));
    expect(fma(0.1, 10, -1)).toBe(exactFma(0.1, 10, -1));
  });
});
