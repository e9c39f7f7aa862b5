/**
 * ELU (elu.cc): float32 reference_ops::Elu, x < 0 ? expm1f(x) : x (TfLiteExpm1 is std::expm1 on float: glibc's
 * expm1f, quant/libm-float32). int8: the 256-entry table of PopulateLookupTable, built at prepare time in float
 * exactly as the reference does (dequantize, expf(x) - 1 for x < 0, times 1 / output scale, round half away,
 * plus the output zero point, clamp); eval is one table lookup per element.
 */
import { OP_DATA } from '../memory/device-layout';
import { roundHalfAwayFromZero } from '../quant/fixed-point';
import { expf, expm1f } from '../quant/libm-float32';
import { scaleOf, zeroPointOf } from '../quant/quant-params';
import { INPUT, OUTPUT, unaryTensors } from './elementwise-common';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

const { fround: mathFround, max: mathMax, min: mathMin } = Math;

interface EluData {
  isFloat: boolean;
  count: number;
  /** int8: output for input value v at index v + 128 (TFLM indexes by the uint8 bit pattern; same table). */
  table: Int8Array;
}

function populateTable(
  table: Int8Array,
  inputScale: number,
  inputZeroPoint: number,
  outputScale: number,
  outputZeroPoint: number,
): void {
  const inverseScale = mathFround(1 / outputScale);
  for (let v = -128; v <= 127; v++) {
    const dequantized = mathFround(inputScale * (v - inputZeroPoint));
    const transformed = dequantized < 0 ? mathFround(expf(dequantized) - 1) : dequantized;
    const rescaled = roundHalfAwayFromZero(mathFround(transformed * inverseScale));
    const quantized = Math.trunc(mathFround(rescaled + outputZeroPoint));
    table[v + 128] = mathMax(mathMin(127, quantized), -128);
  }
}

export const eluKernel: Kernel<EluData> = {
  op: 'ELU',
  types: ['float32', 'int8'],
  prepare(ctx: PrepareContext): Prepared<EluData> {
    const { input, output } = unaryTensors(ctx, ['float32', 'int8']);
    // The table lives in the OpData TFLM's Init allocates for every type: the host copy is that memory.
    ctx.opData(OP_DATA.elu);
    const isFloat = input.dtype === 'float32';
    const table = new Int8Array(isFloat ? 0 : 256);
    if (!isFloat) {
      const outputScale = mathFround(scaleOf(output));
      if (!(outputScale > 0)) ctx.fail('int8 output needs a positive quantization scale');
      populateTable(table, mathFround(scaleOf(input)), zeroPointOf(input), outputScale, zeroPointOf(output));
    }
    return { data: { isFloat, count: input.elementCount, table } };
  },
  eval(d: EluData, io: KernelIo): void {
    const output = io.outputs[OUTPUT];
    if (d.isFloat) {
      const input = io.inputs[INPUT] as Float32Array;
      for (let i = 0; i < d.count; i++) {
        const x = input[i];
        output[i] = x < 0 ? expm1f(x) : x;
      }
      return;
    }
    const input = io.inputs[INPUT] as Int8Array;
    const { table } = d;
    for (let i = 0; i < d.count; i++) output[i] = table[input[i] + 128];
  },
};
