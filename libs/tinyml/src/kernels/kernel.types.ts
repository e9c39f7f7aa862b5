import { InvokeError, ModelFormatError, UnsupportedOpError } from '../errors';
import { MicroGraph } from '../interpreter/micro-graph';
import { typedView } from '../interpreter/tensor-view';
import type { StructLayout } from '../memory/device-layout';
import { OpMemory } from '../memory/op-memory';
import type { Model, OperatorInfo, TensorInfo } from '../model/model.types';
import type { FbTable } from '../schema/flatbuffer-reader';
import { FlexbufferError, FlexMap, readFlexbufferMap } from '../schema/flexbuffer-reader';
import type { DType } from '../schema/tflite-schema';
import { BUILTIN_OPTIONS_TYPE, DTYPE_BYTES } from '../schema/tflite-schema';

export type TensorData = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array;

/** Static cost of one operator, computed at prepare time (see README "How MACs are counted"). */
export interface OpCost {
  /** Multiply-accumulates, or element operations for elementwise / data-movement ops. */
  macs: number;
  bytesRead: number;
  bytesWritten: number;
}

/** Tensor data bound to one operator after memory planning; built once, reused by every invoke. */
export interface KernelIo {
  inputs: (TensorData | null)[];
  outputs: TensorData[];
  /**
   * The scratch buffers this op requested in prepare() (ctx.requestScratch), by the index it returned: views
   * into the arena, valid only during this eval (other ops' tensors reuse the memory; contents are not kept).
   */
  scratch: TensorData[];
}

/**
 * What eval() returns to end the current invoke after this op (TFLM's kTfLiteAbort, which MicroGraph passes up
 * without running the remaining ops): CIRCULAR_BUFFER's way to run the rest of a strided streaming model only
 * every cycles_max-th invoke. Any other return (undefined) means the op ran normally.
 */
export const EVAL_ABORT = 1;
export type EvalStatus = void | typeof EVAL_ABORT;

export interface Prepared<D> {
  data: D;
  /** Overrides the default cost (bytes of all inputs read, outputs written, macs = output elements). */
  macs?: number;
}

/**
 * TFLM's Init/Prepare/Eval split: prepare() validates the node and does all float and fixed-point set-up
 * once; eval() runs integer-only (or float32-exact) arithmetic and allocates nothing.
 */
export interface Kernel<D = unknown> {
  readonly op: string;
  /**
   * The types this kernel has variants for, by registration type (see resolver registrationType: the data
   * input's type). The resolver refuses any other type with UnsupportedOpError before prepare() runs;
   * prepare() still checks every other tensor.
   */
  readonly types: readonly string[];
  prepare(ctx: PrepareContext): Prepared<D>;
  eval(data: D, io: KernelIo): EvalStatus;
  /** TFLM's optional Reset(): clears state the kernel keeps between invokes (Interpreter.reset()). */
  reset?(data: D): void;
}

export class PrepareContext {
  constructor(
    readonly model: Model,
    readonly node: OperatorInfo,
    /** What this op asks the device to hold (see the memory requests below and README "Device memory"). */
    readonly memory: OpMemory = new OpMemory(),
    /** Kernels may use their WebAssembly SIMD paths (same results; false forces the TypeScript paths). */
    readonly wasm: boolean = true,
    /**
     * The model's graph (TFLM's MicroGraph): control-flow kernels check subgraph inputs and outputs here and keep
     * it to invoke subgraphs in eval; resource-variable kernels reach the resource variables through it.
     */
    readonly graph: MicroGraph = new MicroGraph(model),
  ) {}

  // ---- Memory requests (TFLM's AllocatePersistentBuffer / RequestScratchBufferInArena) ----

  /**
   * The op's parsed builtin options, as TFLM's ParseOpData keeps them (e.g. BUILTIN_DATA.conv). Counted in
   * the device's persistent bytes; the host reads options straight from the flatbuffer.
   */
  builtinData(layout: StructLayout): void {
    this.memory.addStruct(layout, 'builtin');
  }

  /**
   * The OpData struct TFLM's reference kernel allocates in Init (e.g. OP_DATA.conv). Counted in the device's
   * persistent bytes at device pointer width; the host keeps the same values in the kernel's data object.
   */
  opData(layout: StructLayout): void {
    this.memory.addStruct(layout, 'init');
  }

  /**
   * A persistent array the device keeps for the interpreter's life (per-channel multipliers and shifts,
   * tables and state the reference kernel stores). Returns the host copy; counts count * element size device
   * bytes. Whether TFLM allocates it in Init or Prepare does not change the total: both are 16-byte aligned.
   */
  persistentArray(dtype: 'int32', count: number, what: string): Int32Array;
  persistentArray(dtype: 'uint32', count: number, what: string): Uint32Array;
  persistentArray(dtype: 'int16', count: number, what: string): Int16Array;
  persistentArray(dtype: 'int8', count: number, what: string): Int8Array;
  persistentArray(dtype: 'float32', count: number, what: string): Float32Array;
  persistentArray(dtype: DType, count: number, what: string): TensorData {
    const bytes = count * DTYPE_BYTES[dtype];
    this.memory.addArray(what, bytes);
    return typedView(dtype, new ArrayBuffer(bytes), 0, count, bytes);
  }

