/** SQUEEZE: drops size-1 dimensions; the data is copied unchanged. */
import type { Kernel } from './kernel.types';
import { CopyData, evalCopy, prepareCopy } from './reshape.kernel';

export const squeezeKernel: Kernel<CopyData> = { op: 'SQUEEZE', prepare: prepareCopy, eval: evalCopy };
