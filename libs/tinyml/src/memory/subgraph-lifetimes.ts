/**
 * Buffer lifetimes over every subgraph, as TFLM's AllocationInfoBuilder (micro_allocation_info.cc) marks them
 * before one GreedyMemoryPlanner plans all subgraphs and scratch buffers together:
 *
 * - one "allocation scope" counter runs through subgraph 0; each operator opens a new scope;
 * - a control-flow operator (IF: then, else; WHILE: cond, body; CALL_ONCE: init) plans the subgraphs it invokes
 *   inline, each in a new scope, after its outputs are created and before its inputs' last use, so its inputs and
 *   outputs stay live while those subgraphs run and the subgraphs' tensors share the arena with everything not
 *   live at that time;
 * - a subgraph's inputs are created when it is entered, its outputs live to its last scope; a scratch buffer spans
 *   its operator's scope and every subgraph the operator invokes.
 *
 * A subgraph planned twice (two operators invoke it) keeps the union of its spans: TFLM records the first creation
 * only (UpdateFirstCreated) and the latest use. Subgraphs no operator reaches from subgraph 0 are not planned (no
 * request: nothing can run them).
 */
import { ModelFormatError } from '../errors';
import { invokedSubgraphs } from '../model/control-flow';
import type { Model } from '../model/model.types';
import type { BufferRequest } from './memory-planner';

/** Bounds the scopes a (corrupted) model can make the planner walk: subgraphs invoking subgraphs twice each. */
const MAX_SCOPES = 1 << 20;

/**
 * Ops whose Prepare points their output tensor at their own OpData (VAR_HANDLE: the resource id). TFLM's planner
 * runs after Prepare and plans only tensors whose data pointer is still null, so such an output gets no arena
 * slot; the interpreter gives it a few bytes of its own (the device figure counts the OpData).
 */
const OUTPUT_IN_OP_DATA: ReadonlySet<string> = new Set(['VAR_HANDLE']);

export interface TensorRef {
  subgraph: number;
  tensor: number;
}

export interface SubgraphLifetimes {
  /** The planned tensors, in TFLM's AllocationInfo order (subgraph by subgraph, tensor index ascending). */
  tensors: TensorRef[];
  /** One request per planned tensor (same order), with its first and last scope. */
  requests: BufferRequest[];
  /** Per subgraph, per operator: the [first, last] scope of a scratch buffer it requests (null: never reached). */
  opSpans: ([number, number] | null)[][];
  /** Outputs an op keeps in its OpData (OUTPUT_IN_OP_DATA): not planned, memory of their own. */
  opDataOutputs: TensorRef[];
}

/** Lifetimes of every non-constant, non-variable, non-empty tensor that subgraph 0 reaches. */
export function subgraphLifetimes(model: Model): SubgraphLifetimes {
  const first = model.subgraphs.map((sg) => new Array<number>(sg.tensors.length).fill(-1));
  const last = model.subgraphs.map((sg) => new Array<number>(sg.tensors.length).fill(-1));
  const opSpans: ([number, number] | null)[][] = model.subgraphs.map((sg) => sg.operators.map(() => null));
  const running = new Set<number>();
  let scope = 0;

  const created = (sg: number, t: number): void => {
    if (first[sg][t] === -1) first[sg][t] = scope;
    last[sg][t] = Math.max(last[sg][t], scope);
  };
  const used = (sg: number, t: number, entry: number): void => {
    // Read before anything wrote it (and not an input): it must hold from the subgraph's entry.
    if (first[sg][t] === -1) first[sg][t] = entry;
    last[sg][t] = Math.max(last[sg][t], scope);
  };

  const mark = (sg: number): void => {
    const subgraph = model.subgraphs[sg];
    const entry = scope;
    running.add(sg);
    for (const t of subgraph.inputs) created(sg, t);
    subgraph.operators.forEach((op, k) => {
      if (++scope > MAX_SCOPES) throw new ModelFormatError(`control flow invokes more than ${MAX_SCOPES} operators`);
      for (const t of op.outputs) created(sg, t);
      const start = scope;
      for (const target of invokedSubgraphs(op)) {
        if (!Number.isInteger(target) || target < 0 || target >= model.subgraphs.length) {
          throw new ModelFormatError(
            `operator ${k} (${op.opName}) of subgraph ${sg} invokes subgraph ${target}, model has ${model.subgraphs.length}`,
          );
        }
        // TFLM would recurse until its stack overflows, at AllocateTensors already; refuse the model instead.
        if (running.has(target)) {
          throw new ModelFormatError(
            `operator ${k} (${op.opName}) of subgraph ${sg} invokes subgraph ${target}, which is already running`,
          );
        }
        scope++;
        mark(target);
      }
      for (const t of op.inputs) if (t >= 0) used(sg, t, entry);
      for (const t of op.outputs) used(sg, t, entry);
      const span = opSpans[sg][k];
      opSpans[sg][k] = span === null ? [start, scope] : [span[0], scope];
    });
    for (const t of subgraph.outputs) used(sg, t, entry);
    running.delete(sg);
  };
  mark(0);

  const opDataOutputs: TensorRef[] = [];
  const inOpData = model.subgraphs.map((subgraph, sg) => {
    const owned = new Set<number>();
    for (const op of subgraph.operators) {
      if (!OUTPUT_IN_OP_DATA.has(op.opName)) continue;
      for (const t of op.outputs) {
        if (!owned.has(t)) opDataOutputs.push({ subgraph: sg, tensor: t });
        owned.add(t);
      }
    }
    return owned;
  });
  const tensors: TensorRef[] = [];
  const requests: BufferRequest[] = [];
  model.subgraphs.forEach((subgraph, sg) => {
    subgraph.tensors.forEach((t, k) => {
      if (first[sg][k] === -1 || t.data || t.isVariable || t.byteLength === 0 || inOpData[sg].has(k)) return;
      tensors.push({ subgraph: sg, tensor: k });
      requests.push({ sizeBytes: t.byteLength, firstUse: first[sg][k], lastUse: last[sg][k] });
    });
  });
  return { tensors, requests, opSpans, opDataOutputs };
}
