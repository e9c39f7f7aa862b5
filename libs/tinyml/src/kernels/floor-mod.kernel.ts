/**
 * FLOOR_MOD (floor_mod.cc): float32 only; reference_ops::FloorMod: the truncated std::fmod (exact, as JS `%`),
 * moved into the divisor's sign by one float add. No zero check for floats (x mod 0 is NaN).
 */
import { floatBinaryKernel } from './float-binary';

export function floorModFloat(x: number, y: number): number {
  const truncMod = x % y;
  return truncMod !== 0 && y < 0 !== truncMod < 0 ? Math.fround(truncMod + y) : truncMod;
}

export const floorModKernel = floatBinaryKernel('FLOOR_MOD', floorModFloat, false);
