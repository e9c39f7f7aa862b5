/**
 * The interpreter: prepares every operator of every subgraph once (TFLM's Init/Prepare), plans one arena for all
 * non-constant tensors of all subgraphs, then runs subgraph 0's kernels in graph order on every invoke() (IF,
 * WHILE and CALL_ONCE run the other subgraphs through the MicroGraph).
 */
import { ArenaTooSmallError, ModelFormatError } from '../errors';
import type { OpCost, TensorData } from '../kernels/kernel.types';
import { EVAL_ABORT, PrepareContext, operatorLabel } from '../kernels/kernel.types';
import { DEVICE_POINTER_BYTES } from '../memory/device-layout';
import { DeviceMemory, DeviceMemoryInput, deviceMemory } from '../memory/device-memory';
import { GreedyMemoryPlanner } from '../memory/greedy-memory-planner';
import { BufferRequest, MemoryPlanner, lowerBoundBytes } from '../memory/memory-planner';
import { OpMemory } from '../memory/op-memory';
import { subgraphLifetimes } from '../memory/subgraph-lifetimes';
import type { Model, Subgraph, TensorInfo } from '../model/model.types';
import { OpResolver } from '../resolver/op-resolver';
import { MicroGraph, PreparedNode } from './micro-graph';
import { TensorView, tensorMeta, typedView } from './tensor-view';

/** Bound once: global lookups inside the invoke loop are slow in vm sandboxes (e.g. Jest). */
const perf = globalThis.performance;

const ALL_OPS = OpResolver.all();

/** Hard ceiling so a corrupted model cannot make us allocate gigabytes. */
export const MAX_ARENA_BYTES = 512 * 1024 * 1024;

export interface InterpreterOptions {
  /** Budget for the planned activations (`arenaBytes`); allocate() throws ArenaTooSmallError above it. */
  arenaBytesLimit?: number;
  /**
   * Budget for everything the device's arena holds (`memory.totalBytes`: activations, scratch, persistent);
   * allocate() throws ArenaTooSmallError above it. This is the figure to compare with a device's free RAM.
   */
  deviceBytesLimit?: number;
  planner?: MemoryPlanner;
  /** The kernels this build registers (TFLM's MicroMutableOpResolver); default: every kernel. */
  resolver?: OpResolver;
  /** Use the WebAssembly SIMD kernel paths where available (default true; results are identical). */
  wasm?: boolean;
  /**
   * Stop a WHILE whose body ran this many times in one invoke with InvokeError. Default: no limit, as TFLM, whose
   * WHILE loops until its condition is false (a model that never ends it hangs the device too). A watchdog for
   * untrusted models (e.g. fuzzing); results are identical below the limit.
   */
  maxWhileIterations?: number;
}

export interface InvokeHooks {
  afterOp?: (opIndex: number, outputs: [tensorIndex: number, bytes: Uint8Array][]) => void;
  /** Record each op's host time for profile() (performance.now() allocates, so plain invoke() does not). */
  timeOps?: boolean;
}

export interface OpProfile extends OpCost {
  index: number;
  op: string;
  hostMs: number;
}

export interface Profile {
  ops: OpProfile[];
  totals: OpCost & { hostMs: number };
}

export interface AllocationPlan {
  /** Planned activations: the arena the tensors alone need (without scratch buffers). */
  arenaBytes: number;
  lowerBoundBytes: number;
  /** The arena planned for tensors and scratch buffers together (what is allocated). */
  plannedBytes: number;
  /** Arena offset per tensor index of subgraph 0 (-1 for constant, variable or unused tensors). */
  offsets: number[];
}

export class Interpreter {
  private nodes: PreparedNode[] = [];
  /** Subgraph 0's tensor views by index (input(), output(), afterOp). */
  private views: TensorData[] = [];
  private tensorViews = new Map<number, TensorView>();
  private hostMs: Float64Array = new Float64Array(0);
  private allocation: AllocationPlan | null = null;
  private memoryInput: DeviceMemoryInput | null = null;
  private deviceMemoryCache: DeviceMemory | null = null;
  /** Every subgraph's prepared nodes and tensors (TFLM's MicroInterpreterGraph); kernels invoke through it. */
  private readonly graph: MicroGraph;

