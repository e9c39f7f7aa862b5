/**
 * The graph API kernels get (TFLM's MicroGraph / MicroInterpreterGraph): how many subgraphs there are and what
 * their inputs and outputs are (in prepare), the resource variables, and, once the interpreter has allocated,
 * invoking a subgraph by index and reaching any subgraph's tensor memory (in eval). The interpreter owns one per
 * model; PrepareContext.graph hands it to kernels.
 */
import type { Kernel, KernelIo, OpCost, TensorData } from '../kernels/kernel.types';
import { EVAL_ABORT } from '../kernels/kernel.types';
import type { Model, Subgraph } from '../model/model.types';
import { ResourceVariables } from './resource-variables';

export interface PreparedNode {
  kernel: Kernel<unknown>;
  data: unknown;
  io: KernelIo;
  cost: OpCost;
}

export class MicroGraph {
  /** MicroResourceVariables: VAR_HANDLE creates ids in prepare, ASSIGN_VARIABLE allocates their buffers. */
  readonly resources = new ResourceVariables();
  /** The resource id each VAR_HANDLE output holds once prepared, by subgraph then tensor (TFLM's eval-tensor data). */
  private readonly resourceIds: Map<number, number>[];
  private nodes: PreparedNode[][] = [];
  private views: TensorData[][] = [];
  private bytes: Uint8Array[][] = [];

  constructor(
    readonly model: Model,
    /** Body runs after which a WHILE stops with InvokeError (InterpreterOptions.maxWhileIterations). */
    readonly maxWhileIterations = Infinity,
  ) {
    this.resourceIds = model.subgraphs.map(() => new Map());
  }

  get subgraphCount(): number {
    return this.model.subgraphs.length;
  }

  /** A subgraph's tensors, inputs and outputs (what prepare() checks copies against). */
  subgraph(index: number): Subgraph {
    return this.model.subgraphs[index];
  }

  /** VAR_HANDLE's Prepare points its output at its resource id; later prepares in the subgraph can read it. */
  setResourceId(subgraph: number, tensor: number, id: number): void {
    this.resourceIds[subgraph].set(tensor, id);
  }

  /** The resource id a tensor holds at prepare time, when a VAR_HANDLE of its subgraph was prepared before. */
  resourceId(subgraph: number, tensor: number): number | undefined {
    return this.resourceIds[subgraph].get(tensor);
  }

  /** Called once by the interpreter after planning: every subgraph's nodes and tensor views. */
  bind(nodes: PreparedNode[][], views: TensorData[][]): void {
    this.nodes = nodes;
    this.views = views;
    this.bytes = views.map((list) => list.map((v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength)));
  }

  /**
   * MicroGraph::InvokeSubgraph: runs the subgraph's operators in order; allocates nothing. False when an
   * operator ended the run early (EVAL_ABORT, TFLM's kTfLiteAbort, which its callers pass on).
   */
  invoke(subgraph: number): boolean {
    const nodes = this.nodes[subgraph];
    for (let k = 0; k < nodes.length; k++) {
      const n = nodes[k];
      if (n.kernel.eval(n.data, n.io) === EVAL_ABORT) return false;
    }
    return true;
  }

  /** A tensor's memory as its typed view (valid after allocation). */
  view(subgraph: number, tensor: number): TensorData {
    return this.views[subgraph][tensor];
  }

  /** A tensor's memory as raw bytes (valid after allocation; cached, so eval allocates nothing). */
  tensorBytes(subgraph: number, tensor: number): Uint8Array {
    return this.bytes[subgraph][tensor];
  }

  /** MicroInterpreterGraph::ResetSubgraphs: every kernel's Reset(), in every subgraph. */
  resetKernels(): void {
    for (const nodes of this.nodes) for (const n of nodes) n.kernel.reset?.(n.data);
  }
}
