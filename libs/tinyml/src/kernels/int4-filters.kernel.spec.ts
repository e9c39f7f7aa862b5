/**
 * INT4 filters of FULLY_CONNECTED, CONV_2D and DEPTHWISE_CONV_2D. Vectors from TFLM's fully_connected_test.cc
 * (SimpleTestQuantizedInt4Weights), conv_test.cc (SimpleTestQuantized4bitPerChannel) and depthwise_conv_test.cc
 * (SimpleTestQuantizedPerChannelInt4Filter), quantized as TFLM's test_helpers do it (per-channel scale
 * max|w| / 7, values clamped to [-7, 7], packed low nibble first); then int4 == the same values stored as int8,
 * bit for bit, on every host path, and the device memory TFLM's Prepare requests.
 */
import { mulberry32 } from '@tinyfleet/random';
import { Interpreter, UnsupportedOpError, loadModel } from '../index';
import { alignTo } from '../memory/op-memory';
import { ARENA_ALIGNMENT_BYTES } from '../memory/memory-planner';
import { TestModel, TestTensor, buildModel, expectNear, packInt4, quantize, runModel } from '../testing/model-builder';
import { unpackDenseInt4IntoInt8 } from './int4-filter';

const { fround } = Math;

/** C's roundf: halves away from zero (Math.round rounds -2.5 to -2). */
const roundf = (v: number): number => Math.sign(v) * Math.round(Math.abs(v));

/** test_helpers SignedSymmetricPerChannelQuantize for kTfLiteInt4 along `dim` 0 or 3 (last). */
function int4PerChannel(values: number[], shape: number[], dim: 0 | 3): { q: number[]; scales: number[] } {
  const channels = shape[dim];
  const channelOf = (i: number): number => (dim === 0 ? Math.floor(i / (values.length / channels)) : i % channels);
  const scales = Array.from({ length: channels }, (_, c) =>
    fround(Math.max(0, ...values.filter((_, i) => channelOf(i) === c).map(Math.abs)) / 7),
  );
  const q = values.map((v, i) => Math.min(7, Math.max(-7, roundf(fround(v / scales[channelOf(i)])))));
  return { q, scales };
}

/** CreatePerChannelQuantizedBiasTensor: bias / (input scale x filter scale of its channel), in float. */
function perChannelBias(values: number[], inputScale: number, filterScales: number[]): TestTensor {
  const scales = filterScales.map((s) => fround(inputScale * s));
  return {
    shape: [values.length],
    dtype: 'int32',
    data: values.map((v, c) => roundf(fround(v / scales[c]))),
    scale: scales,
    zeroPoint: scales.map(() => 0),
  };
}

describe('UnpackDenseInt4IntoInt8', () => {
  it('unpacks low nibble first with sign extension (portable_tensor_utils.h example {0x12, 0x34})', () => {
    expect(Array.from(unpackDenseInt4IntoInt8([0x12, 0x34], 4, new Int8Array(4)))).toEqual([2, 1, 4, 3]);
    expect(Array.from(unpackDenseInt4IntoInt8([0x8f, 0x7f], 4, new Int8Array(4)))).toEqual([-1, -8, -1, 7]);
  });

  it('ignores the high nibble of the last byte for an odd count', () => {
    expect(Array.from(unpackDenseInt4IntoInt8([0x21, 0xf3], 3, new Int8Array(3)))).toEqual([1, 2, 3]);
  });

  it('inverts the test builder’s packing for every int4 value', () => {
    const values = Array.from({ length: 33 }, (_, i) => (i % 16) - 8);
    expect(Array.from(unpackDenseInt4IntoInt8(packInt4(values), 33, new Int8Array(33)))).toEqual(values);
  });
});