  constructor(
    readonly model: Model,
    private readonly options: InterpreterOptions = {},
  ) {
    this.graph = new MicroGraph(model, options.maxWhileIterations);
  }

  get arenaBytes(): number {
    return this.ensureAllocated().arenaBytes;
  }

  get plan(): AllocationPlan {
    return this.ensureAllocated();
  }

  /** What the device's arena holds for this model, at 32-bit pointers (README "Device memory"). */
  get memory(): DeviceMemory {
    this.ensureAllocated();
    this.deviceMemoryCache ??= this.memoryAt(DEVICE_POINTER_BYTES);
    return this.deviceMemoryCache;
  }

  /** The same accounting at another pointer width (8 compares with TFLM's 64-bit host figures). */
  memoryAt(pointerBytes: number): DeviceMemory {
    this.ensureAllocated();
    return deviceMemory(this.memoryInput as DeviceMemoryInput, pointerBytes);
  }

  /**
   * Prepare every operator of every subgraph and plan + allocate one arena for all of them (TFLM plans all
   * subgraphs together, see memory/subgraph-lifetimes.ts). Idempotent.
   */
  allocate(): AllocationPlan {
    if (this.allocation) return this.allocation;
    const model = this.model;
    for (const sg of model.subgraphs) {
      for (const node of sg.operators) {
        for (const o of node.outputs) {
          if (sg.tensors[o].data) throw new ModelFormatError(`${operatorLabel(node)} writes constant tensor ${o}`);
        }
      }
    }
    // Plan the tensors first: shapes are static, and checking the budget before prepare() keeps a corrupted
    // model from allocating huge per-op buffers.
    const lifetimes = subgraphLifetimes(model);
    const { requests } = lifetimes;
    if (requests.some((r) => r.sizeBytes > MAX_ARENA_BYTES)) throw new ModelFormatError('tensor too large');
    const planner = this.options.planner ?? new GreedyMemoryPlanner();
    const tensorPlan = planner.plan(requests);
    checkLimit(tensorPlan.arenaBytes, this.options.arenaBytesLimit);
    const resolver = this.options.resolver ?? ALL_OPS;
    const wasm = this.options.wasm ?? true;
    // TFLM's PrepareSubgraphs: subgraph by subgraph, operator by operator.
    const opMemory = model.subgraphs.map((sg) => sg.operators.map(() => new OpMemory()));
    const prepared = model.subgraphs.map((sg, s) =>
      sg.operators.map((node, k) => {
        const kernel = resolver.find(model, node);
        const result = kernel.prepare(new PrepareContext(model, node, opMemory[s][k], wasm, this.graph));
        const bytesOf = (ids: number[]): number =>
          ids.reduce((sum, i) => sum + (i >= 0 ? sg.tensors[i].byteLength : 0), 0);
        const cost: OpCost = {
          macs: result.macs ?? node.outputs.reduce((sum, i) => sum + sg.tensors[i].elementCount, 0),
          bytesRead: bytesOf(node.inputs),
          bytesWritten: bytesOf(node.outputs),
        };
        return { kernel, data: result.data as unknown, cost };
      }),
    );

    // Scratch buffers live during their op (and the subgraphs it invokes) and share the arena with the tensors
    // (TFLM plans both). An op no path from subgraph 0 reaches never runs: its scratch is not planned.
    const scratch = opMemory.flatMap((ops, s) =>
      ops.flatMap((m, k) => {
        const span = lifetimes.opSpans[s][k];
        return m.scratch.map((r) => ({ s, k, r, span }));
      }),
    );
    const planned = scratch.filter((x) => x.span !== null);
    let plan = tensorPlan;
    if (planned.length > 0) {
      const withScratch = [
        ...requests,
        ...planned.map(({ r, span }) => ({
          sizeBytes: r.sizeBytes,
          firstUse: (span as [number, number])[0],
          lastUse: (span as [number, number])[1],
        })),
      ];
      plan = planner.plan(withScratch);
    }
    // The joint plan also places every tensor, so it bounds the activations-only figure too.
    const activationsBytes = Math.min(tensorPlan.arenaBytes, plan.arenaBytes);
    const variables = model.subgraphs.flatMap((sg, s) =>
      sg.tensors
        .filter((t) => t.isVariable && !t.data && usedBySubgraph(sg, t.index))
        .map((t) => ({ subgraph: s, tensor: t.index })),
    );
    this.memoryInput = {
      model,
      ops: opMemory,
      activationsBytes,
      plannedBytes: plan.arenaBytes,
      variables,
      resourceVariables: this.graph.resources.count,
    };
    if (this.options.deviceBytesLimit !== undefined) {
      checkLimit(deviceMemory(this.memoryInput, DEVICE_POINTER_BYTES).totalBytes, this.options.deviceBytesLimit);
    }

    const offsets = model.subgraphs.map((sg) => new Array<number>(sg.tensors.length).fill(-1));
    lifetimes.tensors.forEach((ref, k) => (offsets[ref.subgraph][ref.tensor] = plan.offsets[k]));
    const arena = new ArrayBuffer(plan.arenaBytes);
    const views = model.subgraphs.map((sg, s) => sg.tensors.map((t) => this.viewOf(t, arena, offsets[s][t.index])));
    // Variables keep their contents across invokes: their own memory, like TFLM's persistent tail. VAR_HANDLE's
    // output lives in its OpData in TFLM (not the arena): its own memory too.
    for (const v of [...variables, ...lifetimes.opDataOutputs]) {
      const t = model.subgraphs[v.subgraph].tensors[v.tensor];
      views[v.subgraph][v.tensor] = typedView(t.dtype, new ArrayBuffer(t.byteLength), 0, t.elementCount, t.byteLength);
    }
    const scratchViews = opMemory.map((ops) => ops.map((): TensorData[] => []));
    let scratchIndex = requests.length;
    for (const { s, k, r, span } of scratch) {
      // Unreached ops get their own (never used) memory so their io stays well-formed.
      const view =
        span === null
          ? typedView(r.dtype, new ArrayBuffer(r.sizeBytes), 0, r.elementCount, r.sizeBytes)
          : typedView(r.dtype, arena, plan.offsets[scratchIndex++], r.elementCount, r.sizeBytes);
      scratchViews[s][k].push(view);
    }

    const nodes = model.subgraphs.map((sg, s) =>
      sg.operators.map((node, k) => ({
        ...prepared[s][k],
        io: {
          inputs: node.inputs.map((i) => (i >= 0 ? views[s][i] : null)),
          outputs: node.outputs.map((i) => views[s][i]),
          scratch: scratchViews[s][k],
        },
      })),
    );
    this.graph.bind(nodes, views);
    this.nodes = nodes[0];
    this.views = views[0];
    this.hostMs = new Float64Array(this.nodes.length);
    this.resetVariableTensors();
    this.allocation = {
      arenaBytes: activationsBytes,
      lowerBoundBytes: lowerBoundBytes(requests),
      plannedBytes: plan.arenaBytes,
      offsets: offsets[0],
    };
    return this.allocation;
  }

