/** REDUCE_MAX (reduce.cc EvalMax): float32 and int8, see reduce-common.ts. */
import { reduceKernel } from './reduce-common';

export const reduceMaxKernel = reduceKernel('REDUCE_MAX', ['float32', 'int8'], 'max');
