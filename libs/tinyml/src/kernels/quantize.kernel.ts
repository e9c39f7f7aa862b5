/**
 * QUANTIZE (quantize_common.cc EvalQuantizeReference): float32 -> int8/int16 (AffineQuantize) and the integer
 * requantizations (Requantize) its Eval has a case for: int8 -> int8/uint8/int16/int32, int16 -> int8/int16/int32,
 * int32 -> int8/int16 and uint8 -> int8. Any other pair fails TFLM's Eval, so it is refused here at prepare.
 */
import { OP_DATA } from '../memory/device-layout';
import { multiplyByQuantizedMultiplier, quantizeMultiplier, roundHalfAwayFromZero } from '../quant/fixed-point';
import { scaleOf, typeRange, zeroPointOf } from '../quant/quant-params';
import { INPUT, OUTPUT } from './elementwise-common';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

// Bound once at load: looking up the global `Math` inside hot loops is slow in vm sandboxes (e.g. Jest).
const { fround: mathFround } = Math;

/** Output types per input type, as EvalQuantizeReference's switches. */
const OUTPUT_TYPES: Readonly<Record<string, readonly string[]>> = {
  float32: ['int8', 'int16'],
  int8: ['int8', 'uint8', 'int16', 'int32'],
  uint8: ['int8'],
  int16: ['int8', 'int16', 'int32'],
  int32: ['int8', 'int16'],
};

interface QuantizeData {
  fromFloat: boolean;
  count: number;
  scale: number;
  inputZeroPoint: number;
  outputZeroPoint: number;
  multiplier: number;
  shift: number;
  min: number;
  max: number;
}

export const quantizeKernel: Kernel<QuantizeData> = {
  op: 'QUANTIZE',
  types: ['float32', 'int8', 'uint8', 'int16', 'int32'],
  prepare(ctx: PrepareContext): Prepared<QuantizeData> {
    const input = ctx.input(INPUT);
    const output = ctx.output(OUTPUT);
    ctx.expectType(input, ['float32', 'int8', 'uint8', 'int16', 'int32'], 'input');
    ctx.expectType(output, OUTPUT_TYPES[input.dtype], 'output');
    ctx.expectSameCount(input, output, 'input/output');
    if (!(scaleOf(output) > 0)) ctx.fail('output needs a positive scale');
    const fromFloat = input.dtype === 'float32';
    ctx.opData(OP_DATA.quantize);
    const q = fromFloat ? { multiplier: 0, shift: 0 } : quantizeMultiplier(scaleOf(input) / scaleOf(output));
    const [min, max] = typeRange(output.dtype);
    return {
      data: {
        fromFloat,
        count: input.elementCount,
        scale: mathFround(scaleOf(output)),
        inputZeroPoint: zeroPointOf(input),
        outputZeroPoint: zeroPointOf(output),
        multiplier: q.multiplier,
        shift: q.shift,
        min,
        max,
      },
    };
  },
  eval(d: QuantizeData, io: KernelIo): void {
    const input = io.inputs[INPUT] as Float32Array | Int8Array | Int32Array;
    const output = io.outputs[OUTPUT];
    const { min, max, outputZeroPoint } = d;
    for (let i = 0; i < d.count; i++) {
      let v = d.fromFloat
        ? roundHalfAwayFromZero(mathFround(input[i] / d.scale)) + outputZeroPoint
        : // int32 arithmetic: an int32 input minus its zero point wraps as in C++.
          multiplyByQuantizedMultiplier((input[i] - d.inputZeroPoint) | 0, d.multiplier, d.shift) + outputZeroPoint;
      if (v < min) v = min;
      else if (v > max) v = max;
      output[i] = v;
    }
  },
};
