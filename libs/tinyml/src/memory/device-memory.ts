/**
 * The RAM a TFLM firmware build of this model would use in its tensor arena (TFLM's `arena_used_bytes`): the
 * planned head (activations and scratch buffers) plus the persistent tail, replayed allocation by allocation
 * in TFLM's order with TFLM's alignment rules, at a chosen pointer width (4 on the device).
 */
import type { Model } from '../model/model.types';
import type { TensorRef } from './subgraph-lifetimes';
import {
  ARENA_ALLOCATOR_OBJECTS,
  MICRO_BUILTIN_DATA_ALLOCATOR,
  MICRO_RESOURCE_VARIABLE,
  MICRO_RESOURCE_VARIABLES,
  NODE_AND_REGISTRATION,
  SCRATCH_BUFFER_HANDLE,
  StructLayout,
  SUBGRAPH_ALLOCATIONS,
  TFLITE_AFFINE_QUANTIZATION,
  TFLITE_EVAL_TENSOR,
  TFLITE_TENSOR,
  alignOf,
  intArrayBytes,
  sizeOf,
} from './device-layout';
import { ARENA_ALIGNMENT_BYTES } from './memory-planner';
import type { OpMemory } from './op-memory';

export interface OpMemoryReport {
  /** Operator index within its subgraph. */
  index: number;
  subgraph: number;
  op: string;
  /** Builtin options, OpData and persistent arrays of this op (each rounded up to its alignment). */
  persistentBytes: number;
  /** Sum of this op's scratch requests (they share the planned arena with activations). */
  scratchBytes: number;
  hostOnlyBytes: number;
}

export interface DeviceMemory {
  pointerBytes: number;
  /** Planned arena for the tensors alone (= `interpreter.arenaBytes`). */
  activationsBytes: number;
  /** What the scratch buffers add to the planned arena (activations and scratch are planned together). */
  scratchBytes: number;
  /** The persistent tail: runtime structs + kernel data + variable tensors. */
  persistentBytes: number;
  /**
   * runtimeBytes: TFLM's structs (allocators, per-subgraph tensor and node arrays, the resource-variable table,
   * input/output tensors); kernelBytes: options, OpData and Prepare arrays (resource variable buffers included);
   * variableBytes: variable tensors.
   */
  persistent: { runtimeBytes: number; kernelBytes: number; variableBytes: number };
  /** activations + scratch + persistent: what the device's arena must hold. */
  totalBytes: number;
  /** Host-only speed-ups (tables, repacked weights, staging buffers); not in totalBytes. */
  hostOnlyBytes: number;
  /** Every operator, subgraph by subgraph (subgraph 0 first, so ops[i] is operator i of a one-subgraph model). */
  ops: OpMemoryReport[];
}

export interface DeviceMemoryInput {
  model: Model;
  /** What each operator requested, per subgraph. */
  ops: readonly (readonly OpMemory[])[];
  activationsBytes: number;
  /** The arena planned for tensors and scratch buffers together. */
  plannedBytes: number;
  /** Variable tensors of every subgraph (TFLM allocates them in the persistent tail). */
  variables: readonly TensorRef[];
  /**
   * Resource variables the model's VAR_HANDLEs create: the application sizes MicroResourceVariables for them
   * (0: the model uses none and the application passes no MicroResourceVariables).
   */
  resourceVariables: number;
}

/** TFLM's tail allocator: each allocation moves the tail down by its size, then down to its alignment. */
class TailReplay {
  usedBytes = 0;
  constructor(private readonly pointerBytes: number) {}

  alloc(bytes: number, align: number): void {
    const tail = Math.floor((-this.usedBytes - bytes) / align) * align;
    this.usedBytes = -tail;
  }

  struct(layout: StructLayout, count = 1): void {
    this.alloc(sizeOf(layout, this.pointerBytes) * count, alignOf(layout, this.pointerBytes));
  }
}

