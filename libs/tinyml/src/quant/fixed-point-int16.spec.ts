/**
 * The int16 fixed-point primitives against closed-form definitions of what the C++ computes (round half up for
 * the rounding high multiply, truncation for SQDMULH, round half away from zero for RoundingDivideByPOT below 16),
 * exhaustively over int16 where one operand is enough and on a grid of pairs otherwise.
 */
import {
  downScaleInt32ToInt16Multiplier,
  roundingDivideByPOTInt16,
  saturatingDoublingHighMulInt16,
  saturatingLeftShiftInt16,
  saturatingRoundingDoublingHighMulInt16,
  wrapInt16,
} from './fixed-point-int16';

const EDGES = [-32768, -32767, -16385, -16384, -3, -1, 0, 1, 3, 16383, 16384, 32766, 32767];
const GRID = [...EDGES, ...Array.from({ length: 97 }, (_, i) => -32768 + i * 677)];

describe('int16 fixed point (gemmlowp / hard_swish.h)', () => {
  it('SaturatingRoundingDoublingHighMul<int16_t> is a*b / 2^15 rounded half up, -32768^2 saturating', () => {
    let mismatches = 0;
    for (const a of GRID)
      for (const b of GRID) {
        const want = a === -32768 && b === -32768 ? 32767 : Math.floor((a * b) / 32768 + 0.5);
        if (saturatingRoundingDoublingHighMulInt16(a, b) !== want) mismatches++;
      }
    expect(mismatches).toBe(0);
  });
  it('SaturatingDoublingHighMul truncates a*b / 2^15 toward zero', () => {
    let mismatches = 0;
    for (const a of GRID)
      for (const b of GRID) {
        const want = a === -32768 && b === -32768 ? 32767 : Math.trunc((a * b) / 32768);
        if (saturatingDoublingHighMulInt16(a, b) !== want) mismatches++;
      }
    expect(mismatches).toBe(0);
    expect(saturatingDoublingHighMulInt16(-3, 16384)).toBe(-1);
    expect(saturatingRoundingDoublingHighMulInt16(-3, 16384)).toBe(-1);
    expect(saturatingDoublingHighMulInt16(3, 16384)).toBe(1);
    expect(saturatingRoundingDoublingHighMulInt16(3, 16384)).toBe(2);
  });
  it('RoundingDivideByPOT<int16_t> rounds half away from zero for exponents 0..15 (every int16)', () => {
    let mismatches = 0;
    for (let e = 0; e < 16; e++)
      for (let x = -32768; x <= 32767; x++) {
        const q = Math.abs(x) / 2 ** e;
        const want = Math.sign(x) * Math.floor(q + 0.5);
        if (roundingDivideByPOTInt16(x, e) !== want) mismatches++;
      }
    expect(mismatches).toBe(0);
  });
  it('RoundingDivideByPOT<int16_t> from exponent 16 on: the int16 mask is -1, so x >= 0 gives 1 and x < 0 gives -1', () => {
    for (const e of [16, 20, 31]) {
      expect([0, 1, 32767].map((x) => roundingDivideByPOTInt16(x, e))).toEqual([1, 1, 1]);
      expect([-1, -32768].map((x) => roundingDivideByPOTInt16(x, e))).toEqual([-1, -1]);
    }
  });
  it('SaturatingLeftShift clamps to int16; DownScaleInt32ToInt16Multiplier rounds Q31 to Q15 and saturates', () => {
    expect(saturatingLeftShiftInt16(16383, 1)).toBe(32766);
    expect(saturatingLeftShiftInt16(16384, 1)).toBe(32767);
    expect(saturatingLeftShiftInt16(-16385, 1)).toBe(-32768);
    expect(saturatingLeftShiftInt16(-5, 3)).toBe(-40);
    expect(downScaleInt32ToInt16Multiplier(1 << 30)).toBe(16384);
    expect(downScaleInt32ToInt16Multiplier((1 << 30) + 32767)).toBe(16384);
    expect(downScaleInt32ToInt16Multiplier((1 << 30) + 32768)).toBe(16385);
    expect(downScaleInt32ToInt16Multiplier(2147483647 - 32769)).toBe(32767);
    expect(downScaleInt32ToInt16Multiplier(2147483647)).toBe(32767);
  });
  it('wrapInt16 keeps the low 16 bits (C++ int -> int16_t)', () => {
    expect([32767 + 1, -32768 - 1, 65536 + 5, 127 + 32767].map(wrapInt16)).toEqual([-32768, 32767, 5, -32642]);
  });
});
