/**
 * Builds small single- or multi-op, single- or multi-subgraph .tflite flatbuffers for kernel and interpreter
 * tests (field ids from schema.fbs).
 * Test helper only; not exported from index.ts.
 */
import { Builder } from 'flatbuffers';
import { Interpreter, InterpreterOptions } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { BUILTIN_CUSTOM, BUILTIN_OPERATOR_NAMES, BUILTIN_OPTIONS_TYPE } from '../schema/tflite-schema';

export type TestDType =
  | 'float32'
  | 'int32'
  | 'uint32'
  | 'uint8'
  | 'int16'
  | 'int8'
  | 'bool'
  | 'int64'
  | 'resource'
  | 'int4'
  // A type the reader refuses (tests of that refusal); data are the raw IEEE half bit patterns.
  | 'float16';
const TYPE_CODE: Record<TestDType, number> = {
  int4: 17,
  resource: 13,
  float32: 0,
  int32: 2,
  uint8: 3,
  int64: 4,
  bool: 6,
  int16: 7,
  int8: 9,
  uint32: 15,
  float16: 1,
};

export interface TestTensor {
  shape: number[];
  dtype: TestDType;
  /** Constant contents (weights, biases, shapes). */
  data?: ArrayLike<number>;
  scale?: number | number[];
  zeroPoint?: number | number[];
  quantizedDimension?: number;
  name?: string;
  /** Tensor.is_variable: state that persists across invokes (LSTM / SVDF state). */
  isVariable?: boolean;
}

export type OptionField = {
  id: number;
  i8?: number;
  i32?: number;
  f32?: number;
  bool?: boolean;
  i32s?: number[];
  str?: string;
};

export interface TestOp {
  op: string;
  inputs: number[];
  outputs: number[];
  /** BuiltinOptions union type id; defaults to the op's own options table. */
  optionsType?: number;
  options?: OptionField[];
  /** A `CUSTOM:<code>` op's custom_options bytes (a FlexBuffers map for TFLM's custom ops). */
  customOptions?: Uint8Array;
}

/** One subgraph: tensor indices in ops, inputs and outputs are local to it. */
export interface TestSubgraph {
  tensors: TestTensor[];
  ops: TestOp[];
  inputs: number[];
  outputs: number[];
  name?: string;
}

/** Subgraph 0; `subgraphs` are subgraphs 1, 2, … (what IF / WHILE / CALL_ONCE invoke). */
export interface TestModel extends TestSubgraph {
  subgraphs?: TestSubgraph[];
}

function tensorBytes(t: TestTensor): Uint8Array {
  const values = Array.from(t.data ?? []);
  switch (t.dtype) {
    case 'float32':
      return new Uint8Array(new Float32Array(values).buffer);
    case 'int32':
    case 'resource':
      return new Uint8Array(new Int32Array(values).buffer);
    case 'uint32':
      return new Uint8Array(new Uint32Array(values).buffer);
    case 'int16':
      return new Uint8Array(new Int16Array(values).buffer);
    case 'float16':
      return new Uint8Array(new Uint16Array(values).buffer);
    case 'int8':
      return new Uint8Array(new Int8Array(values).buffer);
    case 'int4':
      return packInt4(values);
    case 'int64':
      return new Uint8Array(BigInt64Array.from(values, (v) => BigInt(v)).buffer);
    default:
      return new Uint8Array(values);
  }
}

/**
 * TFLM test_helpers' PackInt4ValuesDenselyInPlace: values in [-8, 7], two per byte, low nibble first (an odd
 * count leaves the last high nibble 0).
 */
export function packInt4(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(values.length / 2));
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < -8 || v > 7) throw new Error(`int4 value ${v} outside [-8, 7]`);
    out[i >> 1] |= (v & 0x0f) << (i & 1 ? 4 : 0);
  }
  return out;
}