describe('TFLM int4 kernel vectors', () => {
  it('FULLY_CONNECTED SimpleTestQuantizedInt4Weights (null bias) exactly', () => {
    const input = [1, 2, 3, 4, 5, 6, 7, 8, -9, -10, 1, 2, 3, 4, 5, 6, 7, -8, 9, -10];
    const row = [-2, -1, 0, 1, 2, 3, 4, 5, 6, 7];
    const m: TestModel = {
      tensors: [
        { shape: [2, 10], dtype: 'int8', scale: 1, zeroPoint: -1 },
        { shape: [3, 10], dtype: 'int4', data: [...row, ...row, ...row], scale: 1, zeroPoint: 0 },
        { shape: [2, 3], dtype: 'int8', scale: 0.5, zeroPoint: -1 },
      ],
      ops: [{ op: 'FULLY_CONNECTED', inputs: [0, 1], outputs: [2], options: [{ id: 0, i8: 0 }] }],
      inputs: [0],
      outputs: [2],
    };
    for (const wasm of [true, false]) {
      expect(runModel(m, [quantize(input, 1, -1)], { wasm })).toEqual(quantize([-28, -28, -28, 0, 0, 0], 0.5, -1));
    }
  });

  it('CONV_2D SimpleTestQuantized4bitPerChannel within TFLM’s tolerance of 1', () => {
    const input = [1, 1, 1, 1, 2, 2, 2, 2, 1, 2, 3, 4, 1, 2, 3, 4];
    const filter = int4PerChannel([1, 2, 3, 4, -1, 1, -1, 1, -1, -1, 1, 1], [3, 2, 2, 1], 0);
    const golden = [18, 2, 5, 18, 2, 5, 17, 4, 3, 37, 4, 3];
    const m: TestModel = {
      tensors: [
        { shape: [2, 2, 4, 1], dtype: 'int8', scale: 0.5, zeroPoint: 0 },
        { shape: [3, 2, 2, 1], dtype: 'int4', data: filter.q, scale: filter.scales, zeroPoint: [0, 0, 0] },
        perChannelBias([1, 2, 3], 0.5, filter.scales),
        { shape: [2, 1, 2, 3], dtype: 'int8', scale: 1, zeroPoint: 0 },
      ],
      // VALID, stride 2x2 (common_conv_params).
      ops: [
        {
          op: 'CONV_2D',
          inputs: [0, 1, 2],
          outputs: [3],
          options: [
            { id: 0, i8: 1 },
            { id: 1, i32: 2 },
            { id: 2, i32: 2 },
          ],
        },
      ],
      inputs: [0],
      outputs: [3],
    };
    for (const wasm of [true, false]) expectNear(runModel(m, [quantize(input, 0.5, 0)], { wasm }), golden, 1);
  });

  it('DEPTHWISE_CONV_2D SimpleTestQuantizedPerChannelInt4Filter within TFLM’s tolerance of 1', () => {
    const input = [1, 2, 7, 8, 3, 4, 9, 10, 5, 6, 11, 12];
    const filter = int4PerChannel([1, 2, 3, 4, -5, 7, -6, 7, 5, 6, 7, 4, 2, -5, 4, 0], [1, 2, 2, 4], 3);
    const golden = [0, 26, 29, 84, 6, 46, 45, 114];
    const m: TestModel = {
      tensors: [
        { shape: [1, 3, 2, 2], dtype: 'int8', scale: 0.5, zeroPoint: 0 },
        {
          shape: [1, 2, 2, 4],
          dtype: 'int4',
          data: filter.q,
          scale: filter.scales,
          zeroPoint: [0, 0, 0, 0],
          quantizedDimension: 3,
        },
        perChannelBias([1, 2, 3, 4], 0.5, filter.scales),
        { shape: [1, 2, 1, 4], dtype: 'int8', scale: 1, zeroPoint: 0 },
      ],
      // VALID, stride 1x1, depth multiplier 2.
      ops: [
        {
          op: 'DEPTHWISE_CONV_2D',
          inputs: [0, 1, 2],
          outputs: [3],
          options: [
            { id: 0, i8: 1 },
            { id: 1, i32: 1 },
            { id: 2, i32: 1 },
            { id: 3, i32: 2 },
          ],
        },
      ],
      inputs: [0],
      outputs: [3],
    };
    for (const wasm of [true, false]) expectNear(runModel(m, [quantize(input, 0.5, 0)], { wasm }), golden, 1);
  });
});

