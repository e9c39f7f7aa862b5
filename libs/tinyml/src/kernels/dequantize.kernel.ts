/** DEQUANTIZE: int8/uint8/int16 -> float32 as float(scale * (q - zero_point)) with a double scale. */
import { OP_DATA } from '../memory/device-layout';
import { scaleOf, zeroPointOf } from '../quant/quant-params';
import { INPUT, OUTPUT } from './elementwise-common';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

// Bound once at load: looking up the global `Math` inside hot loops is slow in vm sandboxes (e.g. Jest).
const { fround: mathFround } = Math;

interface DequantizeData {
  count: number;
  scale: number;
  zeroPoint: number;
}

export const dequantizeKernel: Kernel<DequantizeData> = {
  op: 'DEQUANTIZE',
  types: ['int8', 'uint8', 'int16'],
  prepare(ctx: PrepareContext): Prepared<DequantizeData> {
    const input = ctx.input(INPUT);
    const output = ctx.output(OUTPUT);
    ctx.expectType(input, ['int8', 'uint8', 'int16'], 'input');
    ctx.expectType(output, ['float32'], 'output');
    ctx.expectSameCount(input, output, 'input/output');
    ctx.opData(OP_DATA.dequantize);
    return { data: { count: input.elementCount, scale: scaleOf(input), zeroPoint: zeroPointOf(input) } };
  },
  eval(d: DequantizeData, io: KernelIo): void {
    const input = io.inputs[INPUT] as Int8Array;
    const output = io.outputs[OUTPUT];
    for (let i = 0; i < d.count; i++) output[i] = mathFround(d.scale * (input[i] - d.zeroPoint));
  },
};
