/**
 * Shared set-up of the control-flow kernels (IF, WHILE, CALL_ONCE): subgraph indices and the tensor copies
 * between an operator and the subgraphs it invokes (kernel_util.cc CopyOpInputsToSubgraphInputs and friends).
 */
import type { MicroGraph } from '../interpreter/micro-graph';
import type { TensorInfo } from '../model/model.types';
import type { PrepareContext } from './kernel.types';

/** Every type a tensor can have: control flow copies bytes, whatever the type (TFLM registers no type list). */
export const ANY_TYPE: readonly string[] = [
  'float32',
  'int32',
  'uint8',
  'int64',
  'bool',
  'int16',
  'int8',
  'uint16',
  'uint32',
  'uint64',
  'resource',
  'none',
];

/** A subgraph index from the op's options: TFLM's `index < graph_info.NumSubgraphs()` (negative ones too). */
export function checkSubgraphIndex(ctx: PrepareContext, index: number, what: string): number {
  if (!(Number.isInteger(index) && index >= 0 && index < ctx.graph.subgraphCount))
    ctx.fail(`${what} subgraph ${index}, model has ${ctx.graph.subgraphCount}`);
  return index;
}

/**
 * TFLM checks a copy in Eval (ValidateAndGetTensorSizes, TF_LITE_ENSURE_TYPES_EQ): same type and byte size. The
 * sizes are static here, so prepare() finds the failure and eval() raises it when the copy would run.
 */
export function copyError(from: TensorInfo, to: TensorInfo, what: string): string | null {
  if (from.dtype !== to.dtype) return `${what}: type ${from.dtype} into ${to.dtype}`;
  if (from.byteLength !== to.byteLength) return `${what}: ${from.byteLength} bytes into ${to.byteLength}`;
  return null;
}

/** A subgraph's inputs are written by the op that invokes it: a constant one would mean writing the model. */
export function checkWritableInputs(ctx: PrepareContext, subgraph: number): void {
  const sg = ctx.graph.subgraph(subgraph);
  for (const t of sg.inputs) {
    if (sg.tensors[t].data) ctx.fail(`input tensor ${t} of subgraph ${subgraph} is constant`);
  }
}

/** One byte copy between two tensors (subgraph, tensor index), resolved through the graph at eval time. */
export interface TensorCopy {
  fromSubgraph: number;
  fromTensor: number;
  toSubgraph: number;
  toTensor: number;
}

/** Copies between lists of tensors, pairwise, recording the first invalid pair (null: all valid). */
export function pairCopies(
  ctx: PrepareContext,
  from: { subgraph: number; tensors: readonly number[] },
  to: { subgraph: number; tensors: readonly number[] },
  what: string,
): { copies: TensorCopy[]; error: string | null } {
  const tensorsOf = (s: number): TensorInfo[] => ctx.graph.subgraph(s).tensors;
  const copies: TensorCopy[] = [];
  let error: string | null = null;
  from.tensors.forEach((f, k) => {
    const t = to.tensors[k];
    error ??= copyError(tensorsOf(from.subgraph)[f], tensorsOf(to.subgraph)[t], `${what} ${k}`);
    copies.push({ fromSubgraph: from.subgraph, fromTensor: f, toSubgraph: to.subgraph, toTensor: t });
  });
  return { copies, error };
}

/** Runs copies in order (allocation-free: the graph caches every tensor's byte view). */
export function runCopies(graph: MicroGraph, copies: readonly TensorCopy[]): void {
  for (let k = 0; k < copies.length; k++) {
    const c = copies[k];
    graph.tensorBytes(c.toSubgraph, c.toTensor).set(graph.tensorBytes(c.fromSubgraph, c.fromTensor));
  }
}