/** One-op int8-activation models whose filter can be stored as int8 or int4 (same values, in [-8, 7]). */
interface FilterCase {
  name: string;
  op: 'FULLY_CONNECTED' | 'CONV_2D' | 'DEPTHWISE_CONV_2D';
  input: number[];
  filter: number[];
  output: number[];
  /** Per-channel filter scales (CONV_2D, DEPTHWISE_CONV_2D) or one scale (FULLY_CONNECTED: per tensor). */
  channels: number;
  quantizedDimension: number;
  options: TestModel['ops'][number]['options'];
}

const CASES: FilterCase[] = [
  // 7 x 13 = 91 weights: an odd count, the last byte half used.
  { name: 'FULLY_CONNECTED 3x13 -> 7', op: 'FULLY_CONNECTED', input: [3, 13], filter: [7, 13], output: [3, 7], channels: 1, quantizedDimension: 0, options: [{ id: 0, i8: 1 }] }, // prettier-ignore
  // SAME padding, stride 1, 5 x 3 x 3 x 3 = 135 weights.
  { name: 'CONV_2D 3x3 SAME', op: 'CONV_2D', input: [1, 5, 6, 3], filter: [5, 3, 3, 3], output: [1, 5, 6, 5], channels: 5, quantizedDimension: 0, options: [{ id: 0, i8: 0 }, { id: 1, i32: 1 }, { id: 2, i32: 1 }] }, // prettier-ignore
  // Depth multiplier 1 (the WebAssembly depthwise path), 27 weights.
  { name: 'DEPTHWISE_CONV_2D multiplier 1', op: 'DEPTHWISE_CONV_2D', input: [1, 6, 6, 3], filter: [1, 3, 3, 3], output: [1, 6, 6, 3], channels: 3, quantizedDimension: 3, options: [{ id: 0, i8: 0 }, { id: 1, i32: 1 }, { id: 2, i32: 1 }, { id: 3, i32: 1 }] }, // prettier-ignore
  // Depth multiplier 2 (the TypeScript depthwise path), stride 2.
  { name: 'DEPTHWISE_CONV_2D multiplier 2', op: 'DEPTHWISE_CONV_2D', input: [1, 7, 7, 3], filter: [1, 3, 3, 6], output: [1, 3, 3, 6], channels: 6, quantizedDimension: 3, options: [{ id: 0, i8: 1 }, { id: 1, i32: 2 }, { id: 2, i32: 2 }, { id: 3, i32: 2 }] }, // prettier-ignore
  // One input channel: run as a CONV_2D on the host.
  { name: 'DEPTHWISE_CONV_2D one input channel', op: 'DEPTHWISE_CONV_2D', input: [1, 5, 5, 1], filter: [1, 3, 3, 3], output: [1, 3, 3, 3], channels: 3, quantizedDimension: 3, options: [{ id: 0, i8: 1 }, { id: 1, i32: 1 }, { id: 2, i32: 1 }, { id: 3, i32: 3 }] }, // prettier-ignore
];

