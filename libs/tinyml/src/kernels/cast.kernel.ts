/**
 * CAST between int8/uint8/int16/int32/uint32/float32/bool with C++ static_cast semantics (uint32 <-> int32 is
 * what the TFLM audio front-ends use around their signal ops). On the device: the parsed TfLiteCastParams only
 * (cast.cc has no Init).
 */
import { BUILTIN_DATA } from '../memory/device-layout';
import { INPUT, OUTPUT } from './elementwise-common';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

const TYPES = ['int8', 'uint8', 'int16', 'int32', 'uint32', 'float32', 'bool'];

interface CastData {
  count: number;
  toBool: boolean;
  toFloat: boolean;
}

export const castKernel: Kernel<CastData> = {
  op: 'CAST',
  types: ['float32', 'int8', 'uint8', 'int16', 'int32', 'uint32', 'bool'],
  prepare(ctx: PrepareContext): Prepared<CastData> {
    const input = ctx.input(INPUT);
    const output = ctx.output(OUTPUT);
    ctx.expectType(input, TYPES, 'input');
    ctx.expectType(output, TYPES, 'output');
    ctx.expectSameCount(input, output, 'input/output');
    ctx.builtinData(BUILTIN_DATA.cast);
    return {
      data: { count: input.elementCount, toBool: output.dtype === 'bool', toFloat: output.dtype === 'float32' },
    };
  },
  eval(d: CastData, io: KernelIo): void {
    const input = io.inputs[INPUT] as Float32Array;
    const output = io.outputs[OUTPUT];
    // Typed-array stores truncate toward zero and wrap modulo 2^n, which is static_cast for in-range values;
    // Float32Array stores round to float32 like the C++ conversion.
    if (d.toBool) for (let i = 0; i < d.count; i++) output[i] = input[i] !== 0 ? 1 : 0;
    else for (let i = 0; i < d.count; i++) output[i] = input[i];
  },
};
