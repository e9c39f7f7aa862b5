/**
 * FLOOR_DIV (floor_div.cc): float32 only; reference_ops::FloorDiv is std::floor of the division in double, then
 * the float store; a zero denominator fails the invoke (InvokeError).
 */
import { floatBinaryKernel } from './float-binary';

const { floor: mathFloor } = Math;

export const floorDivKernel = floatBinaryKernel('FLOOR_DIV', (x, y) => mathFloor(x / y), true);
