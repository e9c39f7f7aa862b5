/** LOG (elementwise.cc, std::log on float): float32 only, glibc's logf (quant/libm-sin-cos-log). */
import { logf } from '../quant/libm-sin-cos-log';
import { floatUnaryKernel } from './elementwise-common';

export const logKernel = floatUnaryKernel('LOG', logf);
