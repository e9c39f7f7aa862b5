import type { TensorData } from '../kernels/kernel.types';
import type { TensorInfo } from '../model/model.types';
import type { DType } from '../schema/tflite-schema';

/** An input or output tensor: a typed-array view into the arena plus its metadata. */
export interface TensorView {
  index: number;
  name: string;
  dtype: DType;
  shape: number[];
  /** First (per-tensor) quantization scale; 0 for float tensors. */
  scale: number;
  zeroPoint: number;
  /** Raw bytes of the tensor (same memory as `data`). */
  bytes: Uint8Array;
  data: TensorData;
}

export function typedView(
  dtype: DType,
  buffer: ArrayBuffer,
  byteOffset: number,
  elementCount: number,
  byteLength: number,
): TensorData {
  switch (dtype) {
    case 'int8':
      return new Int8Array(buffer, byteOffset, elementCount);
    case 'int4':
      // The packed bytes (TFLM's GetTensorData<int8_t> of an INT4 filter); kernels unpack them.
      return new Int8Array(buffer, byteOffset, byteLength);
    case 'int16':
      return new Int16Array(buffer, byteOffset, elementCount);
    case 'int32':
    case 'resource':
      return new Int32Array(buffer, byteOffset, elementCount);
    case 'float32':
      return new Float32Array(buffer, byteOffset, elementCount);
    case 'uint16':
      return new Uint16Array(buffer, byteOffset, elementCount);
    case 'uint32':
      return new Uint32Array(buffer, byteOffset, elementCount);
    default:
      // uint8, bool; int64 stays raw bytes (no kernel computes on it).
      return new Uint8Array(buffer, byteOffset, dtype === 'int64' || dtype === 'uint64' ? byteLength : elementCount);
  }
}

export function tensorMeta(t: TensorInfo): { scale: number; zeroPoint: number } {
  return { scale: t.quantization?.scales[0] ?? 0, zeroPoint: t.quantization?.zeroPoints[0] ?? 0 };
}