  private viewOf(t: TensorInfo, arena: ArrayBuffer, offset: number): TensorData {
    if (t.data)
      return typedView(t.dtype, t.data.buffer as ArrayBuffer, t.data.byteOffset, t.elementCount, t.byteLength);
    // Tensors the graph never touches get an empty view (nothing reads or writes them).
    if (offset < 0) return typedView(t.dtype, new ArrayBuffer(0), 0, 0, 0);
    return typedView(t.dtype, arena, offset, t.elementCount, t.byteLength);
  }

  get inputCount(): number {
    return this.model.inputs.length;
  }

  get outputCount(): number {
    return this.model.outputs.length;
  }

  input(i: number): TensorView {
    return this.tensorView(this.model.inputs, i, 'input');
  }

  output(i: number): TensorView {
    return this.tensorView(this.model.outputs, i, 'output');
  }

  private tensorView(list: number[], i: number, what: string): TensorView {
    this.ensureAllocated();
    const index = list[i];
    if (index === undefined) throw new RangeError(`model has ${list.length} ${what}s, asked for ${what} ${i}`);
    // Views are cached: input(i) / output(i) in a hot loop allocate nothing.
    const cached = this.tensorViews.get(index);
    if (cached) return cached;
    const t = this.model.tensors[index];
    const data = this.views[index];
    const view: TensorView = {
      index,
      name: t.name,
      dtype: t.dtype,
      shape: [...t.shape],
      ...tensorMeta(t),
      bytes: new Uint8Array(data.buffer, data.byteOffset, t.byteLength),
      data,
    };
    this.tensorViews.set(index, view);
    return view;
  }

