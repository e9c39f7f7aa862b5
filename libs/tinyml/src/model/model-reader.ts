/**
 * loadModel: parse and verify a TFLite flatbuffer (schema.fbs field ids noted next to each read), every subgraph:
 * subgraph 0 is the graph invoke() runs; IF, WHILE and CALL_ONCE invoke the others by index.
 */
import { ModelFormatError } from '../errors';
import { FbTable, FlatbufferReader } from '../schema/flatbuffer-reader';
import {
  BUILTIN_CUSTOM,
  DTYPE_BY_CODE,
  TENSOR_TYPE_NAMES,
  builtinOperatorName,
  tensorByteLength,
} from '../schema/tflite-schema';
import type { Model, OperatorInfo, Subgraph, TensorInfo, TensorQuantization } from './model.types';

const MAX_TENSORS = 1 << 16;
const MAX_OPERATORS = 1 << 16;
const MAX_SUBGRAPHS = 1 << 10;
const MAX_RANK = 8;
/** Keeps a corrupted shape from requesting gigabytes (an ArrayBuffer that large would be an OOM, not an error). */
export const MAX_TENSOR_BYTES = 1 << 28;

// Field ids (declaration order in schema.fbs).
const MODEL = { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4 };
const OPCODE = { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3 };
const SUBGRAPH = { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 };
const TENSOR = { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, isVariable: 5, sparsity: 6 };
const QUANT = { scale: 2, zeroPoint: 3, quantizedDimension: 6 };
const BUFFER = { data: 0, offset: 1, size: 2 };
const OPERATOR = { opcodeIndex: 0, inputs: 1, outputs: 2, builtinOptionsType: 3, builtinOptions: 4, customOptions: 5 };

interface OpCode {
  name: string;
  builtinCode: number;
  customCode: string | null;
  version: number;
}

export function loadModel(bytes: Uint8Array): Model {
  if (!(bytes instanceof Uint8Array)) throw new ModelFormatError('model must be a Uint8Array');
  if (bytes.length < 16) throw new ModelFormatError(`file too small (${bytes.length} bytes)`);
  // TFLite files carry the identifier "TFL3" at bytes 4..7.
  if (bytes[4] !== 0x54 || bytes[5] !== 0x46 || bytes[6] !== 0x4c || bytes[7] !== 0x33) {
    throw new ModelFormatError('missing TFL3 file identifier');
  }
  const r = new FlatbufferReader(bytes);
  const root = r.root('Model');
  const version = root.u32(MODEL.version);
  if (version !== 3) throw new ModelFormatError(`unsupported schema version ${version}`);

  const opCodes = root.tableVector(MODEL.operatorCodes, 'operator_codes').map(readOpCode);
  const buffers = readBuffers(root, r);
  const subgraphTables = root.tableVector(MODEL.subgraphs, 'subgraphs');
  if (subgraphTables.length === 0) throw new ModelFormatError('model has no subgraphs');
  if (subgraphTables.length > MAX_SUBGRAPHS)
    throw new ModelFormatError(`too many subgraphs (${subgraphTables.length})`);
  // One aligned copy per buffer, shared by every tensor (of any subgraph) that refers to it.
  const copies = new Map<number, Uint8Array>();
  let totalTensors = 0;
  let totalOperators = 0;
  const subgraphs = subgraphTables.map((sg, index) => {
    const subgraph = readSubgraph(sg, index, opCodes, buffers, copies, bytes);
    totalTensors += subgraph.tensors.length;
    totalOperators += subgraph.operators.length;
    // Bounds the memory every subgraph's tensors and operators take together, not only each one's.
    if (totalTensors > MAX_TENSORS) throw new ModelFormatError(`too many tensors (${totalTensors})`);
    if (totalOperators > MAX_OPERATORS) throw new ModelFormatError(`too many operators (${totalOperators})`);
    return subgraph;
  });
  let weightsBytes = 0;
  for (const c of copies.values()) weightsBytes += c.length;
  const main = subgraphs[0];

  return {
    version,
    description: root.string(MODEL.description, 'description'),
    flashBytes: bytes.length,
    weightsBytes,
    tensors: main.tensors,
    operators: main.operators,
    inputs: main.inputs,
    outputs: main.outputs,
    subgraphs,
    subgraphCount: subgraphs.length,
  };
}

