/** MINIMUM: elementwise min with broadcasting. */
import type { Kernel } from './kernel.types';
import { MinMaxData, evalMinMax, prepareMinMax } from './minimum-maximum';

export const minimumKernel: Kernel<MinMaxData> = {
  op: 'MINIMUM',
  types: ['float32', 'int8', 'uint8', 'int16', 'int32'],
  prepare: prepareMinMax,
  eval: (d, io) => evalMinMax(d, io, false),
};
