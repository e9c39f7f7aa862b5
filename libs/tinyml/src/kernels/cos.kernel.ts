/** COS (elementwise.cc, std::cos on float): float32 only, glibc's cosf (quant/libm-sin-cos-log). */
import { cosf } from '../quant/libm-sin-cos-log';
import { floatUnaryKernel } from './elementwise-common';

export const cosKernel = floatUnaryKernel('COS', cosf);