export function deviceMemory(input: DeviceMemoryInput, pointerBytes: number): DeviceMemory {
  const { model } = input;
  const ops = input.ops.flat();
  const tail = new TailReplay(pointerBytes);
  for (const layout of ARENA_ALLOCATOR_OBJECTS) tail.struct(layout);
  // The application's MicroResourceVariables::Create, between MicroAllocator::Create and AllocateTensors.
  if (input.resourceVariables > 0) {
    tail.alloc(sizeOf(MICRO_RESOURCE_VARIABLES, pointerBytes), ARENA_ALIGNMENT_BYTES);
    tail.alloc(sizeOf(MICRO_RESOURCE_VARIABLE, pointerBytes) * input.resourceVariables, ARENA_ALIGNMENT_BYTES);
  }
  // StartModelAllocation: the builtin-data allocator, one SubgraphAllocations per subgraph, then each subgraph's
  // TfLiteEvalTensor array, then each subgraph's NodeAndRegistration array.
  tail.struct(MICRO_BUILTIN_DATA_ALLOCATOR);
  tail.struct(SUBGRAPH_ALLOCATIONS, model.subgraphs.length);
  for (const sg of model.subgraphs) tail.struct(TFLITE_EVAL_TENSOR, sg.tensors.length);
  for (const sg of model.subgraphs) tail.struct(NODE_AND_REGISTRATION, sg.operators.length);
  const beforeKernels = tail.usedBytes;
  // Every subgraph's builtin options, then every Init, then every Prepare (MicroInterpreterGraph order).
  for (const phase of ['builtin', 'init', 'prepare'] as const) {
    for (const op of ops) {
      for (const r of op.persistent) if (r.phase === phase) tail.alloc(r.bytes(pointerBytes), r.align(pointerBytes));
    }
  }
  const kernelBytes = tail.usedBytes - beforeKernels;
  const scratchCount = ops.reduce((s, op) => s + op.scratch.length, 0);
  if (scratchCount > 0) tail.struct(SCRATCH_BUFFER_HANDLE, scratchCount);
  const beforeVariables = tail.usedBytes;
  for (const v of input.variables) {
    tail.alloc(model.subgraphs[v.subgraph].tensors[v.tensor].byteLength, ARENA_ALIGNMENT_BYTES);
  }
  const variableBytes = tail.usedBytes - beforeVariables;
  // MicroInterpreter::AllocateTensors: a pointer array plus one persistent TfLiteTensor (with its quantization
  // copied out of the flatbuffer) per graph input, then the same for the outputs (subgraph 0's).
  for (const list of [model.inputs, model.outputs]) {
    tail.alloc(pointerBytes * list.length, ARENA_ALIGNMENT_BYTES);
    for (const t of list) {
      tail.struct(TFLITE_TENSOR);
      const q = model.tensors[t].quantization;
      if (q && q.scales.length > 0 && q.zeroPoints.length > 0) {
        tail.struct(TFLITE_AFFINE_QUANTIZATION);
        tail.alloc(intArrayBytes(q.scales.length), 4);
      }
    }
  }
  const persistentBytes = tail.usedBytes;
  const activationsBytes = input.activationsBytes;
  const scratchBytes = input.plannedBytes - activationsBytes;
  return {
    pointerBytes,
    activationsBytes,
    scratchBytes,
    persistentBytes,
    persistent: { runtimeBytes: persistentBytes - kernelBytes - variableBytes, kernelBytes, variableBytes },
    totalBytes: input.plannedBytes + persistentBytes,
    hostOnlyBytes: ops.reduce((s, op) => s + op.hostOnlyBytes(), 0),
    ops: model.subgraphs.flatMap((sg, subgraph) =>
      sg.operators.map((node, index) => {
        const op = input.ops[subgraph][index];
        return {
          index,
          subgraph,
          op: node.opName,
          persistentBytes: op.persistentBytes(pointerBytes),
          scratchBytes: op.scratchBytes(),
          hostOnlyBytes: op.hostOnlyBytes(),
        };
      }),
    ),
  };
}
