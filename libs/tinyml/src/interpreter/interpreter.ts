/**
 * The interpreter: prepares every operator once (TFLM's Init/Prepare), plans one arena for all non-constant
 * tensors, then runs the kernels in graph order on every invoke().
 */
import { ArenaTooSmallError, ModelFormatError } from '../errors';
import type { Kernel, KernelIo, OpCost, TensorData } from '../kernels/kernel.types';
import { EVAL_ABORT, PrepareContext } from '../kernels/kernel.types';
import { DEVICE_POINTER_BYTES } from '../memory/device-layout';
import { DeviceMemory, DeviceMemoryInput, deviceMemory } from '../memory/device-memory';
import { GreedyMemoryPlanner } from '../memory/greedy-memory-planner';
import { BufferRequest, MemoryPlanner, lowerBoundBytes } from '../memory/memory-planner';
import { OpMemory } from '../memory/op-memory';
import type { Model, TensorInfo } from '../model/model.types';
import { OpResolver } from '../resolver/op-resolver';
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

interface PreparedNode {
  kernel: Kernel<unknown>;
  data: unknown;
  io: KernelIo;
  cost: OpCost;
}

export interface AllocationPlan {
  /** Planned activations: the arena the tensors alone need (without scratch buffers). */
  arenaBytes: number;
  lowerBoundBytes: number;
  /** The arena planned for tensors and scratch buffers together (what is allocated). */
  plannedBytes: number;
  /** Arena offset per tensor index (-1 for constant, variable or unused tensors). */
  offsets: number[];
}

export class Interpreter {
  private nodes: PreparedNode[] = [];
  private views = new Map<number, TensorData>();
  private tensorViews = new Map<number, TensorView>();
  private hostMs: Float64Array = new Float64Array(0);
  private allocation: AllocationPlan | null = null;
  private memoryInput: DeviceMemoryInput | null = null;
  private deviceMemoryCache: DeviceMemory | null = null;

  constructor(
    readonly model: Model,
    private readonly options: InterpreterOptions = {},
  ) {}

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

