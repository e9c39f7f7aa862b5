/** CEIL (ceil.cc, reference_ops::Ceil = std::ceil): float32 only; exact on floats, keeps -0 for (-1, 0). */
import { floatUnaryKernel } from './elementwise-common';

const { ceil: mathCeil } = Math;

export const ceilKernel = floatUnaryKernel('CEIL', (x) => mathCeil(x));
