/** LOGICAL_OR (logical.cc): see logical-binary.ts. */
import { logicalKernel } from './logical-binary';

export const logicalOrKernel = logicalKernel('LOGICAL_OR', false);
