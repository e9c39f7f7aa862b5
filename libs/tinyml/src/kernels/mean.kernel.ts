/** MEAN (reduce.cc EvalMean): float32, int8 and int16 (QuantizedMeanOrSum for both), see reduce-common.ts. */
import { reduceKernel } from './reduce-common';

export const meanKernel = reduceKernel('MEAN', ['float32', 'int8', 'int16'], 'mean');