  /**
   * A scratch buffer planned in the arena for this op's eval only (TFLM RequestScratchBufferInArena): returns
   * the index of its view in `io.scratch`. Request what the reference kernel requests on the device.
   */
  requestScratch(dtype: DType, elementCount: number, what: string): number {
    if (!Number.isInteger(elementCount) || elementCount < 0) this.fail(`bad scratch size ${elementCount} (${what})`);
    this.memory.scratch.push({ what, dtype, elementCount, sizeBytes: elementCount * DTYPE_BYTES[dtype] });
    return this.memory.scratch.length - 1;
  }

  /**
   * Host-only memory: lookup tables, repacked weights and staging buffers that speed up the host but that a
   * device build would not keep. Reported as hostOnlyBytes, never in the device figure. Returns `array`.
   */
  hostOnly<T extends ArrayBufferView>(array: T, what: string): T {
    this.memory.hostOnly.push({ what, bytes: array.byteLength });
    return array;
  }

  /** The op's builtin options table, after checking that the union member is the one this op uses. */
  get options(): FbTable | null {
    const options = this.node.options;
    if (options === null) return null;
    const expected = BUILTIN_OPTIONS_TYPE[this.node.opName];
    const actual = this.node.builtinOptionsType;
    if (expected !== undefined && actual !== expected)
      this.fail(`builtin options type ${actual}, expected ${expected}`);
    return options;
  }

  /** The op's `custom_options` decoded as a FlexBuffers map (how TFLM's custom ops store parameters). */
  customOptions(): FlexMap {
    const bytes = this.node.customOptions;
    if (!bytes) this.fail('missing custom options');
    try {
      return readFlexbufferMap(bytes);
    } catch (e) {
      if (e instanceof FlexbufferError) this.fail(e.message);
      throw e;
    }
  }

  fail(reason: string): never {
    throw new ModelFormatError(`${operatorLabel(this.node)}: ${reason}`);
  }

  /** `type`: the tensor type the interpreter has no kernel variant for, when that is why. */
  unsupported(reason: string, type?: string): never {
    throw new UnsupportedOpError(`${operatorLabel(this.node)}: ${reason}`, this.node.opName, this.node.index, type);
  }

  inputCount(): number {
    return this.node.inputs.length;
  }

  /** The tensors of the node's own subgraph (tensor indices are local to a subgraph). */
  get tensors(): TensorInfo[] {
    return this.model.subgraphs[this.node.subgraph].tensors;
  }

  input(k: number): TensorInfo {
    const i = this.node.inputs[k];
    if (i === undefined || i < 0) this.fail(`missing input ${k}`);
    return this.tensors[i];
  }

  optionalInput(k: number): TensorInfo | null {
    const i = this.node.inputs[k];
    return i === undefined || i < 0 ? null : this.tensors[i];
  }

  output(k: number): TensorInfo {
    const i = this.node.outputs[k];
    if (i === undefined) this.fail(`missing output ${k}`);
    return this.tensors[i];
  }

  /** Constant contents of an input as the given typed array, or a failure if it is not constant. */
  constantInt32(t: TensorInfo, what: string): Int32Array {
    if (!t.data) this.unsupported(`${what} must be a constant tensor`);
    if (t.dtype !== 'int32') this.unsupported(`${what} must be int32, got ${t.dtype}`);
    return new Int32Array(t.data.buffer, t.data.byteOffset, t.elementCount);
  }

  expectType(t: TensorInfo, allowed: readonly string[], what: string): void {
    if (!allowed.includes(t.dtype))
      this.unsupported(`${what} type ${t.dtype} not supported (expected ${allowed.join('/')})`, t.dtype);
  }

  expectSameCount(a: TensorInfo, b: TensorInfo, what: string): void {
    if (a.elementCount !== b.elementCount) this.fail(`${what}: ${a.elementCount} vs ${b.elementCount} elements`);
  }
}

/**
 * TFLM's Eval returning kTfLiteError: the op's runtime data (e.g. an index tensor computed by the graph) is
 * outside what the op accepts. Throws InvokeError naming the op and its index; only the error path allocates.
 */
export function invokeFailure(node: OperatorInfo, reason: string): never {
  throw new InvokeError(`${operatorLabel(node)}: ${reason}`, node.opName, node.index);
}

/** "operator 3 (ADD)", with " of subgraph 2" for operators outside subgraph 0 (indices are per subgraph). */
export function operatorLabel(node: OperatorInfo): string {
  const where = node.subgraph > 0 ? ` of subgraph ${node.subgraph}` : '';
  return `operator ${node.index} (${node.opName})${where}`;
}