export function buildModel(m: TestModel): Uint8Array {
  const b = new Builder(1024);
  const graphs: TestSubgraph[] = [m, ...(m.subgraphs ?? [])];
  const opNames = [...new Set(graphs.flatMap((g) => g.ops.map((o) => o.op)))];

  const opCodes = opNames.map((name) => {
    const customCode = name.startsWith('CUSTOM:') ? b.createString(name.slice('CUSTOM:'.length)) : 0;
    const code = customCode ? BUILTIN_CUSTOM : BUILTIN_OPERATOR_NAMES.indexOf(name);
    if (code < 0) throw new Error(`unknown op ${name}`);
    b.startObject(4);
    b.addFieldInt8(0, Math.min(code, 127), 0);
    if (customCode) b.addFieldOffset(1, customCode, 0);
    b.addFieldInt32(2, 1, 1);
    b.addFieldInt32(3, code, 0);
    return b.endObject();
  });

  // Buffer 0 is the empty sentinel; each constant tensor gets its own buffer.
  const bufferData: (Uint8Array | null)[] = [null];
  const tensorBuffers = graphs.map((g) =>
    g.tensors.map((t) => {
      if (!t.data) return 0;
      bufferData.push(tensorBytes(t));
      return bufferData.length - 1;
    }),
  );
  const buffers = bufferData.map((data) => {
    let dataOff = 0;
    if (data) {
      b.startVector(1, data.length, 16);
      for (let i = data.length - 1; i >= 0; i--) b.addInt8(data[i]);
      dataOff = b.endVector();
    }
    b.startObject(3);
    if (dataOff) b.addFieldOffset(0, dataOff, 0);
    return b.endObject();
  });

  const intVector = (values: number[]): number => {
    b.startVector(4, values.length, 4);
    for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]);
    return b.endVector();
  };
  const tableVector = (offs: number[]): number => {
    b.startVector(4, offs.length, 4);
    for (let i = offs.length - 1; i >= 0; i--) b.addOffset(offs[i]);
    return b.endVector();
  };

  const subgraphs = graphs.map((g, gi) => {
    const tensors = g.tensors.map((t, i) => {
      const name = b.createString(t.name ?? `t${i}`);
      const shape = intVector(t.shape);
      let quant = 0;
      if (t.scale !== undefined) {
        const scales = Array.isArray(t.scale) ? t.scale : [t.scale];
        const zps =
          t.zeroPoint === undefined ? scales.map(() => 0) : Array.isArray(t.zeroPoint) ? t.zeroPoint : [t.zeroPoint];
        b.startVector(4, scales.length, 4);
        for (let k = scales.length - 1; k >= 0; k--) b.addFloat32(scales[k]);
        const scaleOff = b.endVector();
        b.startVector(8, zps.length, 8);
        for (let k = zps.length - 1; k >= 0; k--) b.addInt64(BigInt(zps[k]));
        const zpOff = b.endVector();
        b.startObject(7);
        b.addFieldOffset(2, scaleOff, 0);
        b.addFieldOffset(3, zpOff, 0);
        b.addFieldInt32(6, t.quantizedDimension ?? 0, 0);
        quant = b.endObject();
      }
      b.startObject(6);
      b.addFieldOffset(0, shape, 0);
      b.addFieldInt8(1, TYPE_CODE[t.dtype], 0);
      b.addFieldInt32(2, tensorBuffers[gi][i], 0);
      b.addFieldOffset(3, name, 0);
      if (quant) b.addFieldOffset(4, quant, 0);
      if (t.isVariable) b.addFieldInt8(5, 1, 0);
      return b.endObject();
    });

    const ops = g.ops.map((o) => {
      let options = 0;
      if (o.options) {
        const vectors = o.options.map((f) =>
          f.i32s ? intVector(f.i32s) : f.str !== undefined ? b.createString(f.str) : 0,
        );
        b.startObject(Math.max(...o.options.map((f) => f.id)) + 1);
        o.options.forEach((f, k) => {
          if (f.i8 !== undefined) b.addFieldInt8(f.id, f.i8, 0);
          if (f.i32 !== undefined) b.addFieldInt32(f.id, f.i32, 0);
          if (f.f32 !== undefined) b.addFieldFloat32(f.id, f.f32, 0);
          if (f.bool !== undefined) b.addFieldInt8(f.id, f.bool ? 1 : 0, 0);
          if (f.i32s || f.str !== undefined) b.addFieldOffset(f.id, vectors[k], 0);
        });
        options = b.endObject();
      }
      let customOptions = 0;
      if (o.customOptions) {
        b.startVector(1, o.customOptions.length, 1);
        for (let i = o.customOptions.length - 1; i >= 0; i--) b.addInt8(o.customOptions[i]);
        customOptions = b.endVector();
      }
      const inputs = intVector(o.inputs);
      const outputs = intVector(o.outputs);
      b.startObject(6);
      b.addFieldInt32(0, opNames.indexOf(o.op), 0);
      b.addFieldOffset(1, inputs, 0);
      b.addFieldOffset(2, outputs, 0);
      b.addFieldInt8(3, o.optionsType ?? (options ? (BUILTIN_OPTIONS_TYPE[o.op] ?? 1) : 0), 0);
      if (options) b.addFieldOffset(4, options, 0);
      if (customOptions) b.addFieldOffset(5, customOptions, 0);
      return b.endObject();
    });

    const tensorsVec = tableVector(tensors);
    const inputsVec = intVector(g.inputs);
    const outputsVec = intVector(g.outputs);
    const opsVec = tableVector(ops);
    const name = g.name === undefined ? 0 : b.createString(g.name);
    b.startObject(5);
    b.addFieldOffset(0, tensorsVec, 0);
    b.addFieldOffset(1, inputsVec, 0);
    b.addFieldOffset(2, outputsVec, 0);
    b.addFieldOffset(3, opsVec, 0);
    if (name) b.addFieldOffset(4, name, 0);
    return b.endObject();
  });

  const opCodesVec = tableVector(opCodes);
  const subgraphsVec = tableVector(subgraphs);
  const buffersVec = tableVector(buffers);
  const description = b.createString('tinyml test model');
  b.startObject(5);
  b.addFieldInt32(0, 3, 0);
  b.addFieldOffset(1, opCodesVec, 0);
  b.addFieldOffset(2, subgraphsVec, 0);
  b.addFieldOffset(3, description, 0);
  b.addFieldOffset(4, buffersVec, 0);
  b.finish(b.endObject(), 'TFL3');
  return b.asUint8Array().slice();
}

