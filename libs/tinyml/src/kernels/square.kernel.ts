/** SQUARE (elementwise.cc): float32 `f * f`; one float multiply (the Float32Array store rounds it). */
import { floatUnaryKernel } from './elementwise-common';

export const squareKernel = floatUnaryKernel('SQUARE', (x) => x * x);
