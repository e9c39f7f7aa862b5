/**
 * ADD_N (add_n.cc, reference_ops::AddN): the elementwise sum of two or more same-shape inputs.
 * float32: x = 0, then x += each input in order, every add rounded to float.
 * int8 (all inputs one scale and zero point): each value (x - zero point) << 20 rescaled by 1/2, summed in int32
 * starting from the rescaled input offset itself (the reference's `x = input1_offset  // x = 0`, which is not 0
 * for a non-zero zero point), then requantized by 2 scale / (2^20 output scale) and clamped.
 * TFLM asks for a scratch buffer of one data pointer per input (4 bytes each on a 32-bit device).
 */
import { OP_DATA } from '../memory/device-layout';
import { quantizeMultiplier, roundingDivideByPOT, saturatingRoundingDoublingHighMul } from '../quant/fixed-point';
import { scaleOf, zeroPointOf } from '../quant/quant-params';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

const { fround: mathFround } = Math;

const LEFT_SHIFT = 20;

interface AddNData {
  isFloat: boolean;
  count: number;
  inputCount: number;
  inputOffset: number;
  outputOffset: number;
  inputMultiplier: number;
  inputShift: number;
  outputMultiplier: number;
  outputShift: number;
}

/** MultiplyByQuantizedMultiplierSmallerThanOneExp. */
function smallerThanOne(x: number, multiplier: number, shift: number): number {
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x, multiplier), -shift);
}

function prepare(ctx: PrepareContext): Prepared<AddNData> {
  const n = ctx.inputCount();
  if (n < 2) ctx.fail(`needs at least 2 inputs, got ${n}`);
  const first = ctx.input(0);
  const output = ctx.output(0);
  ctx.expectType(first, ['float32', 'int8'], 'input 0');
  if (output.dtype !== first.dtype) ctx.unsupported(`${first.dtype} -> ${output.dtype}`);
  ctx.expectSameCount(first, output, 'input/output');
  const isFloat = first.dtype === 'float32';
  for (let k = 1; k < n; k++) {
    const t = ctx.input(k);
    if (t.dtype !== first.dtype) ctx.unsupported(`input ${k} is ${t.dtype}, input 0 ${first.dtype}`);
    if (t.shape.length !== first.shape.length || t.shape.some((d, i) => d !== first.shape[i]))
      ctx.fail(`input ${k} shape [${t.shape}] differs from [${first.shape}]`);
    if (!isFloat && (zeroPointOf(t) !== zeroPointOf(first) || mathFround(scaleOf(t)) !== mathFround(scaleOf(first))))
      ctx.unsupported('int8 inputs need one scale and zero point');
  }
  const data: AddNData = {
    isFloat,
    count: output.elementCount,
    inputCount: n,
    inputOffset: 0,
    outputOffset: 0,
    inputMultiplier: 0,
    inputShift: 0,
    outputMultiplier: 0,
    outputShift: 0,
  };
  // CopyInputsToScratchBuffer's array of input data pointers (32-bit device pointers).
  ctx.requestScratch('int32', n, 'input data pointers');
  if (isFloat) return { data };
  ctx.opData(OP_DATA.addN);
  const inputScale = mathFround(scaleOf(first));
  const outputScale = mathFround(scaleOf(output));
  const twiceMaxInputScale = 2 * inputScale;
  const realOutput = twiceMaxInputScale / ((1 << LEFT_SHIFT) * outputScale);
  if (!(inputScale > 0) || !(realOutput > 0 && realOutput < 1))
    ctx.unsupported('int8 scales give an output multiplier outside (0, 1)');
  const qIn = quantizeMultiplier(inputScale / twiceMaxInputScale);
  const qOut = quantizeMultiplier(realOutput);
  data.inputOffset = -zeroPointOf(first);
  data.outputOffset = zeroPointOf(output);
  data.inputMultiplier = qIn.multiplier;
  data.inputShift = qIn.shift;
  data.outputMultiplier = qOut.multiplier;
  data.outputShift = qOut.shift;
  return { data };
}

function evalAddN(d: AddNData, io: KernelIo): void {
  const output = io.outputs[0];
  const inputs = io.inputs;
  if (d.isFloat) {
    for (let i = 0; i < d.count; i++) {
      let x = 0;
      for (let j = 0; j < d.inputCount; j++) x = mathFround(x + (inputs[j] as Float32Array)[i]);
      output[i] = x;
    }
    return;
  }
  const start = smallerThanOne(d.inputOffset * (1 << LEFT_SHIFT), d.inputMultiplier, d.inputShift);
  for (let i = 0; i < d.count; i++) {
    let scaled = start;
    for (let j = 0; j < d.inputCount; j++) {
      const y = d.inputOffset + (inputs[j] as Int8Array)[i];
      scaled = (scaled + smallerThanOne(y * (1 << LEFT_SHIFT), d.inputMultiplier, d.inputShift)) | 0;
    }
    const v = smallerThanOne(scaled, d.outputMultiplier, d.outputShift) + d.outputOffset;
    output[i] = v < -128 ? -128 : v > 127 ? 127 : v;
  }
}

export const addNKernel: Kernel<AddNData> = { op: 'ADD_N', types: ['float32', 'int8'], prepare, eval: evalAddN };
