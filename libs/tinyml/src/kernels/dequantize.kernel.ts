/**
 * DEQUANTIZE: int8/uint8/int16 -> float32 as float(scale * (q - zero_point)) with a double scale; and int8/int16
 * -> int32, the 2020 TF-tree kernel's Requantize (TFLM versions since refuse it; README "Types where TFLM
 * versions differ"): MultiplyByQuantizedMultiplier(q - input zero point) by input scale / output scale, plus
 * the output zero point.
 */
import { OP_DATA } from '../memory/device-layout';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../quant/fixed-point';
import { scaleOf, zeroPointOf } from '../quant/quant-params';
import { INPUT, OUTPUT } from './elementwise-common';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

// Bound once at load: looking up the global `Math` inside hot loops is slow in vm sandboxes (e.g. Jest).
const { fround: mathFround } = Math;

interface DequantizeData {
  count: number;
  scale: number;
  zeroPoint: number;
  /** The int32-output form's requantization; null for float32 outputs. */
  requantize: { multiplier: number; shift: number; outputZeroPoint: number } | null;
}

export const dequantizeKernel: Kernel<DequantizeData> = {
  op: 'DEQUANTIZE',
  types: ['int8', 'uint8', 'int16'],
  prepare(ctx: PrepareContext): Prepared<DequantizeData> {
    const input = ctx.input(INPUT);
    const output = ctx.output(OUTPUT);
    ctx.expectType(input, ['int8', 'uint8', 'int16'], 'input');
    ctx.expectType(output, input.dtype === 'uint8' ? ['float32'] : ['float32', 'int32'], 'output');
    ctx.expectSameCount(input, output, 'input/output');
    ctx.opData(OP_DATA.dequantize);
    let requantize: DequantizeData['requantize'] = null;
    if (output.dtype === 'int32') {
      if (!(scaleOf(output) > 0)) ctx.fail('an int32 output needs a positive scale');
      requantize = { ...quantizeMultiplier(scaleOf(input) / scaleOf(output)), outputZeroPoint: zeroPointOf(output) };
    }
    return { data: { count: input.elementCount, scale: scaleOf(input), zeroPoint: zeroPointOf(input), requantize } };
  },
  eval(d: DequantizeData, io: KernelIo): void {
    const input = io.inputs[INPUT] as Int8Array;
    const output = io.outputs[OUTPUT];
    const r = d.requantize;
    if (r === null) {
      for (let i = 0; i < d.count; i++) output[i] = mathFround(d.scale * (input[i] - d.zeroPoint));
      return;
    }
    // Requantize's clamp to the int32 range is a no-op; the int32 sum wraps as the C++ does.
    for (let i = 0; i < d.count; i++)
      output[i] =
        (multiplyByQuantizedMultiplier(input[i] - d.zeroPoint, r.multiplier, r.shift) + r.outputZeroPoint) | 0;
  },
};
