/**
 * Enumerations of TFLite's public schema.fbs (tensorflow/lite/schema/schema.fbs) that the reader needs.
 * Only numbers are taken from the schema; field ids of the tables are in model-reader.ts.
 */

/** BuiltinOperator names indexed by code (0..161); later STABLEHLO_* codes are reported numerically. */
export const BUILTIN_OPERATOR_NAMES: readonly string[] = (
  'ADD AVERAGE_POOL_2D CONCATENATION CONV_2D DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE EMBEDDING_LOOKUP FLOOR ' +
  'FULLY_CONNECTED HASHTABLE_LOOKUP L2_NORMALIZATION L2_POOL_2D LOCAL_RESPONSE_NORMALIZATION LOGISTIC LSH_PROJECTION ' +
  'LSTM MAX_POOL_2D MUL RELU RELU_N1_TO_1 RELU6 RESHAPE RESIZE_BILINEAR RNN SOFTMAX SPACE_TO_DEPTH SVDF TANH ' +
  'CONCAT_EMBEDDINGS SKIP_GRAM CALL CUSTOM EMBEDDING_LOOKUP_SPARSE PAD UNIDIRECTIONAL_SEQUENCE_RNN GATHER ' +
  'BATCH_TO_SPACE_ND SPACE_TO_BATCH_ND TRANSPOSE MEAN SUB DIV SQUEEZE UNIDIRECTIONAL_SEQUENCE_LSTM STRIDED_SLICE ' +
  'BIDIRECTIONAL_SEQUENCE_RNN EXP TOPK_V2 SPLIT LOG_SOFTMAX DELEGATE BIDIRECTIONAL_SEQUENCE_LSTM CAST PRELU MAXIMUM ' +
  'ARG_MAX MINIMUM LESS NEG PADV2 GREATER GREATER_EQUAL LESS_EQUAL SELECT SLICE SIN TRANSPOSE_CONV SPARSE_TO_DENSE ' +
  'TILE EXPAND_DIMS EQUAL NOT_EQUAL LOG SUM SQRT RSQRT SHAPE POW ARG_MIN FAKE_QUANT REDUCE_PROD REDUCE_MAX PACK ' +
  'LOGICAL_OR ONE_HOT LOGICAL_AND LOGICAL_NOT UNPACK REDUCE_MIN FLOOR_DIV REDUCE_ANY SQUARE ZEROS_LIKE FILL FLOOR_MOD ' +
  'RANGE RESIZE_NEAREST_NEIGHBOR LEAKY_RELU SQUARED_DIFFERENCE MIRROR_PAD ABS SPLIT_V UNIQUE CEIL REVERSE_V2 ADD_N ' +
  'GATHER_ND COS WHERE RANK ELU REVERSE_SEQUENCE MATRIX_DIAG QUANTIZE MATRIX_SET_DIAG ROUND HARD_SWISH IF WHILE ' +
  'NON_MAX_SUPPRESSION_V4 NON_MAX_SUPPRESSION_V5 SCATTER_ND SELECT_V2 DENSIFY SEGMENT_SUM BATCH_MATMUL ' +
  'PLACEHOLDER_FOR_GREATER_OP_CODES CUMSUM CALL_ONCE BROADCAST_TO RFFT2D CONV_3D IMAG REAL COMPLEX_ABS HASHTABLE ' +
  'HASHTABLE_FIND HASHTABLE_IMPORT HASHTABLE_SIZE REDUCE_ALL CONV_3D_TRANSPOSE VAR_HANDLE READ_VARIABLE ' +
  'ASSIGN_VARIABLE BROADCAST_ARGS RANDOM_STANDARD_NORMAL BUCKETIZE RANDOM_UNIFORM MULTINOMIAL GELU ' +
  'DYNAMIC_UPDATE_SLICE RELU_0_TO_1 UNSORTED_SEGMENT_PROD UNSORTED_SEGMENT_MAX UNSORTED_SEGMENT_SUM ATAN2 ' +
  'UNSORTED_SEGMENT_MIN SIGN BITCAST BITWISE_XOR RIGHT_SHIFT'
).split(' ');

export const BUILTIN_CUSTOM = 32;

export function builtinOperatorName(code: number): string {
  return BUILTIN_OPERATOR_NAMES[code] ?? `BUILTIN_${code}`;
}

/** TensorType codes of schema.fbs. */
export const enum TensorTypeCode {
  FLOAT32 = 0,
  FLOAT16 = 1,
  INT32 = 2,
  UINT8 = 3,
  INT64 = 4,
  STRING = 5,
  BOOL = 6,
  INT16 = 7,
  COMPLEX64 = 8,
  INT8 = 9,
  FLOAT64 = 10,
  RESOURCE = 13,
  INT4 = 17,
}