  /** Prepare all operators and plan + allocate the arena. Idempotent. */
  allocate(): AllocationPlan {
    if (this.allocation) return this.allocation;
    const model = this.model;
    for (const node of model.operators) {
      for (const o of node.outputs) {
        if (model.tensors[o].data)
          throw new ModelFormatError(`operator ${node.index} (${node.opName}) writes constant tensor ${o}`);
      }
    }
    // Plan the tensors first: shapes are static, and checking the budget before prepare() keeps a corrupted
    // model from allocating huge per-op buffers.
    const { requests, tensorIds } = bufferRequests(model);
    const planner = this.options.planner ?? new GreedyMemoryPlanner();
    const tensorPlan = planner.plan(requests);
    checkLimit(tensorPlan.arenaBytes, this.options.arenaBytesLimit);
    const resolver = this.options.resolver ?? ALL_OPS;
    const opMemory: OpMemory[] = [];
    const prepared = model.operators.map((node) => {
      const kernel = resolver.find(model, node);
      const memory = new OpMemory();
      const result = kernel.prepare(new PrepareContext(model, node, memory, this.options.wasm ?? true));
      opMemory.push(memory);
      const bytesOf = (ids: number[]): number =>
        ids.reduce((s, i) => s + (i >= 0 ? model.tensors[i].byteLength : 0), 0);
      const cost: OpCost = {
        macs: result.macs ?? node.outputs.reduce((s, i) => s + model.tensors[i].elementCount, 0),
        bytesRead: bytesOf(node.inputs),
        bytesWritten: bytesOf(node.outputs),
      };
      return { kernel, data: result.data as unknown, cost };
    });

    // Scratch buffers live during their op only and share the arena with the tensors (TFLM plans both).
    const scratch = opMemory.flatMap((m, op) => m.scratch.map((r) => ({ op, r })));
    let plan = tensorPlan;
    if (scratch.length > 0) {
      const withScratch = [
        ...requests,
        ...scratch.map(({ op, r }) => ({ sizeBytes: r.sizeBytes, firstUse: op, lastUse: op })),
      ];
      plan = planner.plan(withScratch);
    }
    // The joint plan also places every tensor, so it bounds the activations-only figure too.
    const activationsBytes = Math.min(tensorPlan.arenaBytes, plan.arenaBytes);
    const variables = model.tensors.filter((t) => t.isVariable && !t.data && usedByGraph(model, t.index));
    this.memoryInput = {
      model,
      ops: opMemory,
      activationsBytes,
      plannedBytes: plan.arenaBytes,
      variables: variables.map((t) => t.index),
    };
    if (this.options.deviceBytesLimit !== undefined) {
      checkLimit(deviceMemory(this.memoryInput, DEVICE_POINTER_BYTES).totalBytes, this.options.deviceBytesLimit);
    }

    const offsets = new Array<number>(model.tensors.length).fill(-1);
    tensorIds.forEach((t, k) => (offsets[t] = plan.offsets[k]));
    const arena = new ArrayBuffer(plan.arenaBytes);
    for (const t of model.tensors) this.views.set(t.index, this.viewOf(t, arena, offsets[t.index]));
    // Variables keep their contents across invokes: their own memory, like TFLM's persistent tail.
    for (const t of variables)
      this.views.set(t.index, typedView(t.dtype, new ArrayBuffer(t.byteLength), 0, t.elementCount, t.byteLength));
    let scratchIndex = requests.length;
    const scratchViews = opMemory.map((m) =>
      m.scratch.map((r) => typedView(r.dtype, arena, plan.offsets[scratchIndex++], r.elementCount, r.sizeBytes)),
    );

    this.nodes = model.operators.map((node, k) => ({
      ...prepared[k],
      io: {
        inputs: node.inputs.map((i) => (i >= 0 ? (this.views.get(i) ?? null) : null)),
        outputs: node.outputs.map((i) => this.views.get(i) as TensorData),
        scratch: scratchViews[k],
      },
    }));
    this.hostMs = new Float64Array(this.nodes.length);
    this.resetVariableTensors();
    this.allocation = {
      arenaBytes: activationsBytes,
      lowerBoundBytes: lowerBoundBytes(requests),
      plannedBytes: plan.arenaBytes,
      offsets,
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
    const data = this.views.get(index) as TensorData;
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
   * Run every operator once, in graph order; allocates nothing (see bench "allocations"). `hooks.afterOp`
   * (debugging) sees each operator's output tensors as raw bytes right after it ran, before the arena reuses
   * their memory; `hooks.timeOps` records per-op host time for profile(). Returns false when an operator ended
   * the run early (TFLM's kTfLiteAbort: a CIRCULAR_BUFFER whose stride has not come round; the later operators
   * did not run and the outputs keep what they held), true when every operator ran.
   */
  invoke(hooks?: InvokeHooks): boolean {
    this.ensureAllocated();
    const nodes = this.nodes;
    if (hooks === undefined) {
      for (let k = 0; k < nodes.length; k++) {
        const n = nodes[k];
        if (n.kernel.eval(n.data, n.io) === EVAL_ABORT) return false;
      }
      return true;
    }
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
          const d = this.views.get(i) as TensorData;
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
   * TFLM's MicroInterpreter::Reset(): resets every variable tensor (LSTM/SVDF state) and the state kernels
   * keep between invokes (noise estimates of the signal ops) to what allocate() set up.
   */
  reset(): void {
    this.ensureAllocated();
    this.resetVariableTensors();
    for (const n of this.nodes) n.kernel.reset?.(n.data);
  }

  /** MicroGraph::ResetVariableTensors: int8 variables are memset to their zero point, all others to 0. */
  private resetVariableTensors(): void {
    for (const t of this.model.tensors) {
      if (!t.isVariable || t.data) continue;
      const d = this.views.get(t.index) as TensorData;
      const fill = t.dtype === 'int8' ? (t.quantization?.zeroPoints[0] ?? 0) & 0xff : 0;
      new Uint8Array(d.buffer, d.byteOffset, d.byteLength).fill(fill);
    }
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

function usedByGraph(model: Model, t: number): boolean {
  return model.operators.some((op) => op.inputs.includes(t) || op.outputs.includes(t));
}

/**
 * One arena request per non-constant, non-variable tensor that the graph touches, with its live range
 * (variables live in their own memory: TFLM's persistent tail).
 */
export function bufferRequests(model: Model): { requests: BufferRequest[]; tensorIds: number[] } {
  const lastOp = Math.max(0, model.operators.length - 1);
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const touch = (t: number, step: number): void => {
    if (t < 0 || model.tensors[t].data) return;
    first.set(t, Math.min(first.get(t) ?? step, step));
    last.set(t, Math.max(last.get(t) ?? step, step));
  };
  for (const t of model.inputs) touch(t, 0);
  model.operators.forEach((op, k) => {
    for (const t of op.inputs) {
      // A tensor read before any op writes it (or a variable) must hold its contents from the start.
      if (t >= 0 && !first.has(t)) touch(t, 0);
      touch(t, k);
    }
    for (const t of op.outputs) touch(t, k);
  });
  for (const t of model.outputs) touch(t, lastOp);
  for (const t of model.tensors) {
    if (t.isVariable && !t.data) {
      first.delete(t.index);
      last.delete(t.index);
    }
  }
  const tensorIds = [...first.keys()].sort((a, b) => a - b);
  if (tensorIds.some((t) => model.tensors[t].byteLength > MAX_ARENA_BYTES))
    throw new ModelFormatError('tensor too large');
  return {
    tensorIds,
    requests: tensorIds.map((t) => ({
      sizeBytes: model.tensors[t].byteLength,
      firstUse: first.get(t) as number,
      lastUse: last.get(t) as number,
    })),
  };
}