/** TFLM test-helper quantization: round(value / scale) + zero_point, clamped to the type. */
export function quantize(values: ArrayLike<number>, scale: number, zeroPoint: number, min = -128, max = 127): number[] {
  return Array.from(values, (v) => Math.min(max, Math.max(min, Math.round(v / scale) + zeroPoint)));
}

/** Builds a model, copies `inputs` into its input tensors, invokes once and returns output 0's values. */
export function runModel(m: TestModel, inputs: ArrayLike<number>[], options: InterpreterOptions = {}): number[] {
  const interpreter = new Interpreter(loadModel(buildModel(m)), options);
  interpreter.allocate();
  inputs.forEach((values, i) => interpreter.input(i).data.set(Array.from(values)));
  interpreter.invoke();
  return Array.from(interpreter.output(0).data);
}

/** Like runModel, but returns every output's values (multi-output ops: SPLIT, UNPACK, …). */
export function runModelOutputs(
  m: TestModel,
  inputs: ArrayLike<number>[],
  options: InterpreterOptions = {},
): number[][] {
  const interpreter = new Interpreter(loadModel(buildModel(m)), options);
  interpreter.allocate();
  inputs.forEach((values, i) => interpreter.input(i).data.set(Array.from(values)));
  interpreter.invoke();
  return m.outputs.map((_, k) => Array.from(interpreter.output(k).data));
}

/** Expects |actual - expected| <= tolerance element-wise (TFLM tests use 1 step for quantized goldens). */
export function expectNear(actual: number[], expected: number[], tolerance: number): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  actual.forEach((a, i) => {
    if (!(Math.abs(a - expected[i]) <= tolerance)) {
      throw new Error(
        `element ${i}: got ${a}, expected ${expected[i]} ± ${tolerance}\nactual   ${actual}\nexpected ${expected}`,
      );
    }
  });
}
