/** EQUAL (comparisons.cc): see comparison-common.ts for the types and the int8 rescaling. */
import { Cmp, comparisonKernel } from './comparison-common';

export const equalKernel = comparisonKernel('EQUAL', Cmp.EQ);