/** schema.fbs TensorType names by code, to name a type the reader refuses. */
export const TENSOR_TYPE_NAMES: readonly string[] = (
  'FLOAT32 FLOAT16 INT32 UINT8 INT64 STRING BOOL INT16 COMPLEX64 INT8 FLOAT64 COMPLEX128 UINT64 RESOURCE ' +
  'VARIANT UINT32 UINT16 INT4 BFLOAT16'
).split(' ');

export type DType =
  | 'float32'
  | 'int32'
  | 'uint8'
  | 'int64'
  | 'bool'
  | 'int16'
  | 'int8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'resource'
  | 'int4';

/**
 * Tensor types the interpreter can hold, with their element size in bytes. INT4 is half a byte: two values per
 * byte, low nibble first, the last byte of an odd count half used (tensorByteLength rounds up).
 */
export const DTYPE_BY_CODE: ReadonlyMap<number, { dtype: DType; bytes: number }> = new Map([
  [TensorTypeCode.FLOAT32, { dtype: 'float32' as DType, bytes: 4 }],
  [TensorTypeCode.INT32, { dtype: 'int32' as DType, bytes: 4 }],
  [TensorTypeCode.UINT8, { dtype: 'uint8' as DType, bytes: 1 }],
  [TensorTypeCode.INT64, { dtype: 'int64' as DType, bytes: 8 }],
  [TensorTypeCode.BOOL, { dtype: 'bool' as DType, bytes: 1 }],
  [TensorTypeCode.INT16, { dtype: 'int16' as DType, bytes: 2 }],
  [TensorTypeCode.INT8, { dtype: 'int8' as DType, bytes: 1 }],
  [16, { dtype: 'uint16' as DType, bytes: 2 }],
  [15, { dtype: 'uint32' as DType, bytes: 4 }],
  [12, { dtype: 'uint64' as DType, bytes: 8 }],
  // A resource variable handle (VAR_HANDLE's output): TFLM's TfLiteTypeSizeOf gives it sizeof(int32_t), the id.
  [TensorTypeCode.RESOURCE, { dtype: 'resource' as DType, bytes: 4 }],
  [TensorTypeCode.INT4, { dtype: 'int4' as DType, bytes: 0.5 }],
]);

export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  float32: 4,
  int32: 4,
  uint8: 1,
  int64: 8,
  bool: 1,
  int16: 2,
  int8: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  resource: 4,
  int4: 0.5,
};

/** Bytes a tensor's contents take: elements x element size, rounded up to whole bytes (INT4 packs two per byte). */
export function tensorByteLength(dtype: DType, elementCount: number): number {
  return Math.ceil(elementCount * DTYPE_BYTES[dtype]);
}

/** ActivationFunctionType enum. */
export const enum Activation {
  NONE = 0,
  RELU = 1,
  RELU_N1_TO_1 = 2,
  RELU6 = 3,
  TANH = 4,
  SIGN_BIT = 5,
}

/**
 * BuiltinOptions union member (schema.fbs order, NONE = 0) each supported op reads its options from.
 * A file whose operator carries a different options table is rejected instead of being misread.
 */
export const BUILTIN_OPTIONS_TYPE: Readonly<Record<string, number>> = {
  CONV_2D: 1,
  DEPTHWISE_CONV_2D: 2,
  AVERAGE_POOL_2D: 5,
  MAX_POOL_2D: 5,
  FULLY_CONNECTED: 8,
  SOFTMAX: 9,
  CONCATENATION: 10,
  ADD: 11,
  RESHAPE: 17,
  MUL: 21,
  PAD: 22,
  MEAN: 27,
  SUB: 28,
  DIV: 29,
  SQUEEZE: 30,
  STRIDED_SLICE: 32,
  TRANSPOSE: 26,
  TRANSPOSE_CONV: 49,
  LEAKY_RELU: 75,
  GATHER: 23,
  PACK: 59,
  UNPACK: 64,
  SPLIT: 35,
  SPLIT_V: 79,
  SLICE: 48,
  EXPAND_DIMS: 52,
  SHAPE: 55,
  FILL: 68,
  ZEROS_LIKE: 67,
  BROADCAST_TO: 104,
  GATHER_ND: 83,
  BATCH_TO_SPACE_ND: 24,
  SPACE_TO_BATCH_ND: 25,
  DEPTH_TO_SPACE: 94,
  SPACE_TO_DEPTH: 19,
  MIRROR_PAD: 77,
  RESIZE_NEAREST_NEIGHBOR: 74,
  RESIZE_BILINEAR: 15,
  SELECT_V2: 98,
  ARG_MAX: 40,
  ARG_MIN: 57,
  CUMSUM: 102,
  L2_POOL_2D: 5,
  BATCH_MATMUL: 101,
  IF: 92,
  WHILE: 93,
  CALL_ONCE: 103,
  VAR_HANDLE: 111,
  READ_VARIABLE: 112,
  ASSIGN_VARIABLE: 113,
  L2_NORMALIZATION: 12,
};
