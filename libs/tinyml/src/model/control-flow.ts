/**
 * The subgraphs a control-flow operator invokes, read from its options (schema.fbs IfOptions, WhileOptions,
 * CallOnceOptions). The memory planner needs them before any kernel is prepared, as TFLM's
 * AllocationInfoBuilder::MarkSubgraphLifetimesIfNecessary reads them straight from the flatbuffer.
 */
import { BUILTIN_OPTIONS_TYPE } from '../schema/tflite-schema';
import type { OperatorInfo } from './model.types';

/** Field ids of the option tables, in schema.fbs declaration order. */
export const IF_OPTIONS = { thenSubgraphIndex: 0, elseSubgraphIndex: 1 };
export const WHILE_OPTIONS = { condSubgraphIndex: 0, bodySubgraphIndex: 1 };
export const CALL_ONCE_OPTIONS = { initSubgraphIndex: 0 };

/** Option fields holding subgraph indices, in the order TFLM plans (and IF / WHILE first run) them. */
const SUBGRAPH_FIELDS: Readonly<Record<string, readonly number[]>> = {
  IF: [IF_OPTIONS.thenSubgraphIndex, IF_OPTIONS.elseSubgraphIndex],
  WHILE: [WHILE_OPTIONS.condSubgraphIndex, WHILE_OPTIONS.bodySubgraphIndex],
  CALL_ONCE: [CALL_ONCE_OPTIONS.initSubgraphIndex],
};

/**
 * The subgraph indices an operator names (unchecked: the caller checks them against the model). Absent options
 * read as 0, the flatbuffer default (TFLM's zero-initialised params). An options table of another type is not
 * read: the kernel's prepare() refuses the operator.
 */
export function invokedSubgraphs(op: OperatorInfo): number[] {
  const fields = SUBGRAPH_FIELDS[op.opName];
  if (fields === undefined) return [];
  const options = op.builtinOptionsType === BUILTIN_OPTIONS_TYPE[op.opName] ? op.options : null;
  return fields.map((f) => options?.i32(f) ?? 0);
}
