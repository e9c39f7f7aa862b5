/** MAXIMUM: elementwise max with broadcasting. */
import type { Kernel } from './kernel.types';
import { MIN_MAX_TYPES, MinMaxData, evalMinMax, prepareMinMax } from './minimum-maximum';

export const maximumKernel: Kernel<MinMaxData> = {
  op: 'MAXIMUM',
  types: MIN_MAX_TYPES,
  prepare: prepareMinMax,
  eval: (d, io) => evalMinMax(d, io, true),
};
