/**
 * SHAPE (shape.cc): writes the input's dimensions to an int32 vector (TFLM supports int32 output only); the input
 * data is not read, so any input type. The shape is static here, so prepare() computes it and eval() copies it.
 */
import { BUILTIN_DATA } from '../memory/device-layout';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

const INPUT = 0;
const OUTPUT = 0;

interface ShapeData {
  dims: Int32Array;
}

export const shapeKernel: Kernel<ShapeData> = {
  op: 'SHAPE',
  types: ['float32', 'int8', 'uint8', 'int16', 'int32', 'uint32', 'bool', 'int64'],
  prepare(ctx: PrepareContext): Prepared<ShapeData> {
    // ParseShape keeps TfLiteShapeParams (out_type) for every SHAPE op.
    ctx.builtinData(BUILTIN_DATA.shape);
    const input = ctx.input(INPUT);
    const output = ctx.output(OUTPUT);
    if (output.dtype !== 'int32') ctx.unsupported(`output type ${output.dtype} (int32 only)`, output.dtype);
    if (output.elementCount !== input.shape.length)
      ctx.fail(`output holds ${output.elementCount} values for a rank-${input.shape.length} input`);
    return { data: { dims: Int32Array.from(input.shape) }, macs: input.shape.length };
  },
  eval(d: ShapeData, io: KernelIo): void {
    const output = io.outputs[OUTPUT];
    for (let i = 0; i < d.dims.length; i++) output[i] = d.dims[i];
  },
};
