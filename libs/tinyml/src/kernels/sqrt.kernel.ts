/**
 * SQRT (elementwise.cc): float32 std::sqrt, i.e. sqrtf. IEEE sqrt is correctly rounded, and rounding the double
 * square root of a float to float gives the correctly rounded float result (53 >= 2·24 + 2 bits).
 */
import { floatUnaryKernel } from './elementwise-common';

const { sqrt: mathSqrt } = Math;

export const sqrtKernel = floatUnaryKernel('SQRT', (x) => mathSqrt(x));
