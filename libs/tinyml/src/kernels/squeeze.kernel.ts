/** SQUEEZE: drops size-1 dimensions; the data is copied unchanged. */
import { BUILTIN_DATA } from '../memory/device-layout';
import type { Kernel } from './kernel.types';
import { CopyData, evalCopy, prepareCopy } from './reshape.kernel';

export const squeezeKernel: Kernel<CopyData> = {
  op: 'SQUEEZE',
  prepare: (ctx) => prepareCopy(ctx, BUILTIN_DATA.squeeze),
  eval: evalCopy,
};
