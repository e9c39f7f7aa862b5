/** NEG (neg.cc, reference_ops::Negate): float32 only in TFLM; no OpData, no options. */
import { floatUnaryKernel } from './elementwise-common';

export const negKernel = floatUnaryKernel('NEG', (x) => -x);
