import { mulberry32 } from '@tinyfleet/random';
import {
  ChannelStatisticsError,
  decodeMeans,
  decodeStds,
  encodeMeans,
  encodeStds,
  roundChannelStatistics,
} from './channel-statistics';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** binary16 by its definition (IEEE 754-2008 §3.6), not by the code under test: every finite code. */
function binary16Table(): number[] {
  const out: number[] = [];
  for (let bits = 0; bits < 0x10000; bits++) {
    const e = (bits >> 10) & 31;
    const f = bits & 1023;
    if (e === 31 || bits === 0x8000) continue;
    const v = e === 0 ? (f / 1024) * Math.pow(2, -14) : (1 + f / 1024) * Math.pow(2, e - 15);
    out.push(bits & 0x8000 ? -v : v);
  }
  return out.sort((a, b) => a - b);
}

/** The value of an ascending grid nearest to x; a tie goes to the one `even` picks (last significand bit 0). */
function nearest(grid: number[], x: number, even: (v: number) => boolean): number {
  let lo = 0;
  let hi = grid.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (grid[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const [a, b] = [grid[lo]!, grid[hi]!];
  const da = Math.abs(x - a);
  const db = Math.abs(x - b);
  if (da !== db) return da < db ? a : b;
  return even(a) ? a : b;
}

describe('channel statistics (the device manifest’s mean and std)', () => {
  it('rounds a mean to the nearest binary16 × 2^E, ties to even, E putting the largest in the top binade', () => {
    const table = binary16Table();
    // Positive values in code order: a value's index is its code, so an even index is an even significand.
    const positive = table.filter((v) => v >= 0);
    const even = (v: number) => positive.indexOf(Math.abs(v)) % 2 === 0;
    const r = mulberry32(7);
    for (let i = 0; i < 2000; i++) {
      // Largest |mean| fixed at 40000 × 2^k, so E = k (40000 is in [2^15, 2^16)); the others anywhere below.
      const k = Math.floor(r() * 40) - 20;
      const scale = 2 ** k;
      const others = Array.from({ length: 4 }, () => (r() - 0.5) * 2 * 40000 * scale * r() ** 6);
      const mean = [40000 * scale, ...others];
      const got = roundChannelStatistics(
        mean,
        mean.map(() => 1),
      ).mean;
      const want = mean.map((v) => nearest(table, v / scale, even) * scale || 0);
      expect(got).toEqual(want);
      expect(got.every((v) => Math.fround(v) === v)).toBe(true);
    }
  });

  it('rounds a std to the nearest (1 + m/16) × 2^(E+e), ties to even, raising the ones more than 16 binades below the largest', () => {
    const r = mulberry32(11);
    for (let i = 0; i < 2000; i++) {
      const k = Math.floor(r() * 60) - 30;
      const std = Array.from({ length: 5 }, () => 2 ** k * (1 + r()) * 2 ** -Math.floor(r() * 20));
      const got = roundChannelStatistics(
        std.map(() => 0),
        std,
      ).std;
      const top = Math.max(...got);
      const e = Math.floor(Math.log2(top)) - 15;
      const grid = Array.from({ length: 256 }, (_, b) => (1 + (b & 15) / 16) * 2 ** (e + (b >> 4)));
      const even = (v: number) => grid.indexOf(v) % 2 === 0;
      std.forEach((v, c) => expect(got[c]).toBe(v < grid[0]! ? grid[0] : nearest(grid, v, even)));
      expect(got.every((v) => Math.fround(v) === v && v > 0)).toBe(true);
    }
  });

  it('is idempotent, and what it gives encodes and decodes exactly', () => {
    const r = mulberry32(3);
    for (let i = 0; i < 500; i++) {
      const n = 1 + Math.floor(r() * 130);
      const size = 10 ** (r() * 12 - 6);
      const mean = Array.from({ length: n }, () => (r() - 0.3) * size * 1000);
      const std = Array.from({ length: n }, () => size * (0.01 + r()));
      const once = roundChannelStatistics(mean, std);
      expect(roundChannelStatistics(once.mean, once.std)).toEqual(once);
      const m = encodeMeans(once.mean);
      const s = encodeStds(once.std);
      expect(m.bytes.length).toBe(2 * n);
      expect(s.bytes.length).toBe(n);
      expect(decodeMeans(m)).toEqual(once.mean);
      expect(decodeStds(s)).toEqual(once.std);
    }
  });

  it('encodes documented values to documented bytes', () => {
    // 12.25 = 50176 × 2^-12, binary16 7a20; 1.5 = (1 + 8/16) × 2^(-15 + 15), code f8.
    expect(encodeMeans([12.25])).toEqual({ exponent: -12, bytes: Uint8Array.of(0x20, 0x7a) });
    expect(encodeStds([1.5])).toEqual({ exponent: -15, bytes: Uint8Array.of(0xf8) });
    // Images: pixel / 256 and (pixel − 128) / 128.
    expect(hex(encodeMeans([0, 128]).bytes)).toBe('00000078');
    expect(encodeMeans([0, 0])).toEqual({ exponent: 0, bytes: new Uint8Array(4) });
    expect(encodeStds([256, 128])).toEqual({ exponent: -7, bytes: Uint8Array.of(0xf0, 0xe0) });
    // A pressure in pascals and a current in amperes in one list: each keeps 11 significant bits.
    const { mean } = roundChannelStatistics([101325, 0.0021], [50, 0.0001]);
    expect(mean).toEqual([101312, 1101 * 2 ** -19]);
  });

  it('rounds the largest mean up a binade when binary16 cannot hold it, and a −0 to 0', () => {
    const { mean } = roundChannelStatistics([65535.9, -0], [1, 1]);
    expect(mean).toEqual([65536, 0]);
    expect(Object.is(mean[1], -0)).toBe(false);
    expect(encodeMeans(mean).exponent).toBe(1);
  });

  it('refuses what it cannot carry exactly, and decodes only canonical codes', () => {
    expect(() => encodeMeans([12.3])).toThrow(/mean\[0\] = 12.3 is not binary16 × 2\^-12/);
    expect(() => encodeStds([127.5])).toThrow(/std\[0\] = 127.5 is not \(1 \+ m\/16\) × 2\^\(-9 \+ e\)/);
    expect(() => encodeStds([1, 2 ** -20])).toThrow(ChannelStatisticsError); // more than 16 binades apart
    expect(() => roundChannelStatistics([NaN], [1])).toThrow(/mean\[0\] = NaN is not finite/);
    expect(() => roundChannelStatistics([0], [0])).toThrow(/std\[0\] = 0 is not a positive number/);
    expect(() => decodeMeans({ exponent: -12, bytes: Uint8Array.of(0x20) })).toThrow(/multiple of 2 bytes/);
    expect(() => decodeMeans({ exponent: -12, bytes: Uint8Array.of(0x00, 0x7c) })).toThrow(/infinity or NaN/);
    expect(() => decodeMeans({ exponent: -12, bytes: Uint8Array.of(0x00, 0x80, 0x20, 0x7a) })).toThrow(/−0/);
    expect(() => decodeMeans({ exponent: 0, bytes: Uint8Array.of(0x00, 0x3e) })).toThrow(/exponent 0 is not -15/);
    expect(() => decodeMeans({ exponent: 5, bytes: new Uint8Array(2) })).toThrow(/exponent 5 is not 0/);
    expect(() => decodeMeans({ exponent: 113, bytes: Uint8Array.of(0x20, 0x7a) })).toThrow(/outside -100..112/);
    expect(() => decodeStds({ exponent: -15, bytes: Uint8Array.of(0xe8) })).toThrow(/exponent -15 is not -16/);
    expect(() => decodeStds({ exponent: -127, bytes: Uint8Array.of(0xf8) })).toThrow(/outside -126..112/);
    expect(() => decodeStds({ exponent: 0, bytes: new Uint8Array(0) })).toThrow(/at least 1 byte/);
  });
});

describe('channel statistics as a float32 device builds them (docs/ota.md "mean and std")', () => {
  /** 2^k as a float32 made from its exponent bits only (a normal float32), as a device without ldexpf does. */
  const pow2FromBits = (k: number) => {
    const v = new DataView(new ArrayBuffer(4));
    v.setUint32(0, ((k + 127) & 0xff) << 23);
    return v.getFloat32(0);
  };

  it('decodes every std at every allowed E as 2^(E+e) × (16+m)/16, with the power built from its bits', () => {
    const wrong: string[] = [];
    for (let exponent = -126; exponent <= 112; exponent++) {
      const bytes = Uint8Array.from({ length: 256 }, (_, b) => b);
      bytes[0] = 0xf0; // the list's largest code must be in f0..ff for E to be canonical
      const std = decodeStds({ exponent, bytes });
      bytes.forEach((b, i) => {
        const built = Math.fround(pow2FromBits(exponent + (b >> 4)) * ((16 + (b & 15)) / 16));
        if (built !== std[i]) wrong.push(`E ${exponent} code ${b.toString(16)}: ${built} ≠ ${std[i]}`);
      });
    }
    expect(wrong).toEqual([]);
  });

  it('the std power 2^(E+e-4) is not a normal float32 at the lowest E (why the docs build 2^(E+e))', () => {
    expect(decodeStds({ exponent: -126, bytes: Uint8Array.of(0xf0, 0x00) })[1]).toBe(2 ** -126);
    expect(pow2FromBits(-126 + 0 - 4)).not.toBe(2 ** -130);
  });
});
