/**
 * FILL (fill.cc, reference_ops::Fill): every output element = the scalar `value` (input 1), float32, int8 or
 * int32 as TFLM's reference kernel. The output shape is static; a constant `dims` (input 0, int8/int16/int32/
 * int64) must equal it, as TFLM's Prepare checks; a runtime `dims` is not read (TFLM does not read it either).
 * No Init, no OpData, no builtin options.
 */
import { int64At } from './copy-common';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

const DIMS = 0;
const VALUE = 1;
const OUTPUT = 0;

interface FillData {
  count: number;
}

export const fillKernel: Kernel<FillData> = {
  op: 'FILL',
  types: ['float32', 'int8', 'int32'],
  prepare(ctx: PrepareContext): Prepared<FillData> {
    const dims = ctx.input(DIMS);
    const value = ctx.input(VALUE);
    const output = ctx.output(OUTPUT);
    if (value.shape.length !== 0) ctx.fail(`value must be a scalar, has shape [${value.shape}]`);
    if (value.dtype !== output.dtype) ctx.fail(`value ${value.dtype} and output ${output.dtype} differ`);
    if (dims.data) {
      if (dims.shape.length !== 1 || dims.elementCount !== output.shape.length)
        ctx.fail(`dims [${dims.shape}] does not list the ${output.shape.length} output dimensions`);
      const bytes = dims.data.slice();
      const view = new DataView(bytes.buffer);
      const at = (i: number): number => {
        switch (dims.dtype) {
          case 'int8':
            return view.getInt8(i);
          case 'int16':
            return view.getInt16(2 * i, true);
          case 'int32':
            return view.getInt32(4 * i, true);
          case 'int64':
            return int64At(bytes, i);
          default:
            return ctx.fail(`dims type ${dims.dtype}`);
        }
      };
      output.shape.forEach((d, i) => {
        if (at(i) !== d) ctx.fail(`dims[${i}] = ${at(i)}, output dimension ${d}`);
      });
    }
    return { data: { count: output.elementCount } };
  },
  eval(d: FillData, io: KernelIo): void {
    const value = (io.inputs[VALUE] as TensorData)[0];
    const output = io.outputs[OUTPUT];
    for (let i = 0; i < d.count; i++) output[i] = value;
  },
};
