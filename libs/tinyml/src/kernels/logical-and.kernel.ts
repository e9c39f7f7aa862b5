/** LOGICAL_AND (logical.cc): see logical-binary.ts. */
import { logicalKernel } from './logical-binary';

export const logicalAndKernel = logicalKernel('LOGICAL_AND', true);