function readSubgraph(
  sg: FbTable,
  subgraphIndex: number,
  opCodes: OpCode[],
  buffers: BufferRef[],
  copies: Map<number, Uint8Array>,
  bytes: Uint8Array,
): Subgraph {
  const at = subgraphIndex === 0 ? '' : ` of subgraph ${subgraphIndex}`;
  const tensorTables = sg.tableVector(SUBGRAPH.tensors, 'tensors');
  if (tensorTables.length > MAX_TENSORS) throw new ModelFormatError(`too many tensors (${tensorTables.length})`);
  const tensors = tensorTables.map((t, index) => readTensor(t, index, at, buffers, copies, bytes));

  const checkIndex = (i: number, where: string, allowOptional: boolean): number => {
    if (allowOptional && i === -1) return i;
    if (!Number.isInteger(i) || i < 0 || i >= tensors.length) {
      throw new ModelFormatError(`${where}${at} refers to tensor ${i}, subgraph has ${tensors.length}`);
    }
    return i;
  };
  const inputs = sg.i32Vector(SUBGRAPH.inputs, 'inputs').map((i) => checkIndex(i, 'subgraph input', false));
  const outputs = sg.i32Vector(SUBGRAPH.outputs, 'outputs').map((i) => checkIndex(i, 'subgraph output', false));

  const opTables = sg.tableVector(SUBGRAPH.operators, 'operators');
  if (opTables.length > MAX_OPERATORS) throw new ModelFormatError(`too many operators (${opTables.length})`);
  const operators: OperatorInfo[] = opTables.map((t, index) => {
    const opcodeIndex = t.u32(OPERATOR.opcodeIndex);
    const code = opCodes[opcodeIndex];
    if (!code)
      throw new ModelFormatError(`operator ${index}${at} uses opcode ${opcodeIndex}, model has ${opCodes.length}`);
    const where = `operator ${index} (${code.name})`;
    const custom = t.bytesVector(OPERATOR.customOptions, 'custom_options');
    return {
      index,
      subgraph: subgraphIndex,
      opName: code.name,
      builtinCode: code.builtinCode,
      customCode: code.customCode,
      version: code.version,
      inputs: t.i32Vector(OPERATOR.inputs, 'inputs').map((i) => checkIndex(i, `${where} input`, true)),
      outputs: t.i32Vector(OPERATOR.outputs, 'outputs').map((i) => checkIndex(i, `${where} output`, false)),
      builtinOptionsType: t.u8(OPERATOR.builtinOptionsType),
      options: t.table(OPERATOR.builtinOptions, 'builtin_options'),
      customOptions: custom.length > 0 ? bytes.slice(custom.start, custom.start + custom.length) : null,
    };
  });
  return { index: subgraphIndex, name: sg.string(SUBGRAPH.name, 'name'), tensors, operators, inputs, outputs };
}

function readOpCode(t: FbTable): OpCode {
  // Codes < 127 were stored in the int8 deprecated field; newer files use the int32 field. Take the max.
  const builtinCode = Math.max(t.i8(OPCODE.deprecatedBuiltinCode), t.i32(OPCODE.builtinCode));
  if (builtinCode < 0) throw new ModelFormatError(`negative builtin code ${builtinCode}`);
  const customCode = builtinCode === BUILTIN_CUSTOM ? t.string(OPCODE.customCode, 'custom_code') : null;
  return {
    name: customCode !== null ? `CUSTOM:${customCode}` : builtinOperatorName(builtinCode),
    builtinCode,
    customCode,
    version: t.i32(OPCODE.version, 1),
  };
}

interface BufferRef {
  start: number;
  length: number;
}

function readBuffers(root: FbTable, r: FlatbufferReader): BufferRef[] {
  return root.tableVector(MODEL.buffers, 'buffers').map((b, i) => {
    const data = b.bytesVector(BUFFER.data, 'data');
    if (data.length > 0) return data;
    // Files above 2 GB keep buffers after the flatbuffer, addressed by offset/size (offset 1 = unset).
    const offset = b.u64(BUFFER.offset);
    const size = b.u64(BUFFER.size);
    if (offset > 1) {
      r.ensure(offset, size, `buffer ${i} external data`);
      return { start: offset, length: size };
    }
    return { start: 0, length: 0 };
  });
}

