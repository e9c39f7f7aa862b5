/** inspectModel: the `model inspect --json` summary of a model, plus per-layer MACs. */
import { UnsupportedOpError } from '../errors';
import { bufferRequests } from '../interpreter/interpreter';
import { findKernel } from '../kernels/kernel-registry';
import { PrepareContext } from '../kernels/kernel.types';
import { GreedyMemoryPlanner } from '../memory/greedy-memory-planner';
import { tensorMeta } from '../interpreter/tensor-view';
import { loadModel } from '../model/model-reader';
import type { Model } from '../model/model.types';

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
  arenaBytes: number;
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
  const layers = model.operators.map((node) => {
    let macs = 0;
    try {
      const prepared = findKernel(node).prepare(new PrepareContext(model, node));
      macs = prepared.macs ?? node.outputs.reduce((s, i) => s + model.tensors[i].elementCount, 0);
    } catch (err) {
      if (!(err instanceof UnsupportedOpError)) throw err;
    }
    return { index: node.index, op: node.opName, macs };
  });
  const ops: Record<string, number> = {};
  for (const op of model.operators) ops[op.opName] = (ops[op.opName] ?? 0) + 1;
  return {
    ops,
    params: model.tensors.reduce((s, t) => s + (t.data ? t.elementCount : 0), 0),
    flashBytes: model.flashBytes,
    weightsBytes: model.weightsBytes,
    arenaBytes: plan.arenaBytes,
    macs: layers.reduce((s, l) => s + l.macs, 0),
    inputs: model.inputs.map((i) => summarizeTensor(model, i)),
    outputs: model.outputs.map((i) => summarizeTensor(model, i)),
    layers,
  };
}
