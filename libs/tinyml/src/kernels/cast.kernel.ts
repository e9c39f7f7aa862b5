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
  /** float32 -> int8/int16/int32: out-of-range and NaN inputs follow x86-64's conversion (see eval). */
  floatToInt: boolean;
  /** float32 -> uint32: converted through a 64-bit cvttss2si, so only |x| >= 2^63 is out of range. */
  floatToUint32: boolean;
}

/** x86-64's cvttss2si "integer indefinite": what a float outside the int32 range (or NaN) converts to. */
const INT32_INDEFINITE = -2147483648;
const TWO_POW_31 = 2147483648;
const TWO_POW_63 = 9223372036854775808;

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
    const fromFloat = input.dtype === 'float32';
    const floatToInt = fromFloat && ['int8', 'int16', 'int32'].includes(output.dtype);
    return { data: { count: input.elementCount, floatToInt, floatToUint32: fromFloat && output.dtype === 'uint32' } };
  },
  eval(d: CastData, io: KernelIo): void {
    const input = io.inputs[INPUT] as Float32Array;
    const output = io.outputs[OUTPUT];
    // Typed-array stores truncate toward zero and wrap modulo 2^n, which is static_cast for in-range values;
    // Float32Array stores round to float32 like the C++ conversion; a bool input is its 0/1 byte.
    if (d.floatToUint32) {
      // Below 2^63 in magnitude the low 32 bits of the exact truncation (the Uint32Array store's modulo); beyond,
      // the 64-bit "integer indefinite" 2^63, whose low 32 bits are 0. (Negative inputs can differ in builds where
      // GCC vectorizes the loop with a different conversion sequence.)
      for (let i = 0; i < d.count; i++) {
        const x = input[i];
        output[i] = x > -TWO_POW_63 && x < TWO_POW_63 ? x : 0;
      }
      return;
    }
    if (!d.floatToInt) {
      for (let i = 0; i < d.count; i++) output[i] = input[i];
      return;
    }
    // A float outside [-2^31, 2^31) or NaN is undefined behaviour in C++; the x86-64 reference host's cvttss2si /
    // cvttps2dq give INT32_MIN, whose low 8 / 16 bits (int8 / int16 outputs) are 0. The store keeps those bits.
    for (let i = 0; i < d.count; i++) {
      const x = input[i];
      output[i] = x >= -TWO_POW_31 && x < TWO_POW_31 ? x : INT32_INDEFINITE;
    }
  },
};
