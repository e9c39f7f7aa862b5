/**
 * BROADCAST_TO (broadcast_to.cc, reference_ops::BroadcastTo<5>): repeats the input along its size-1 dimensions
 * (and new leading ones) up to the constant `shape` (int32 or int64), at most 5 dimensions, for any element type
 * (TFLM copies raw bytes). prepare() checks what ValidateOutputTensor checks. No Init, no OpData, no options.
 */
import { constantIndexVector, sameShape, viewUnits } from './copy-common';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

const INPUT = 0;
const SHAPE = 1;
const OUTPUT = 0;
const MAX_DIMS = 5;

interface BroadcastToData {
  /** Output dimensions padded to 5 (leading 1s). */
  outShape: Int32Array;
  /** Input stride (in view elements) of each padded output dimension; 0 where the input is broadcast. */
  strides: Int32Array;
  /** View elements per tensor element (int64: 8). */
  unit: number;
  outputCount: number;
  counter: Int32Array;
}

export const broadcastToKernel: Kernel<BroadcastToData> = {
  op: 'BROADCAST_TO',
  types: ['float32', 'int8', 'uint8', 'int16', 'int32', 'uint32', 'bool', 'int64'],
  prepare(ctx: PrepareContext): Prepared<BroadcastToData> {
    const input = ctx.input(INPUT);
    const output = ctx.output(OUTPUT);
    if (output.dtype !== input.dtype) ctx.fail(`output ${output.dtype} differs from input ${input.dtype}`);
    const shape = constantIndexVector(ctx, SHAPE, 'shape');
    const inRank = input.shape.length;
    const outRank = shape.length;
    if (outRank > MAX_DIMS || inRank > MAX_DIMS) ctx.unsupported(`more than ${MAX_DIMS} dimensions`);
    if (inRank > outRank) ctx.fail(`input rank ${inRank} exceeds the target rank ${outRank}`);
    if (!sameShape(output.shape, shape)) ctx.fail(`output shape [${output.shape}] differs from shape [${shape}]`);
    const extra = outRank - inRank;
    input.shape.forEach((d, i) => {
      if (d !== 1 && d !== shape[extra + i])
        ctx.fail(`input dimension ${i} (${d}) cannot broadcast to ${shape[extra + i]}`);
    });
    const unit = viewUnits(input.dtype);
    const pad = MAX_DIMS - outRank;
    const outShape = Int32Array.from([...Array<number>(pad).fill(1), ...shape]);
    const inShape = [...Array<number>(MAX_DIMS - inRank).fill(1), ...input.shape];
    const strides = new Int32Array(MAX_DIMS);
    let stride = unit;
    for (let k = MAX_DIMS - 1; k >= 0; k--) {
      strides[k] = inShape[k] === 1 ? 0 : stride;
      stride *= inShape[k];
    }
    return {
      data: { outShape, strides, unit, outputCount: output.elementCount, counter: new Int32Array(MAX_DIMS) },
    };
  },
  eval(d: BroadcastToData, io: KernelIo): void {
    const input = io.inputs[INPUT] as TensorData;
    const output = io.outputs[OUTPUT];
    const { outShape, strides, unit, counter } = d;
    counter.fill(0);
    let src = 0;
    let o = 0;
    for (let n = 0; n < d.outputCount; n++) {
      for (let u = 0; u < unit; u++) output[o++] = input[src + u];
      // Next output multi-index, innermost first; src follows with the (broadcast) input strides.
      for (let k = MAX_DIMS - 1; k >= 0; k--) {
        counter[k]++;
        src += strides[k];
        if (counter[k] < outShape[k]) break;
        src -= strides[k] * counter[k];
        counter[k] = 0;
      }
    }
  },
};
