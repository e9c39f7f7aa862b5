/** inspectModel: the `model inspect --json` summary of a model, plus per-layer MACs. */
import { UnsupportedOpError } from '../errors';
import { Interpreter, tensorRequests } from '../interpreter/interpreter';
import { PrepareContext } from '../kernels/kernel.types';
import { GreedyMemoryPlanner } from '../memory/greedy-memory-planner';
import { MicroGraph } from '../interpreter/micro-graph';
import { tensorMeta } from '../interpreter/tensor-view';
import { loadModel } from '../model/model-reader';
import type { Model } from '../model/model.types';
import { OpResolver } from '../resolver/op-resolver';

export interface TensorSummary {
  name: string;
  dtype: string;
  shape: number[];
  scale: number;
  zeroPoint: number;
}

export interface ModelInspection {
  /** Operator name -> number of uses, in every subgraph. */
  ops: Record<string, number>;
  /** Elements in constant (buffer-backed) tensors of every subgraph. */
  params: number;
  flashBytes: number;
  weightsBytes: number;
  /** Planned activations (the tensors' arena alone). */
  arenaBytes: number;
  /**
   * What a device's arena holds (32-bit pointers, README "Device memory"): activations, scratch, persistent
   * and their total; null when an op is unsupported (its kernel's needs are unknown).
   */
  memory: { activationsBytes: number; scratchBytes: number; persistentBytes: number; totalBytes: number } | null;
  macs: number;
  inputs: TensorSummary[];
  outputs: TensorSummary[];
  layers: { index: number; op: string; macs: number }[];
}

export function summarizeTensor(model: Model, index: number): TensorSummary {
  const t = model.tensors[index];
  return { name: t.name, dtype: t.dtype, shape: [...t.shape], ...tensorMeta(t) };
}

export function inspectModel(bytes: Uint8Array): ModelInspection {
  const model = loadModel(bytes);
  // Inspection also works for models with ops we cannot run: the arena plan needs only the graph, and
  // an unsupported op counts 0 MACs.
  const plan = new GreedyMemoryPlanner().plan(tensorRequests(model));
  let supported = true;
  // One graph for every prepare, as in the interpreter (VAR_HANDLE ids are shared across subgraphs).
  const graph = new MicroGraph(model);
  const prepared = model.subgraphs.map((sg) =>
    sg.operators.map((node) => {
      let macs = 0;
      try {
        const ctx = new PrepareContext(model, node, undefined, undefined, graph);
        const result = OpResolver.all().find(model, node).prepare(ctx);
        macs = result.macs ?? node.outputs.reduce((s, i) => s + sg.tensors[i].elementCount, 0);
      } catch (err) {
        if (!(err instanceof UnsupportedOpError)) throw err;
        supported = false;
      }
      return { index: node.index, op: node.opName, macs };
    }),
  );
  // Per-layer figures are subgraph 0's operators; what other subgraphs run is counted in the ops table.
  const layers = prepared[0];
  let memory: ModelInspection['memory'] = null;
  if (supported) {
    const m = new Interpreter(model).memory;
    memory = {
      activationsBytes: m.activationsBytes,
      scratchBytes: m.scratchBytes,
      persistentBytes: m.persistentBytes,
      totalBytes: m.totalBytes,
    };
  }
  const ops: Record<string, number> = {};
  for (const sg of model.subgraphs) for (const op of sg.operators) ops[op.opName] = (ops[op.opName] ?? 0) + 1;
  return {
    ops,
    params: model.subgraphs.reduce((n, sg) => n + sg.tensors.reduce((s, t) => s + (t.data ? t.elementCount : 0), 0), 0),
    flashBytes: model.flashBytes,
    weightsBytes: model.weightsBytes,
    arenaBytes: plan.arenaBytes,
    memory,
    macs: layers.reduce((s, l) => s + l.macs, 0),
    inputs: model.inputs.map((i) => summarizeTensor(model, i)),
    outputs: model.outputs.map((i) => summarizeTensor(model, i)),
    layers,
  };
}