function readTensor(
  t: FbTable,
  index: number,
  at: string,
  buffers: BufferRef[],
  copies: Map<number, Uint8Array>,
  bytes: Uint8Array,
): TensorInfo {
  const name = t.string(TENSOR.name, 'name');
  const where = `tensor ${index}${at} (${name})`;
  const typeCode = t.i8(TENSOR.type);
  const dt = DTYPE_BY_CODE.get(typeCode);
  if (!dt) {
    const type = TENSOR_TYPE_NAMES[typeCode] ?? 'unknown';
    throw new ModelFormatError(`${where} has unsupported type ${type} (code ${typeCode})`);
  }
  if (t.has(TENSOR.sparsity)) throw new ModelFormatError(`${where} is sparse; sparse tensors are not supported`);
  const shape = t.i32Vector(TENSOR.shape, 'shape');
  if (shape.length > MAX_RANK) throw new ModelFormatError(`${where} has rank ${shape.length} > ${MAX_RANK}`);
  let elementCount = 1;
  for (const d of shape) {
    if (d < 0) throw new ModelFormatError(`${where} has dynamic or negative dimension ${d}`);
    elementCount *= d;
    if (elementCount * dt.bytes > MAX_TENSOR_BYTES) throw new ModelFormatError(`${where} is too large`);
  }
  // INT4 buffers hold the values packed, two per byte (schema.fbs TensorType INT4).
  const byteLength = tensorByteLength(dt.dtype, elementCount);

  const bufferIndex = t.u32(TENSOR.buffer);
  if (bufferIndex >= buffers.length && !(bufferIndex === 0 && buffers.length === 0)) {
    throw new ModelFormatError(`${where} refers to buffer ${bufferIndex}, model has ${buffers.length}`);
  }
  let data: Uint8Array | null = null;
  const buf = buffers[bufferIndex];
  if (buf && buf.length > 0) {
    if (buf.length !== byteLength) {
      throw new ModelFormatError(`${where} buffer has ${buf.length} bytes, shape [${shape}] needs ${byteLength}`);
    }
    // Copy once per buffer so typed-array views are aligned whatever the file layout.
    data = copies.get(bufferIndex) ?? bytes.slice(buf.start, buf.start + buf.length);
    copies.set(bufferIndex, data);
  }

  let quantization: TensorQuantization | null = null;
  const q = t.table(TENSOR.quantization, 'quantization');
  if (q) {
    const scales = q.f32Vector(QUANT.scale, 'scale');
    const zeroPoints = q.i64Vector(QUANT.zeroPoint, 'zero_point');
    const quantizedDimension = q.i32(QUANT.quantizedDimension);
    if (scales.length > 0) {
      if (zeroPoints.length !== scales.length && zeroPoints.length !== 0) {
        throw new ModelFormatError(`${where} has ${scales.length} scales but ${zeroPoints.length} zero points`);
      }
      // quantized_dimension is not checked against the shape here: old TOCO files carry e.g. 3 on rank-1
      // biases. Kernels check that the number of scales matches the channels they use.
      if (quantizedDimension < 0 || quantizedDimension > MAX_RANK) {
        throw new ModelFormatError(`${where} has quantized_dimension ${quantizedDimension}`);
      }
      for (const s of scales) if (!Number.isFinite(s) || s < 0) throw new ModelFormatError(`${where} has scale ${s}`);
      for (const z of zeroPoints) {
        if (!Number.isSafeInteger(z) || Math.abs(z) > 65536) throw new ModelFormatError(`${where} has zero point ${z}`);
      }
      quantization = {
        scales,
        zeroPoints: zeroPoints.length ? zeroPoints : scales.map(() => 0),
        quantizedDimension,
      };
    }
  }
  return {
    index,
    name,
    dtype: dt.dtype,
    shape,
    elementCount,
    byteLength,
    data,
    quantization,
    isVariable: t.bool(TENSOR.isVariable),
  };
}
