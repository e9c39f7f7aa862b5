/** EXP (exp.cc, reference_ops::Exp = std::exp on float): float32 only, glibc's expf (quant/libm-float32). */
import { expf } from '../quant/libm-float32';
import { floatUnaryKernel } from './elementwise-common';

export const expKernel = floatUnaryKernel('EXP', expf);
