import * as fs from 'node:fs';
import { Interpreter, loadModel } from '../index';
import { buildModel, TestModel } from '../testing/model-builder';
import { loadReferenceModel } from '../testing/reference-models';
import { kissFftrStateLayout } from '../kernels/signal/kiss-fft-int16';
import {
  BUILTIN_DATA,
  NODE_AND_REGISTRATION,
  OP_DATA,
  TFLITE_EVAL_TENSOR,
  TFLITE_TENSOR,
  alignOf,
  sizeOf,
} from './device-layout';

describe('device struct layouts', () => {
  it.each([
    // [struct, 32-bit sizeof, 64-bit sizeof]: natural alignment, padded to the largest member.
    [TFLITE_EVAL_TENSOR, 12, 24], // ptr, ptr, enum
    [NODE_AND_REGISTRATION, 32, 64], // 6 ptrs + int (28 / 52 -> 56), + ptr
    [TFLITE_TENSOR, 40, 64], // {enum, ptr}, {f32, i32}, ptr, ptr, size_t, enum, enum, bool
    [OP_DATA.conv, 56, 72], // padding(16) + 5 ints, 2 ptrs (8-aligned at 40 on 64-bit), 3 ints
    [OP_DATA.fullyConnected, 48, 64], // 9 ints, 2 ptrs, bool
    [OP_DATA.softmax, 56, 80], // double, 7 ints, 5 ptrs
    [OP_DATA.quantize, 32, 32], // {i32, double} = 16, 3 ints -> 28 -> 32 (double alignment on both ABIs)
  ])('%s', (layout, bytes32, bytes64) => {
    expect(sizeOf(layout, 4)).toBe(bytes32);
    expect(sizeOf(layout, 8)).toBe(bytes64);
    expect(alignOf(layout, 8)).toBe(8);
  });

  it.each([
    // OpDataLSTM: size info 20, cell state info 12, activation 4 -> 36; 4 x 2 FullyConnectedParams of 40 (9 ints,
    // 3 one-byte fields) -> 356; three 104-byte ArithmeticParams (int64 range: 8-aligned) from 360 -> 672; 4 ints.
    [OP_DATA.lstm, 688, 688],
    [OP_DATA.svdf, 36, 36],
    [BUILTIN_DATA.unidirectionalSequenceLstm, 16, 16],
    [BUILTIN_DATA.svdf, 12, 12],
    [BUILTIN_DATA.cast, 8, 8],
    // 5 ints, then outer_size and depth as size_t (8-aligned at 24 on 64-bit).
    [OP_DATA.logSoftmax, 28, 40],
    [OP_DATA.l2Normalization, 4, 4],
    [BUILTIN_DATA.l2Norm, 4, 4],
    // kiss_fftr_alloc(512): 3 pointers + kiss_fft_state (2 + 64 ints, 256 twiddles) + 256 + 128 complex int16.
    [kissFftrStateLayout(512), 12 + 264 + 1024 + 1536, 24 + 264 + 1024 + 1536],
  ])('%s', (layout, bytes32, bytes64) => {
    expect(sizeOf(layout, 4)).toBe(bytes32);
    expect(sizeOf(layout, 8)).toBe(bytes64);
  });
});

