/** SUM (reduce.cc EvalSum): float32, int8 and int16, see reduce-common.ts. */
import { reduceKernel } from './reduce-common';

export const sumKernel = reduceKernel('SUM', ['float32', 'int8', 'int16'], 'sum');
