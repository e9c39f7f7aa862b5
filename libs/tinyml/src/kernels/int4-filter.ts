/**
 * INT4 filters (schema.fbs TensorType INT4) of FULLY_CONNECTED, CONV_2D and DEPTHWISE_CONV_2D: TFLM's Prepare
 * requests a scratch buffer of one int8 per filter element, and its Eval unpacks the filter into it
 * (tensor_utils::UnpackDenseInt4IntoInt8) before running the int8 kernel. The device figure counts that scratch;
 * the host unpacks once at prepare time (the filter is constant) and runs its int8 paths on the result.
 */
import type { TensorInfo } from '../model/model.types';
import type { PrepareContext } from './kernel.types';

/** Ops whose input 1 (the filter) TFLM's reference kernels accept as INT4, with int8 activations. */
export const INT4_FILTER_OPS: ReadonlySet<string> = new Set(['FULLY_CONNECTED', 'CONV_2D', 'DEPTHWISE_CONV_2D']);
export const INT4_FILTER_INPUT = 1;

/**
 * UnpackDenseInt4IntoInt8: `count` values packed two per byte, low nibble first, each sign-extended from 4 bits;
 * for an odd count the high nibble of the last byte is ignored.
 */
export function unpackDenseInt4IntoInt8(packed: ArrayLike<number>, count: number, out: Int8Array): Int8Array {
  for (let i = 0; i < count; i++) {
    const byte = packed[i >> 1] & 0xff;
    const nibble = i & 1 ? byte >> 4 : byte & 0x0f;
    out[i] = (nibble << 28) >> 28;
  }
  return out;
}

/**
 * The filter as int8 values: a view of an INT8 filter, or an INT4 filter unpacked (host-only) after requesting
 * the scratch buffer TFLM unpacks it into on the device. `filter` must be constant (the kernels check it).
 */
export function int8FilterValues(ctx: PrepareContext, filter: TensorInfo): Int8Array {
  const data = filter.data as Uint8Array;
  if (filter.dtype !== 'int4') return new Int8Array(data.buffer, data.byteOffset, filter.elementCount);
  ctx.requestScratch('int8', filter.elementCount, 'unpacked int4 filter');
  return ctx.hostOnly(
    unpackDenseInt4IntoInt8(data, filter.elementCount, new Int8Array(filter.elementCount)),
    'int4 filter unpacked once',
  );
}
