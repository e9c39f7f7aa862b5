/**
 * Writes a .tflite flatbuffer with the flatbuffers Builder. Field ids follow TFLite's public
 * schema.fbs (tensorflow/compiler/mlir/lite/schema/schema.fbs): file identifier "TFL3", schema
 * version 3, buffer 0 empty, operator codes carrying both deprecated_builtin_code and builtin_code.
 */
import { Builder } from 'flatbuffers';

export const BUILTIN = {
  AVERAGE_POOL_2D: 1,
  CONV_2D: 3,
  FULLY_CONNECTED: 9,
  MAX_POOL_2D: 17,
  RESHAPE: 22,
  SOFTMAX: 25,
} as const;
export type BuiltinName = keyof typeof BUILTIN;
/** BuiltinOptions union type ids. */
export const OPTIONS_TYPE = {
  Conv2DOptions: 1,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ReshapeOptions: 17,
} as const;
export const TENSOR_TYPE = { float32: 0, int32: 2, int8: 9 } as const;
export type WriterDType = keyof typeof TENSOR_TYPE;

export interface WriterTensor {
  name: string;
  dtype: WriterDType;
  shape: number[];
  data?: Uint8Array;
  quant?: { scales: number[]; zeroPoints: number[]; dimension: number };
}

/** One scalar field of an options table (field id from schema.fbs). */
export type OptionField = { id: number; type: 'i8' | 'i32' | 'f32' | 'bool'; value: number };

export interface WriterOp {
  op: BuiltinName;
  inputs: number[];
  outputs: number[];
  optionsType?: number;
  options?: OptionField[];
}

export interface WriterGraph {
  tensors: WriterTensor[];
  ops: WriterOp[];
  inputs: number[];
  outputs: number[];
  description: string;
}

export interface WrittenModel {
  bytes: Uint8Array;
  /** Byte range of each constant tensor's data in `bytes`, by tensor index. */
  dataRanges: Map<number, { offset: number; length: number }>;
}

