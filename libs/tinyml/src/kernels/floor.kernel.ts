/** FLOOR (floor.cc, reference_ops::Floor = std::floor): float32 only; exact on floats. */
import { floatUnaryKernel } from './elementwise-common';

const { floor: mathFloor } = Math;

export const floorKernel = floatUnaryKernel('FLOOR', (x) => mathFloor(x));
