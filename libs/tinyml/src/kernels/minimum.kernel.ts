/** MINIMUM: elementwise min with broadcasting. */
import type { Kernel } from './kernel.types';
import { MIN_MAX_TYPES, MinMaxData, evalMinMax, prepareMinMax } from './minimum-maximum';

export const minimumKernel: Kernel<MinMaxData> = {
  op: 'MINIMUM',
  types: MIN_MAX_TYPES,
  prepare: prepareMinMax,
  eval: (d, io) => evalMinMax(d, io, false),
};
