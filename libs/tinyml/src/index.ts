/** @tinyfleet/tinyml: a TFLite Micro-compatible interpreter in plain TypeScript (browser- and Node-safe). */
export { ArenaTooSmallError, InvokeError, ModelFormatError, UnsupportedOpError } from './errors';
export { loadModel } from './model/model-reader';
export type { Model, OperatorInfo, Subgraph, TensorInfo, TensorQuantization } from './model/model.types';
export { Interpreter, MAX_ARENA_BYTES } from './interpreter/interpreter';
export type { AllocationPlan, InterpreterOptions, InvokeHooks, OpProfile, Profile } from './interpreter/interpreter';
export type { TensorView } from './interpreter/tensor-view';
export { inspectModel } from './inspect/inspect-model';
export type { ModelInspection, TensorSummary } from './inspect/inspect-model';
export { GreedyMemoryPlanner } from './memory/greedy-memory-planner';
export type { BufferRequest, MemoryPlan, MemoryPlanner } from './memory/memory-planner';
export { lowerBoundBytes } from './memory/memory-planner';
export { SUPPORTED_OPS } from './kernels/kernel-registry';
export {
  OP_SET_BUILDS,
  OpResolver,
  describeMissingOp,
  missingOps,
  opsNeeded,
  registrationType,
  resolverForBuild,
} from './resolver/op-resolver';
export type { MissingOp } from './resolver/op-resolver';
export {
  OP_CODES,
  OP_SET_DTYPES,
  OpSetFormatError,
  decodeOpSet,
  decodeOpSetBytes,
  encodeOpSet,
  encodeOpSetBytes,
  opSetId,
} from './resolver/op-set';
export type { DecodeOpSetOptions, DecodedOpSet, OpSetEntry } from './resolver/op-set';
export { INTERPRETER_VERSION } from './version';
export type { DeviceMemory, OpMemoryReport } from './memory/device-memory';
export { DEVICE_POINTER_BYTES } from './memory/device-layout';