export function writeTflite(g: WriterGraph): WrittenModel {
  const b = new Builder(1 << 16);
  const int32Vector = (values: number[]): number => {
    b.startVector(4, values.length, 4);
    for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]);
    return b.endVector();
  };

  // Buffers: 0 is the mandatory empty buffer; then one per constant tensor.
  const bufferOffsets: number[] = [];
  const dataVectorOffsets = new Map<number, number>();
  const tensorBuffer = new Array<number>(g.tensors.length).fill(0);
  const emptyBuffer = (): number => {
    b.startObject(3);
    return b.endObject();
  };
  bufferOffsets.push(emptyBuffer());
  g.tensors.forEach((t, ti) => {
    if (!t.data) return;
    // force_align: 16 as in schema.fbs, so int32 biases and SIMD loads are aligned in place.
    b.startVector(1, t.data.length, 16);
    for (let i = t.data.length - 1; i >= 0; i--) b.addInt8(t.data[i]);
    const vec = b.endVector();
    dataVectorOffsets.set(ti, vec);
    b.startObject(3);
    b.addFieldOffset(0, vec, 0);
    bufferOffsets.push(b.endObject());
    tensorBuffer[ti] = bufferOffsets.length - 1;
  });

  const tensorOffsets = g.tensors.map((t, ti) => {
    let quantOff = 0;
    if (t.quant) {
      const scaleVec = (() => {
        b.startVector(4, t.quant.scales.length, 4);
        for (let i = t.quant.scales.length - 1; i >= 0; i--) b.addFloat32(t.quant.scales[i]);
        return b.endVector();
      })();
      const zpVec = (() => {
        b.startVector(8, t.quant.zeroPoints.length, 8);
        for (let i = t.quant.zeroPoints.length - 1; i >= 0; i--) b.addInt64(BigInt(t.quant.zeroPoints[i]));
        return b.endVector();
      })();
      b.startObject(7);
      b.addFieldOffset(2, scaleVec, 0);
      b.addFieldOffset(3, zpVec, 0);
      b.addFieldInt32(6, t.quant.dimension, 0);
      quantOff = b.endObject();
    }
    const name = b.createString(t.name);
    const shape = int32Vector(t.shape);
    b.startObject(5);
    b.addFieldOffset(0, shape, 0);
    b.addFieldInt8(1, TENSOR_TYPE[t.dtype], 0);
    b.addFieldInt32(2, tensorBuffer[ti], 0);
    b.addFieldOffset(3, name, 0);
    if (quantOff) b.addFieldOffset(4, quantOff, 0);
    return b.endObject();
  });

  const opNames = [...new Set(g.ops.map((o) => o.op))];
  const operatorOffsets = g.ops.map((o) => {
    let optionsOff = 0;
    if (o.optionsType !== undefined) {
      const fields = o.options ?? [];
      b.startObject(Math.max(0, ...fields.map((f) => f.id + 1)));
      for (const f of fields) {
        // force_defaults is off, so a value equal to the schema default is simply omitted.
        if (f.type === 'i8') b.addFieldInt8(f.id, f.value, 0);
        else if (f.type === 'bool') b.addFieldInt8(f.id, f.value ? 1 : 0, 0);
        else if (f.type === 'i32') b.addFieldInt32(f.id, f.value, 0);
        else b.addFieldFloat32(f.id, f.value, 0);
      }
      optionsOff = b.endObject();
    }
    const ins = int32Vector(o.inputs);
    const outs = int32Vector(o.outputs);
    b.startObject(5);
    b.addFieldInt32(0, opNames.indexOf(o.op), 0);
    b.addFieldOffset(1, ins, 0);
    b.addFieldOffset(2, outs, 0);
    if (o.optionsType !== undefined) {
      b.addFieldInt8(3, o.optionsType, 0);
      b.addFieldOffset(4, optionsOff, 0);
    }
    return b.endObject();
  });

  const vectorOfOffsets = (offs: number[]): number => {
    b.startVector(4, offs.length, 4);
    for (let i = offs.length - 1; i >= 0; i--) b.addOffset(offs[i]);
    return b.endVector();
  };
  const subgraphName = b.createString('main');
  const tensorsVec = vectorOfOffsets(tensorOffsets);
  const inputsVec = int32Vector(g.inputs);
  const outputsVec = int32Vector(g.outputs);
  const opsVec = vectorOfOffsets(operatorOffsets);
  b.startObject(5);
  b.addFieldOffset(0, tensorsVec, 0);
  b.addFieldOffset(1, inputsVec, 0);
  b.addFieldOffset(2, outputsVec, 0);
  b.addFieldOffset(3, opsVec, 0);
  b.addFieldOffset(4, subgraphName, 0);
  const subgraph = b.endObject();

  const opcodeOffsets = opNames.map((name) => {
    const code = BUILTIN[name];
    b.startObject(4);
    b.addFieldInt8(0, Math.min(code, 127), 0); // deprecated_builtin_code (127 = "see builtin_code")
    b.addFieldInt32(2, 1, 1); // version (default 1)
    b.addFieldInt32(3, code, 0); // builtin_code
    return b.endObject();
  });
  const opcodesVec = vectorOfOffsets(opcodeOffsets);
  const subgraphsVec = vectorOfOffsets([subgraph]);
  const description = b.createString(g.description);
  const buffersVec = vectorOfOffsets(bufferOffsets);
  b.startObject(5);
  b.addFieldInt32(0, 3, 0);
  b.addFieldOffset(1, opcodesVec, 0);
  b.addFieldOffset(2, subgraphsVec, 0);
  b.addFieldOffset(3, description, 0);
  b.addFieldOffset(4, buffersVec, 0);
  const root = b.endObject();
  b.finish(root, 'TFL3');
  const bytes = b.asUint8Array().slice();

  const dataRanges = new Map<number, { offset: number; length: number }>();
  for (const [ti, off] of dataVectorOffsets) {
    // Builder offsets count from the end of the buffer; the vector body follows its 4-byte length.
    dataRanges.set(ti, { offset: bytes.length - off + 4, length: g.tensors[ti].data!.length });
  }
  return { bytes, dataRanges };
}
