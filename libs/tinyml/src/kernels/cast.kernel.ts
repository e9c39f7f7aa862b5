/**
 * CAST (cast.cc CastEval): from int8/int16/int32/uint32/float32/bool to int8/int16/int32/uint32/float32, each
 * element a C++ static_cast (uint32 <-> int32 is what the TFLM audio front-ends use around their signal ops).
 * TFLM's Eval only logs other types (uint8 in or out, bool out) and leaves the output unwritten, so those pairs
 * are refused here. On the device: the parsed TfLiteCastParams only (cast.cc has no Init).
 */
import { BUILTIN_DATA } from '../memory/device-layout';
import { INPUT, OUTPUT } from './elementwise-common';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

/** CastEval's input cases and copyToTensor's output cases. */
const INPUT_TYPES = ['float32', 'int8', 'int16', 'int32', 'uint32', 'bool'];
const OUTPUT_TYPES = ['float32', 'int8', 'int16', 'int32', 'uint32'];

interface CastData {
  count: number;
}

export const castKernel: Kernel<CastData> = {
  op: 'CAST',
  types: INPUT_TYPES,
  prepare(ctx: PrepareContext): Prepared<CastData> {
    const input = ctx.input(INPUT);
    const output = ctx.output(OUTPUT);
    ctx.expectType(input, INPUT_TYPES, 'input');
    ctx.expectType(output, OUTPUT_TYPES, 'output');
    ctx.expectSameCount(input, output, 'input/output');
    ctx.builtinData(BUILTIN_DATA.cast);
    return { data: { count: input.elementCount } };
  },
  eval(d: CastData, io: KernelIo): void {
    const input = io.inputs[INPUT] as Float32Array;
    const output = io.outputs[OUTPUT];
    // Typed-array stores truncate toward zero and wrap modulo 2^n, which is static_cast for in-range values;
    // Float32Array stores round to float32 like the C++ conversion; a bool input is its 0/1 byte.
    for (let i = 0; i < d.count; i++) output[i] = input[i];
  },
};
