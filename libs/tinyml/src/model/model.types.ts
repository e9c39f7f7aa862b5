import type { FbTable } from '../schema/flatbuffer-reader';
import type { DType } from '../schema/tflite-schema';

export interface TensorQuantization {
  /** One scale per tensor, or one per channel along quantizedDimension. */
  scales: number[];
  zeroPoints: number[];
  quantizedDimension: number;
}

export interface TensorInfo {
  index: number;
  name: string;
  dtype: DType;
  shape: number[];
  elementCount: number;
  byteLength: number;
  /** Constant contents (an aligned copy of the flatbuffer buffer), or null for arena tensors. */
  data: Uint8Array | null;
  quantization: TensorQuantization | null;
  isVariable: boolean;
}

export interface OperatorInfo {
  /** Position in its subgraph's operator list. */
  index: number;
  /** The subgraph the operator belongs to (0: the graph invoke() runs). */
  subgraph: number;
  /** Builtin name (e.g. CONV_2D) or `CUSTOM:<code>`. */
  opName: string;
  builtinCode: number;
  customCode: string | null;
  version: number;
  /** Tensor indices; -1 marks an omitted optional input. */
  inputs: number[];
  outputs: number[];
  builtinOptionsType: number;
  /** The builtin options table (checked accessors), or null when absent. */
  options: FbTable | null;
  /** Raw `custom_options` bytes (a FlexBuffer for TFLM's custom ops), or null when absent. */
  customOptions: Uint8Array | null;
}

/** One SubGraph of schema.fbs: its own tensors (indices are local to it), operators, inputs and outputs. */
export interface Subgraph {
  index: number;
  name: string;
  tensors: TensorInfo[];
  operators: OperatorInfo[];
  inputs: number[];
  outputs: number[];
}

export interface Model {
  version: number;
  description: string;
  /** Size of the flatbuffer file: what a device stores in flash. */
  flashBytes: number;
  /** Bytes of constant tensor data (weights, biases, shapes) inside the file. */
  weightsBytes: number;
  /** Subgraph 0 (the graph invoke() runs, whose inputs and outputs the application sees): same arrays as subgraphs[0]. */
  tensors: TensorInfo[];
  operators: OperatorInfo[];
  inputs: number[];
  outputs: number[];
  /** Every subgraph; IF, WHILE and CALL_ONCE invoke subgraphs other than 0 by index. */
  subgraphs: Subgraph[];
  subgraphCount: number;
}