function filterModel(c: FilterCase, dtype: 'int8' | 'int4', seed: number): { model: TestModel; input: number[] } {
  const next = mulberry32(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  const count = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
  const scales = Array.from({ length: c.channels }, () => 0.01 + 0.05 * next());
  const biasCount = c.op === 'FULLY_CONNECTED' ? c.filter[0] : c.filter[c.quantizedDimension];
  const model: TestModel = {
    tensors: [
      { shape: c.input, dtype: 'int8', scale: 0.05, zeroPoint: 3 },
      {
        shape: c.filter,
        dtype,
        data: Array.from({ length: count(c.filter) }, () => int(-8, 7)),
        scale: c.channels === 1 ? scales[0] : scales,
        zeroPoint: c.channels === 1 ? 0 : scales.map(() => 0),
        quantizedDimension: c.quantizedDimension,
      },
      { shape: [biasCount], dtype: 'int32', data: Array.from({ length: biasCount }, () => int(-600, 600)) },
      { shape: c.output, dtype: 'int8', scale: 0.04, zeroPoint: -5 },
    ],
    ops: [{ op: c.op, inputs: [0, 1, 2], outputs: [3], options: c.options }],
    inputs: [0],
    outputs: [3],
  };
  return { model, input: Array.from({ length: count(c.input) }, () => int(-128, 127)) };
}

describe.each(CASES)('int4 filter == the same filter stored as int8: $name', (c) => {
  const int8 = filterModel(c, 'int8', 4242);
  const int4 = filterModel(c, 'int4', 4242);
  const elements = (int8.model.tensors[1].data as number[]).length;

  it.each([true, false])('bit for bit (wasm %s)', (wasm) => {
    const expected = runModel(int8.model, [int8.input], { wasm });
    // Not a constant output: the check means something.
    expect(new Set(expected).size).toBeGreaterThan(3);
    expect(runModel(int4.model, [int4.input], { wasm })).toEqual(expected);
  });

  it('stores the filter in half the bytes and plans TFLM’s int8 scratch buffer for it', () => {
    const bytes8 = buildModel(int8.model);
    const bytes4 = buildModel(int4.model);
    const filter4 = loadModel(bytes4).tensors[1];
    expect(filter4).toMatchObject({ dtype: 'int4', elementCount: elements, byteLength: Math.ceil(elements / 2) });
    const a = new Interpreter(loadModel(bytes8));
    const b = new Interpreter(loadModel(bytes4));
    a.allocate();
    b.allocate();
    expect(a.memory.ops[0].scratchBytes).toBe(0);
    expect(b.memory.ops[0].scratchBytes).toBe(elements);
    // Input and output are live during the op, so the scratch buffer adds its aligned size to the arena.
    expect(b.memory.activationsBytes).toBe(a.memory.activationsBytes);
    expect(b.memory.scratchBytes).toBe(alignTo(elements, ARENA_ALIGNMENT_BYTES));
    // The one ScratchBufferHandle (4 B) lands in the padding that the 16-aligned input pointer array after it
    // leaves anyway (the kernel allocations before it end 16-aligned).
    expect(b.memory.persistentBytes).toBe(a.memory.persistentBytes);
    // The host unpacks once: those bytes are host-only, never in the device total.
    expect(b.memory.hostOnlyBytes - a.memory.hostOnlyBytes).toBe(elements);
    expect(b.memory.totalBytes).toBe(a.memory.totalBytes + alignTo(elements, ARENA_ALIGNMENT_BYTES));
  });
});

describe('int4 filter refusals (what TFLM’s Prepare refuses)', () => {
  const fc = (
    inputType: 'int8' | 'int16' | 'float32',
    weights: Partial<TestTensor>,
    outputType = inputType,
  ): TestModel => ({
    tensors: [
      { shape: [1, 4], dtype: inputType, scale: 0.5, zeroPoint: 0 },
      { shape: [2, 4], dtype: 'int4', data: [1, -2, 3, -4, 5, -6, 7, -8], scale: 1, zeroPoint: 0, ...weights },
      { shape: [1, 2], dtype: outputType, scale: 0.5, zeroPoint: 0 },
    ],
    ops: [{ op: 'FULLY_CONNECTED', inputs: [0, 1], outputs: [2] }],
    inputs: [0],
    outputs: [2],
  });
  const allocate = (m: TestModel): void => void new Interpreter(loadModel(buildModel(m))).allocate();

  it('per-channel int4 FULLY_CONNECTED weights (CalculateOpDataFullyConnected)', () => {
    expect(() => allocate(fc('int8', { scale: [1, 0.5], zeroPoint: [0, 0] }))).toThrow('per-channel int4 weights');
  });

  it.each(['int16', 'float32'] as const)('%s activations with an int4 filter', (t) => {
    expect(() => allocate(fc(t, {}))).toThrow(UnsupportedOpError);
  });

  it('a non-constant int4 filter, with the type named', () => {
    const m = fc('int8', {});
    delete m.tensors[1].data;
    m.inputs = [0, 1];
    expect(() => allocate(m)).toThrow(
      expect.objectContaining({ type: 'int4', message: expect.stringMatching(/int4 input 1/) }),
    );
  });
});
