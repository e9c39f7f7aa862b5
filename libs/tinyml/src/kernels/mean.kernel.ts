/** MEAN (reduce.cc): float32 and int8, see reduce-common.ts. */
import { reduceKernel } from './reduce-common';

export const meanKernel = reduceKernel('MEAN', ['float32', 'int8'], 'mean');
