/**
 * C struct layouts of what a TFLM firmware build keeps in its arena, so the device memory figure can be computed
 * in device-native sizes (32-bit pointers) and, to compare with TFLM's published 64-bit host figures, at 8-byte
 * pointers. Fields and their order come from TFLM's headers (tflite-micro, `tensorflow/lite/core/c/common.h`
 * with TF_LITE_STATIC_MEMORY, `tensorflow/lite/micro/kernels/*.h`, `tensorflow/lite/core/c/builtin_op_data.h`);
 * sizes follow the usual C rules: every field at its natural alignment, the struct padded to its largest
 * alignment. `double` and `int64` are 8-aligned on both ARM EABI and x86-64.
 */

/** A field kind; nested structs are arrays of fields. */
export type Field = 'i8' | 'i16' | 'i32' | 'f32' | 'f64' | 'i64' | 'ptr' | readonly Field[];

export interface StructLayout {
  readonly name: string;
  readonly fields: readonly Field[];
}

export const DEVICE_POINTER_BYTES = 4;
export const HOST_POINTER_BYTES = 8;

function fieldSizeAlign(f: Field, pointerBytes: number): [size: number, align: number] {
  if (typeof f !== 'string') {
    const { sizeBytes, alignBytes } = layoutOf(f, pointerBytes);
    return [sizeBytes, alignBytes];
  }
  switch (f) {
    case 'i8':
      return [1, 1];
    case 'i16':
      return [2, 2];
    case 'i32':
    case 'f32':
      return [4, 4];
    case 'f64':
    case 'i64':
      return [8, 8];
    case 'ptr':
      return [pointerBytes, pointerBytes];
  }
}

function layoutOf(fields: readonly Field[], pointerBytes: number): { sizeBytes: number; alignBytes: number } {
  let offset = 0;
  let alignBytes = 1;
  for (const f of fields) {
    const [size, align] = fieldSizeAlign(f, pointerBytes);
    offset = Math.ceil(offset / align) * align + size;
    alignBytes = Math.max(alignBytes, align);
  }
  return { sizeBytes: Math.ceil(offset / alignBytes) * alignBytes, alignBytes };
}

/** sizeof(struct) for the given pointer width. */
export function sizeOf(layout: StructLayout, pointerBytes: number): number {
  return layoutOf(layout.fields, pointerBytes).sizeBytes;
}

/** alignof(struct) for the given pointer width. */
export function alignOf(layout: StructLayout, pointerBytes: number): number {
  return layoutOf(layout.fields, pointerBytes).alignBytes;
}

const struct = (name: string, fields: readonly Field[]): StructLayout => ({ name, fields });
const ints = (n: number): Field[] => Array<Field>(n).fill('i32');

/** TfLitePaddingValues: width, height, width_offset, height_offset. */
const PADDING_VALUES: Field[] = ints(4);

// ---- Runtime structs (common.h, TF_LITE_STATIC_MEMORY variants) ----

