/** SQUEEZE: drops size-1 dimensions; the data is copied unchanged. */
import { BUILTIN_DATA } from '../memory/device-layout';
import type { Kernel } from './kernel.types';
import { CopyData, evalCopy, prepareCopy } from './reshape.kernel';

export const squeezeKernel: Kernel<CopyData> = {
  op: 'SQUEEZE',
  types: ['float32', 'int8', 'uint8', 'int16', 'int32', 'uint32', 'bool', 'int64'],
  prepare: (ctx) => prepareCopy(ctx, BUILTIN_DATA.squeeze),
  eval: evalCopy,
};