describe('device memory of hello_world_int8 (3 FULLY_CONNECTED, 10 tensors, per-tensor int8)', () => {
  const ref = loadReferenceModel('hello_world_int8');
  const interpreter = new Interpreter(loadModel(new Uint8Array(fs.readFileSync(ref.modelFile))));

  it('adds up byte for byte at 32-bit pointers', () => {
    const m = interpreter.memory;
    // Tail, in TFLM's allocation order (each step: tail moves down by the size, then down to the alignment):
    //  allocator objects 36 + 44 + 40 + 8, SubgraphAllocations 8                         -> 136
    //  10 TfLiteEvalTensor x 12 = 120                                                    -> 256
    //  3 NodeAndRegistration x 32 = 96                                                   -> 352
    //  3 TfLiteFullyConnectedParams x 16 (alignof 4)                                     -> 400
    //  3 OpDataFullyConnected x 48 (16-aligned: 448, 496, 544)                           -> 544
    //  input: pointer array 4 (16-aligned -> 560), TfLiteTensor 40, quantization 12 + zero-point array 8 -> 620
    //  output: the same (pointer array 4 -> 624, 40 + 12 + 8)                            -> 684
    expect(m).toMatchObject({
      pointerBytes: 4,
      activationsBytes: 32,
      scratchBytes: 0,
      persistentBytes: 684,
      persistent: { runtimeBytes: 684 - 192, kernelBytes: 192, variableBytes: 0 },
      totalBytes: 716,
    });
    expect(m.ops.map((o) => o.persistentBytes)).toEqual([64, 64, 64]);
    // Host-only: per-row multipliers/shifts, accumulator constants, packed rows, input staging (not on a device).
    expect(m.hostOnlyBytes).toBeGreaterThan(0);
  });

  it('reproduces TFLM’s own arena_used_bytes at 64-bit pointers', () => {
    expect(ref.expected?.arena_used_bytes_64bit_host).toBe(1184);
    expect(interpreter.memoryAt(8).totalBytes).toBe(1184);
  });

  it('refuses a device budget below the total, and accepts the total', () => {
    const model = loadModel(new Uint8Array(fs.readFileSync(ref.modelFile)));
    expect(() => new Interpreter(model, { deviceBytesLimit: 715 }).allocate()).toThrow(
      'model needs 716 bytes, 715 bytes available',
    );
    expect(new Interpreter(model, { deviceBytesLimit: 716 }).memory.totalBytes).toBe(716);
  });
});

describe('scratch buffers (int8 MEAN requests an int32 temp sum per output element)', () => {
  const m: TestModel = {
    tensors: [
      { shape: [1, 2, 4], dtype: 'int8', scale: 0.5, zeroPoint: 0 },
      { shape: [1], dtype: 'int32', data: [1] },
      { shape: [1, 4], dtype: 'int8', scale: 0.25, zeroPoint: 1 },
    ],
    ops: [{ op: 'MEAN', inputs: [0, 1], outputs: [2] }],
    inputs: [0],
    outputs: [2],
  };

  it('plans the scratch buffer in the arena beside the live tensors and counts its handle', () => {
    const interpreter = new Interpreter(loadModel(buildModel(m)));
    const plan = interpreter.allocate();
    // Input (8 B) and output (4 B) are 16 B each after alignment; the 16-byte scratch is live at the same step.
    expect(plan.arenaBytes).toBe(32);
    expect(plan.plannedBytes).toBe(48);
    const mem = interpreter.memory;
    expect(mem.activationsBytes).toBe(32);
    expect(mem.scratchBytes).toBe(16);
    expect(mem.ops[0].scratchBytes).toBe(16);
    // The run is still exact: mean over axis 1 of [[1,2,3,4],[5,6,7,8]] * 0.5 -> [1.5,2,2.5,3] / 0.25 + 1.
    interpreter.input(0).data.set([1, 2, 3, 4, 5, 6, 7, 8]);
    interpreter.invoke();
    expect(Array.from(interpreter.output(0).data)).toEqual([7, 9, 11, 13]);
    // Tail: allocators 136, 3 eval tensors 36 -> 172, 1 node 32 -> 204, TfLiteReducerParams 1 -> 205,
    // OpDataReduce 36 (16-aligned) -> 256, one ScratchBufferHandle 4 -> 260, input pointer array -> 272,
    // TfLiteTensor + quantization + zero points 60 -> 332, output pointer array -> 336, + 60 -> 396.
    expect(mem.persistentBytes).toBe(396);
    expect(mem.totalBytes).toBe(48 + 396);
  });
});
