/** inspectModel: the `model inspect --json` summary of a model, plus per-layer MACs. */
import { UnsupportedOpError } from '../errors';
import { Interpreter, bufferRequests } from '../interpreter/interpreter';
import { PrepareContext } from '../kernels/kernel.types';
import { GreedyMemoryPlanner } from '../memory/greedy-memory-planner';
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
  /** Operator name -> number of uses. */
  ops: Record<string, number>;
  /** Elements in constant (buffer-backed) tensors. */
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
  const plan = new GreedyMemoryPlanner().plan(bufferRequests(model).requests);
  let supported = true;
  const layers = model.operators.map((node) => {
    let macs = 0;
    try {
      const prepared = OpResolver.all().find(model, node).prepare(new PrepareContext(model, node));
      macs = prepared.macs ?? node.outputs.reduce((s, i) => s + model.tensors[i].elementCount, 0);
    } catch (err) {
      if (!(err instanceof UnsupportedOpError)) throw err;
      supported = false;
    }
    return { index: node.index, op: node.opName, macs };
  });
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
  for (const op of model.operators) ops[op.opName] = (ops[op.opName] ?? 0) + 1;
  return {
    ops,
    params: model.tensors.reduce((s, t) => s + (t.data ? t.elementCount : 0), 0),
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
