/**
 * HARD_SWISH (hard_swish.cc). float32: reference_ops::HardSwish<float>, x * min(6, max(0, x + 3)) / 6, each
 * operation rounded to float in that order. int8: reference_ops::HardSwish<int8_t> on the HardSwishParams that
 * HardSwishPrepare computes (hard_swish_common.cc), all in int16 fixed point: the input minus its zero point on a
 * "high-res" scale (<< 7), once rescaled to the output scale (before the final shift) and once to the "relu-ish"
 * scale where 3.0 is 32768, saturated to [-1, 1] and mapped to [0, 1], then the truncating high multiply of the
 * two, the output shift and the output zero point.
 */
import { OP_DATA } from '../memory/device-layout';
import { quantizeMultiplier } from '../quant/fixed-point';
import {
  downScaleInt32ToInt16Multiplier,
  roundingDivideByPOTInt16,
  saturatingDoublingHighMulInt16,
  saturatingLeftShiftInt16,
  saturatingRoundingDoublingHighMulInt16,
  wrapInt16,
} from '../quant/fixed-point-int16';
import { scaleOf, zeroPointOf } from '../quant/quant-params';
import { INPUT, OUTPUT, unaryTensors } from './elementwise-common';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

const { fround: mathFround, max: mathMax, min: mathMin } = Math;

/** The relu-ish scale: real 3.0 is int16 32768 (hard_swish_common.cc's reluish_scale, a float). */
const RELUISH_SCALE = mathFround(3 / 32768);

export function hardSwishFloat(x: number): number {
  const relu6 = mathMin(6, mathMax(0, mathFround(x + 3)));
  return mathFround(mathFround(x * relu6) / 6);
}

/** HardSwishParams (kernels/internal/types.h), for int8; unused for float32. */
interface HardSwishData {
  isFloat: boolean;
  count: number;
  inputZeroPoint: number;
  outputZeroPoint: number;
  reluishMultiplier: number;
  reluishExponent: number;
  outputMultiplier: number;
  outputExponent: number;
}

/** reference_ops::HardSwish<int8_t> for one input value; int16 intermediates as the reference stores them. */
function hardSwishInt8(d: HardSwishData, x: number): number {
  const inputOnHiresScale = (x - d.inputZeroPoint) * 128;
  const inputOnPreshiftOutputScale = saturatingRoundingDoublingHighMulInt16(inputOnHiresScale, d.outputMultiplier);
  let reluish = inputOnHiresScale;
  // Saturate only on the last bit of a left shift, so that saturation earlier cannot change the result.
  if (d.reluishExponent > 0) reluish = saturatingLeftShiftInt16(reluish, d.reluishExponent - 1);
  reluish = saturatingRoundingDoublingHighMulInt16(reluish, d.reluishMultiplier);
  if (d.reluishExponent > 0) reluish = saturatingLeftShiftInt16(reluish, 1);
  if (d.reluishExponent < 0) reluish = roundingDivideByPOTInt16(reluish, -d.reluishExponent);
  // [-1, 1] on the relu-ish scale -> [0, 1] in Q15.
  reluish = (reluish + 32768) >> 1;
  const preshiftOutput = saturatingDoublingHighMulInt16(reluish, inputOnPreshiftOutputScale);
  // `output_value += output_zero_point` stores into an int16_t before the clamp.
  const out = wrapInt16(roundingDivideByPOTInt16(preshiftOutput, -d.outputExponent) + d.outputZeroPoint);
  return out > 127 ? 127 : out < -128 ? -128 : out;
}

function prepareHardSwish(ctx: PrepareContext): Prepared<HardSwishData> {
  const { input, output } = unaryTensors(ctx, ['float32', 'int8']);
  ctx.opData(OP_DATA.hardSwish);
  const data: HardSwishData = {
    isFloat: input.dtype === 'float32',
    count: input.elementCount,
    inputZeroPoint: 0,
    outputZeroPoint: 0,
    reluishMultiplier: 0,
    reluishExponent: 0,
    outputMultiplier: 0,
    outputExponent: 0,
  };
  if (data.isFloat) return { data };
  const inputScale = mathFround(scaleOf(input));
  const outputScale = mathFround(scaleOf(output));
  if (!(inputScale > 0 && outputScale > 0)) ctx.fail('int8 HARD_SWISH needs positive quantization scales');
  // HardSwishPrepare's float expressions, then QuantizeMultiplier on their double values.
  const hiresInputScale = mathFround(mathFround(1 / 128) * inputScale);
  const out = quantizeMultiplier(mathFround(hiresInputScale / outputScale));
  // TF_LITE_ENSURE(output_multiplier_exponent <= 0): TFLM's Prepare fails, so the model cannot run there either.
  if (out.shift > 0) ctx.unsupported(`input scale / output scale ${inputScale / outputScale} >= 128`);
  const reluish = quantizeMultiplier(mathFround(hiresInputScale / RELUISH_SCALE));
  data.inputZeroPoint = zeroPointOf(input);
  data.outputZeroPoint = zeroPointOf(output);
  data.outputMultiplier = downScaleInt32ToInt16Multiplier(out.multiplier);
  data.outputExponent = out.shift;
  data.reluishMultiplier = downScaleInt32ToInt16Multiplier(reluish.multiplier);
  data.reluishExponent = reluish.shift;
  return { data };
}

export const hardSwishKernel: Kernel<HardSwishData> = {
  op: 'HARD_SWISH',
  types: ['float32', 'int8'],
  prepare: prepareHardSwish,
  eval(d: HardSwishData, io: KernelIo): void {
    const output = io.outputs[OUTPUT];
    if (d.isFloat) {
      const input = io.inputs[INPUT] as Float32Array;
      for (let i = 0; i < d.count; i++) output[i] = hardSwishFloat(input[i]);
      return;
    }
    const input = io.inputs[INPUT] as Int8Array;
    for (let i = 0; i < d.count; i++) output[i] = hardSwishInt8(d, input[i]);
  },
};