  /**
   * Run subgraph 0's operators once, in graph order; allocates nothing (see bench "allocations"). `hooks.afterOp`
   * (debugging) sees each operator's output tensors as raw bytes right after it ran, before the arena reuses
   * their memory; `hooks.timeOps` records per-op host time for profile(). Both see subgraph 0's operators: a
   * subgraph that IF / WHILE / CALL_ONCE runs counts in that operator's time. Returns false when an operator
   * ended the run early (TFLM's kTfLiteAbort: a CIRCULAR_BUFFER whose stride has not come round; the later
   * operators did not run and the outputs keep what they held), true when every operator ran.
   */
  invoke(hooks?: InvokeHooks): boolean {
    this.ensureAllocated();
    if (hooks === undefined) {
      return this.graph.invoke(0);
    }
    const nodes = this.nodes;
    const hostMs = this.hostMs;
    let t0 = perf.now();
    for (let k = 0; k < nodes.length; k++) {
      const n = nodes[k];
      const status = n.kernel.eval(n.data, n.io);
      const t1 = perf.now();
      hostMs[k] = t1 - t0;
      t0 = t1;
      if (hooks?.afterOp) {
        const outs = this.model.operators[k].outputs.map((i): [number, Uint8Array] => {
          const d = this.views[i];
          return [i, new Uint8Array(d.buffer, d.byteOffset, this.model.tensors[i].byteLength)];
        });
        hooks.afterOp(k, outs);
        t0 = perf.now();
      }
      if (status === EVAL_ABORT) return false;
    }
    return true;
  }

  /**
   * TFLM's MicroInterpreter::Reset(): resets every variable tensor (LSTM/SVDF state) of every subgraph and every
   * resource variable, and the state kernels keep between invokes (noise estimates of the signal ops), to what
   * allocate() set up. Like TFLM, CALL_ONCE has no Reset: its init subgraph does not run again.
   */
  reset(): void {
    this.ensureAllocated();
    this.resetVariableTensors();
    this.graph.resetKernels();
  }

  /**
   * MicroGraph::ResetVariableTensors: int8 variables are memset to their zero point, all others to 0; resource
   * variables go back to their default byte (MicroResourceVariables::ResetAll).
   */
  private resetVariableTensors(): void {
    this.model.subgraphs.forEach((sg, s) => {
      for (const t of sg.tensors) {
        if (!t.isVariable || t.data) continue;
        const fill = t.dtype === 'int8' ? (t.quantization?.zeroPoints[0] ?? 0) & 0xff : 0;
        this.graph.tensorBytes(s, t.index).fill(fill);
      }
    });
    this.graph.resources.resetAll();
  }

  /** Static costs of every operator plus the host time each took in the last invoke() with hooks (else 0). */
  profile(): Profile {
    this.ensureAllocated();
    const ops = this.nodes.map((n, k) => ({
      index: k,
      op: this.model.operators[k].opName,
      ...n.cost,
      hostMs: this.hostMs[k],
    }));
    const totals = ops.reduce(
      (s, o) => ({
        macs: s.macs + o.macs,
        bytesRead: s.bytesRead + o.bytesRead,
        bytesWritten: s.bytesWritten + o.bytesWritten,
        hostMs: s.hostMs + o.hostMs,
      }),
      { macs: 0, bytesRead: 0, bytesWritten: 0, hostMs: 0 },
    );
    return { ops, totals };
  }

  private ensureAllocated(): AllocationPlan {
    return this.allocation ?? this.allocate();
  }
}

function checkLimit(neededBytes: number, limit: number | undefined): void {
  const available = Math.min(limit ?? MAX_ARENA_BYTES, MAX_ARENA_BYTES);
  if (neededBytes > available) throw new ArenaTooSmallError(neededBytes, available);
}

function usedBySubgraph(sg: Subgraph, t: number): boolean {
  return sg.operators.some((op) => op.inputs.includes(t) || op.outputs.includes(t));
}

/** The arena requests of every tensor the model's subgraphs plan (scratch buffers aside), in TFLM's order. */
export function tensorRequests(model: Model): BufferRequest[] {
  return subgraphLifetimes(model).requests;
}
