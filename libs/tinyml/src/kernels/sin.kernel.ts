/** SIN (elementwise.cc, std::sin on float): float32 only, glibc's sinf (quant/libm-sin-cos-log). */
import { sinf } from '../quant/libm-sin-cos-log';
import { floatUnaryKernel } from './elementwise-common';

export const sinKernel = floatUnaryKernel('SIN', sinf);
