/**
 * ROUND (round.cc, reference_ops::Round): float32 only, RoundToNearest: ties to even, from floor(x) and the float
 * difference x - floor(x) (exact for floats); -0.5 gives +0 (floor + 1), NaN and infinities pass through.
 */
import { floatUnaryKernel } from './elementwise-common';

const { floor: mathFloor } = Math;

export function roundToNearestFloat(x: number): number {
  const floorValue = mathFloor(x);
  const diff = x - floorValue;
  // A tie has |x| < 2^23, so the int conversion the reference takes the parity of is exact.
  if (diff < 0.5 || (diff === 0.5 && floorValue % 2 === 0)) return floorValue;
  return floorValue + 1;
}

export const roundKernel = floatUnaryKernel('ROUND', roundToNearestFloat);