/** TfLiteEvalTensor: data pointer, dims pointer, TfLiteType. One per tensor of the subgraph. */
export const TFLITE_EVAL_TENSOR = struct('TfLiteEvalTensor', ['ptr', 'ptr', 'i32']);
/** TfLiteNode (reduced): inputs, outputs, intermediates, user_data, builtin_data, custom_initial_data, size. */
const TFLITE_NODE: Field[] = ['ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'i32'];
/** NodeAndRegistration: the node plus a pointer to its registration. One per operator. */
export const NODE_AND_REGISTRATION = struct('NodeAndRegistration', [TFLITE_NODE, 'ptr']);
/**
 * TfLiteTensor (reduced, ordered largest-to-smallest in TFLM): quantization {type, params*},
 * params {scale, zero_point}, data*, dims*, size_t bytes, type, allocation_type, is_variable.
 */
export const TFLITE_TENSOR = struct('TfLiteTensor', [
  ['i32', 'ptr'],
  ['f32', 'i32'],
  'ptr',
  'ptr',
  'ptr',
  'i32',
  'i32',
  'i8',
]);
/** TfLiteAffineQuantization: scale*, zero_point*, quantized_dimension. */
export const TFLITE_AFFINE_QUANTIZATION = struct('TfLiteAffineQuantization', ['ptr', 'ptr', 'i32']);
/** SubgraphAllocations: node_and_registrations*, tensors*. */
export const SUBGRAPH_ALLOCATIONS = struct('SubgraphAllocations', ['ptr', 'ptr']);
/** ScratchBufferHandle: the data pointer of one planned scratch buffer. */
export const SCRATCH_BUFFER_HANDLE = struct('ScratchBufferHandle', ['ptr']);

/**
 * micro_resource_variable.h: MicroResourceVariables (variable array pointer, max and current count) and one
 * MicroResourceVariable per variable (container, shared_name, buffer pointers, size_t bytes, int8 default).
 * MicroResourceVariables::Create allocates both with AllocatePersistentBuffer (16-byte aligned).
 */
export const MICRO_RESOURCE_VARIABLES = struct('MicroResourceVariables', ['ptr', 'i32', 'i32']);
export const MICRO_RESOURCE_VARIABLE = struct('MicroResourceVariable', ['ptr', 'ptr', 'ptr', 'ptr', 'i8']);

/**
 * The allocator objects TFLM places in the arena tail before anything else (micro_allocator.cc Create):
 * SingleArenaBufferAllocator (two interface vtables, buffer head/tail, head, tail, temp pointers, temp count),
 * GreedyMemoryPlanner (vtable, max/used buffer counts, five array pointers, next free entry, first entry,
 * a flag) and MicroAllocator (vtable, persistent/non-persistent allocators, planner, builtin-data allocator,
 * scratch head, request count, max head usage, allocating flag). Field lists summarise the class declarations;
 * they are counted once per interpreter.
 */
export const ARENA_ALLOCATOR_OBJECTS: readonly StructLayout[] = [
  struct('SingleArenaBufferAllocator', ['ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'i32', 'i8']),
  struct('GreedyMemoryPlanner', ['ptr', 'i32', 'i32', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'i32', 'i32', 'i8']),
  struct('MicroAllocator', ['ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'i8']),
];
/**
 * MicroBuiltinDataAllocator (vtable, allocator): StartModelAllocation's first allocation, so it follows whatever
 * the application allocated between MicroAllocator::Create and AllocateTensors (the resource variables).
 */
export const MICRO_BUILTIN_DATA_ALLOCATOR = struct('MicroBuiltinDataAllocator', ['ptr', 'ptr']);

// ---- Kernel OpData (allocated in Init with AllocatePersistentBuffer, 16-byte aligned) ----

/**
 * kernels/internal/types.h FullyConnectedParams: input/weights/output offsets, output multiplier and shift,
 * quantized and float activation ranges, lhs/rhs_cacheable, FullyConnectedWeightsFormat (a uint8 enum).
 */
const FULLY_CONNECTED_PARAMS: Field[] = [...ints(9), 'i8', 'i8', 'i8'];
/**
 * kernels/internal/types.h ArithmeticParams: BroadcastableOpCategory (uint8), 14 int32/float offsets,
 * multipliers, shifts and activation ranges, int64 activation range, broadcast_shape[5].
 */
const ARITHMETIC_PARAMS: Field[] = ['i8', ...ints(14), 'i64', 'i64', ...ints(5)];

export const OP_DATA = {
  /** kernels/conv.h OpDataConv (also used by DEPTHWISE_CONV_2D). */
  conv: struct('OpDataConv', [PADDING_VALUES, ...ints(5), 'ptr', 'ptr', ...ints(3)]),
  /** kernels/fully_connected.h OpDataFullyConnected. */
  fullyConnected: struct('OpDataFullyConnected', [...ints(9), 'ptr', 'ptr', 'i8']),
  /** kernels/add.h OpDataAdd; kernels/sub.h OpDataSub has the same fields without the two float32 bounds. */
  add: struct('OpDataAdd', ['i8', ...ints(12), 'f32', 'f32']),
  sub: struct('OpDataSub', ['i8', ...ints(12)]),
  /** div.cc OpDataDiv: three zero points, activation range, output multiplier and shift. */
  div: struct('OpDataDiv', ints(7)),
  /** kernels/mul.h OpDataMul. */
  mul: struct('OpDataMul', [...ints(7), 'f32', 'f32']),
  /** kernels/pooling.h OpDataPooling. */
  pooling: struct('OpDataPooling', [PADDING_VALUES, 'i32', 'i32', 'f32', 'f32']),
  /**
   * kernels/internal/types.h SoftmaxParams (the softmax OpData): beta (double), input_multiplier,
   * input_left_shift, reverse_scaling_divisor/right_shift, diff_min, zero_point, scale, then five table pointers.
   */
  softmax: struct('SoftmaxParams', ['f64', ...ints(7), 'ptr', 'ptr', 'ptr', 'ptr', 'ptr']),
  /** kernels/quantize.h OpDataQuantizeReference: QuantizationParams {zero_point, double scale}, 3 ints. */
  quantize: struct('OpDataQuantizeReference', [['i32', 'f64'], ...ints(3)]),
  /** kernels/dequantize.h DequantizeOpData: DequantizationParams {double scale, zero_point}, 3 ints. */
  dequantize: struct('DequantizeOpData', [['f64', 'i32'], ...ints(3)]),
  /** kernels/logistic.h OpDataLogistic (tanh.cc's OpData has the same four fields). */
  logistic: struct('OpDataLogistic', ints(4)),
  tanh: struct('OpDataTanh', ints(4)),
  /** kernels/activations.h ReluOpData {ReluParams: input/output offset, multiplier, shift}. */
  relu: struct('ReluOpData', ints(4)),
  /** kernels/activations.h Relu6OpData<int8_t> {six, zero}. */
  relu6: struct('Relu6OpData', ['i8', 'i8']),
  /**
   * kernels/transpose_conv.h OpDataTransposeConv: ConvParams (uint8 padding type, int16 PaddingValues[4], int16
   * strides and dilations, 7 int32 offsets / multiplier / shift / range, 2 float ranges), scratch and
   * converted-bias indices, per-channel multiplier and shift pointers.
   */
  transposeConv: struct('OpDataTransposeConv', [
    ['i8', 'i16', 'i16', 'i16', 'i16', 'i16', 'i16', 'i16', 'i16', ...ints(7), 'f32', 'f32'],
    'i32',
    'i32',
    'ptr',
    'ptr',
  ]),
  /** kernels/leaky_relu.h LeakyReluOpData: alpha and identity multiplier and shift, two zero points. */
  leakyRelu: struct('LeakyReluOpData', ints(6)),
  /** kernels/reduce.h OpDataReduce. */
  reduce: struct('OpDataReduce', ints(9)),
  /**
   * concatenation.cc OpData {ConcatenationParams: int8 axis, input_zeropoint*, input_scale*,
   * uint16 inputs_count, output_zeropoint, output_scale}.
   */
  concatenation: struct('OpDataConcatenation', [['i8', 'ptr', 'ptr', 'i16', 'i32', 'f32']]),
  /** strided_slice.cc OpData {StridedSliceParams: three (int8 count, int32[5]) arrays, masks, offset flag}. */
  stridedSlice: struct('OpDataStridedSlice', [
    ['i8', ...ints(5), 'i8', ...ints(5), 'i8', ...ints(5), 'i16', 'i8', 'i16', 'i8', 'i8', 'i16'],
  ]),
  /** pad.cc OpData {PadParams: (int8 count, int32[5]) x 2, resizing_category}, output_zero_point. */
  pad: struct('OpDataPad', [['i8', ...ints(5), 'i8', ...ints(5), 'i32'], 'i32']),
  /**
   * kernels/lstm_shared.h OpDataLSTM: LstmSizeInfo {bool time_major, 4 ints}, CellStateInfo {float cell_clip,
   * int16 quantized_cell_clip, int32 scale power}, the cell-gate activation, four GateParameters (input and
   * recurrent FullyConnectedParams each), InterGateParameters (three ArithmeticParams), buffer_indices[4].
   */
  lstm: struct('OpDataLSTM', [
    ['i8', ...ints(4)],
    ['f32', 'i16', 'i32'],
    'i32',
    ...Array<Field>(4).fill([FULLY_CONNECTED_PARAMS, FULLY_CONNECTED_PARAMS]),
    [ARITHMETIC_PARAMS, ARITHMETIC_PARAMS, ARITHMETIC_PARAMS],
    ...ints(4),
  ]),
  /** space_to_batch_nd.cc Init: SpaceToBatchParams {output_offset}. */
  spaceToBatch: struct('SpaceToBatchParams', ints(1)),
  /** mirror_pad.cc OpDataMirrorPad: input dims, output size, offset, two scratch indices. */
  mirrorPad: struct('OpDataMirrorPad', ints(5)),
  /** select.cc OpData: requires_broadcast, has_low_rank_input_condition (bools). */
  select: struct('OpDataSelect', ['i8', 'i8']),
  /** embedding_lookup.cc OpData: float scale, size_t num_columns (pointer-sized). */
  embeddingLookup: struct('OpDataEmbeddingLookup', ['f32', 'ptr']),
  /**
   * kernels/batch_matmul.h OpDataBatchMatmul: quantization and two transposed-tensor pointers, rhs_is_transposed,
   * lhs/rhs_is_constant_tensor.
   */
  batchMatMul: struct('OpDataBatchMatmul', ['ptr', 'ptr', 'ptr', 'i8', 'i8', 'i8']),
  /**
   * elementwise.cc OpDataAbsRsqrt (ABS and RSQRT): multiplier, shift, input and output offsets, bool
   * needs_rescale, TfLiteQuantizationType and TfLiteType enums.
   */
  absRsqrt: struct('OpDataAbsRsqrt', [...ints(4), 'i8', 'i32', 'i32']),
  /**
   * kernels/internal/types.h HardSwishParams (HARD_SWISH's OpData, Init for every type): int16 zero points and
   * reluish multiplier, its int exponent, int16 output multiplier, its int exponent.
   */
  hardSwish: struct('HardSwishParams', ['i16', 'i16', 'i16', 'i32', 'i16', 'i32']),
  /** kernels/prelu.h PreluParams: input, alpha and output offsets, two multipliers and shifts. */
  prelu: struct('PreluParams', ints(7)),
  /** add_n.cc OpData (int8 only, allocated in Prepare): activation range, offsets, multipliers, shifts, scratch. */
  addN: struct('OpDataAddN', ints(10)),
  /** squared_difference.cc OpData {bool requires_broadcast, ArithmeticParams}. */
  squaredDifference: struct('OpDataSquaredDifference', ['i8', ARITHMETIC_PARAMS]),
  /**
   * log_softmax.cc LogSoftmaxOpData (int8 only, allocated in Prepare): input multiplier and left shift, reverse
   * scaling divisor and right shift, diff_min, then outer_size and depth as size_t.
   */
  logSoftmax: struct('LogSoftmaxOpData', [...ints(5), 'ptr', 'ptr']),
  /** kernels/internal/types.h L2NormalizationParams: input_zero_point (Init, every type). */
  l2Normalization: struct('L2NormalizationParams', ints(1)),
  /** elu.cc OpData: the int8 lookup table (allocated for every type). */
  elu: struct('OpDataElu', Array<Field>(256).fill('i8')),
  /**
   * comparisons.cc OpData {ComparisonParams: left_shift, two (offset, multiplier, shift) triples, is_broadcast}.
   */
  comparison: struct('OpDataComparison', [[...ints(7), 'i8']]),
  /** kernels/svdf.h OpDataSvdf: two multipliers, two shifts, two scratch indices, three zero points. */
  svdf: struct('OpDataSvdf', ints(9)),
  /** if.cc OpData: then/else subgraph indices, intermediate input and output buffer pointers. */
  if: struct('OpDataIf', ['i32', 'i32', 'ptr', 'ptr']),
  /** while.cc OpData: cond/body subgraph indices. */
  while: struct('OpDataWhile', ints(2)),
  /** call_once.cc OpData: init_subgraph_index, has_run. */
  callOnce: struct('OpDataCallOnce', ['i32', 'i8']),
  /** var_handle.cc OpData: resource_id. */
  varHandle: struct('OpDataVarHandle', ints(1)),
} as const;

// ---- Builtin options (ParseOpData, allocated with alignof(struct)) ----

export const BUILTIN_DATA = {
  /** TfLiteConvParams: padding, stride w/h, activation, dilation w/h, quantized_bias_type. */
  conv: struct('TfLiteConvParams', ints(7)),
  /** TfLiteDepthwiseConvParams: padding, stride w/h, depth_multiplier, activation, dilation w/h. */
  depthwiseConv: struct('TfLiteDepthwiseConvParams', ints(7)),
  /** TfLiteFullyConnectedParams: activation, weights_format, keep_num_dims, asymmetric_quantize_inputs, bias type. */
  fullyConnected: struct('TfLiteFullyConnectedParams', ['i32', 'i32', 'i8', 'i8', 'i32']),
  /** TfLitePoolParams: padding, stride w/h, filter w/h, activation, computed padding values. */
  pool: struct('TfLitePoolParams', [...ints(6), PADDING_VALUES]),
  /** TfLiteSoftmaxParams: beta. */
  softmax: struct('TfLiteSoftmaxParams', ['f32']),
  /** TfLiteAddParams / TfLiteSubParams: activation, pot_scale_int16. */
  add: struct('TfLiteAddParams', ['i32', 'i8']),
  sub: struct('TfLiteSubParams', ['i32', 'i8']),
  /** TfLiteMulParams: activation. */
  mul: struct('TfLiteMulParams', ['i32']),
  /** TfLiteDivParams: activation. */
  div: struct('TfLiteDivParams', ['i32']),
  /** TfLiteReshapeParams: shape[8], num_dimensions. */
  reshape: struct('TfLiteReshapeParams', ints(9)),
  /** TfLiteSqueezeParams: squeeze_dims[8], num_squeeze_dims. */
  squeeze: struct('TfLiteSqueezeParams', ints(9)),
  /** TfLiteReducerParams: keep_dims. */
  reducer: struct('TfLiteReducerParams', ['i8']),
  /** TfLiteConcatenationParams: axis, activation. */
  concatenation: struct('TfLiteConcatenationParams', ints(2)),
  /** TfLiteStridedSliceParams: five masks, offset flag. */
  stridedSlice: struct('TfLiteStridedSliceParams', [...ints(5), 'i8']),
  /**
   * TfLiteUnidirectionalSequenceLSTMParams: activation, cell_clip, proj_clip, time_major,
   * asymmetric_quantize_inputs, diagonal_recurrent_tensors.
   */
  unidirectionalSequenceLstm: struct('TfLiteUnidirectionalSequenceLSTMParams', ['i32', 'f32', 'f32', 'i8', 'i8', 'i8']),
  /** TfLiteCastParams: in_data_type, out_data_type (ParseCast allocates it although the kernel has no Init). */
  cast: struct('TfLiteCastParams', ['i32', 'i32']),
  /** TfLiteTransposeConvParams: padding, stride w/h, activation, quantized_bias_type. */
  transposeConv: struct('TfLiteTransposeConvParams', ints(5)),
  /** TfLiteLeakyReluParams: alpha. */
  leakyRelu: struct('TfLiteLeakyReluParams', ['f32']),
  /** TfLiteGatherParams: axis, batch_dims. */
  gather: struct('TfLiteGatherParams', ints(2)),
  /** TfLitePackParams: values_count, axis. */
  pack: struct('TfLitePackParams', ints(2)),
  /** TfLiteUnpackParams: num, axis. */
  unpack: struct('TfLiteUnpackParams', ints(2)),
  /** TfLiteSplitParams: num_splits. */
  split: struct('TfLiteSplitParams', ints(1)),
  /** TfLiteSplitVParams: num_splits. */
  splitV: struct('TfLiteSplitVParams', ints(1)),
  /** TfLiteShapeParams: out_type. */
  shape: struct('TfLiteShapeParams', ints(1)),
  /** TfLiteDepthToSpaceParams / TfLiteSpaceToDepthParams: block_size. */
  depthToSpace: struct('TfLiteDepthToSpaceParams', ints(1)),
  spaceToDepth: struct('TfLiteSpaceToDepthParams', ints(1)),
  /** TfLiteMirrorPaddingParams: mode. */
  mirrorPad: struct('TfLiteMirrorPaddingParams', ints(1)),
  /** TfLiteResizeNearestNeighborParams / TfLiteResizeBilinearParams: align_corners, half_pixel_centers (bools). */
  resizeNearestNeighbor: struct('TfLiteResizeNearestNeighborParams', ['i8', 'i8']),
  resizeBilinear: struct('TfLiteResizeBilinearParams', ['i8', 'i8']),
  /** TfLiteArgMaxParams / TfLiteArgMinParams: output_type. */
  argMax: struct('TfLiteArgMaxParams', ints(1)),
  argMin: struct('TfLiteArgMinParams', ints(1)),
  /** TfLiteCumsumParams: exclusive, reverse (bools). */
  cumsum: struct('TfLiteCumsumParams', ['i8', 'i8']),
  /** TfLiteBatchMatMulParams: adj_x, adj_y, asymmetric_quantize_inputs (bools). */
  batchMatMul: struct('TfLiteBatchMatMulParams', ['i8', 'i8', 'i8']),
  /** TfLiteL2NormParams: activation. */
  l2Norm: struct('TfLiteL2NormParams', ints(1)),
  /** TfLiteSVDFParams: rank, activation, asymmetric_quantize_inputs. */
  svdf: struct('TfLiteSVDFParams', ['i32', 'i32', 'i8']),
  /** TfLiteIfParams: then/else subgraph indices. */
  if: struct('TfLiteIfParams', ints(2)),
  /** TfLiteWhileParams: cond/body subgraph indices. */
  while: struct('TfLiteWhileParams', ints(2)),
  /** TfLiteCallOnceParams: init_subgraph_index. */
  callOnce: struct('TfLiteCallOnceParams', ints(1)),
  /** TfLiteVarHandleParams: container, shared_name (pointers into the flatbuffer's strings). */
  varHandle: struct('TfLiteVarHandleParams', ['ptr', 'ptr']),
} as const;

/** TfLiteIntArrayGetSizeInBytes(n): an int size followed by n ints. */
export function intArrayBytes(n: number): number {
  return 4 + 4 * n;
}
