/**
 * CUMSUM (cumsum.cc, reference_ops::CumSum): running sums along `axis`, optionally exclusive (each output is the
 * sum before its element) and / or reversed. float32 accumulates in float32 in the reference's order; int8 follows
 * the quantized reference: every input (and the starting accumulator, the input offset) is shifted left by 20 and
 * halved by a Q31 multiplier, summed in int32 (wrapping as the C++ int32 would) and requantized with
 * 2 * input scale / (2^20 * output scale) (QuantizeMultiplierSmallerThanOneExp: it must be < 1, as TFLM checks).
 * Prepare allocates the int8 OpData (9 ints) in the arena; ParseCumsum keeps TfLiteCumsumParams. The axis may be a
 * runtime tensor, read per invoke (InvokeError outside the rank, as TFLM's Eval refuses it).
 */
import { BUILTIN_DATA } from '../memory/device-layout';
import type { OperatorInfo } from '../model/model.types';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../quant/fixed-point';
import { scaleOf, zeroPointOf } from '../quant/quant-params';
import { dimsProduct, sameShape } from './copy-common';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';
import { invokeFailure } from './kernel.types';

const { fround: f32, max, min } = Math;
const INPUT = 0;
const AXIS = 1;
const OUTPUT = 0;
const OPT = { exclusive: 0, reverse: 1 };
const LEFT_SHIFT = 20;

interface CumsumData {
  node: OperatorInfo;
  shape: number[];
  exclusive: boolean;
  reverse: boolean;
  /** int8 only (null for float32): the requantization parameters of TFLM's OpData. */
  quant: {
    inputOffset: number;
    outputOffset: number;
    inputMultiplier: number;
    inputShift: number;
    outputMultiplier: number;
    outputShift: number;
  } | null;
}

export const cumsumKernel: Kernel<CumsumData> = {
  op: 'CUMSUM',
  types: ['float32', 'int8'],
  prepare(ctx: PrepareContext): Prepared<CumsumData> {
    ctx.builtinData(BUILTIN_DATA.cumsum);
    const input = ctx.input(INPUT);
    const axis = ctx.input(AXIS);
    const output = ctx.output(OUTPUT);
    ctx.expectType(axis, ['int32'], 'axis');
    if (axis.elementCount !== 1) ctx.fail(`axis must hold one value, has ${axis.elementCount}`);
    if (input.shape.length < 1) ctx.fail('input must have at least one dimension');
    if (output.dtype !== input.dtype || !sameShape(output.shape, input.shape))
      ctx.fail(`output ${output.dtype} [${output.shape}] differs from input ${input.dtype} [${input.shape}]`);
    let quant: CumsumData['quant'] = null;
    if (input.dtype === 'int8') {
      ctx.persistentArray('int32', 9, 'OpData (int8 requantization)');
      const twiceMaxInputScale = 2 * scaleOf(input);
      const inputReal = scaleOf(input) / twiceMaxInputScale;
      const outputReal = twiceMaxInputScale / ((1 << LEFT_SHIFT) * scaleOf(output));
      if (!(outputReal > 0 && outputReal < 1)) ctx.unsupported(`output rescale ${outputReal} (must be in (0, 1))`);
      const qi = quantizeMultiplier(inputReal);
      const qo = quantizeMultiplier(outputReal);
      quant = {
        inputOffset: -zeroPointOf(input),
        outputOffset: zeroPointOf(output),
        inputMultiplier: qi.multiplier,
        inputShift: qi.shift,
        outputMultiplier: qo.multiplier,
        outputShift: qo.shift,
      };
    }
    return {
      data: {
        node: ctx.node,
        shape: [...input.shape],
        exclusive: ctx.options?.bool(OPT.exclusive) ?? false,
        reverse: ctx.options?.bool(OPT.reverse) ?? false,
        quant,
      },
    };
  },
  eval(d: CumsumData, io: KernelIo): void {
    const input = io.inputs[INPUT] as TensorData;
    const output = io.outputs[OUTPUT];
    const rank = d.shape.length;
    let axis = (io.inputs[AXIS] as Int32Array)[0];
    if (axis < 0) axis += rank;
    if (!(axis >= 0 && axis < rank)) invokeFailure(d.node, `axis ${axis} outside the input rank ${rank}`);
    // The reference's names: `inner` = dimensions before the axis, `outer` = after it.
    const inner = dimsProduct(d.shape, 0, axis);
    const outer = dimsProduct(d.shape, axis + 1, rank);
    const depth = d.shape[axis];
    const { exclusive, reverse, quant: q } = d;
    for (let oi = 0; oi < outer; oi++) {
      const o = reverse ? outer - 1 - oi : oi;
      for (let ii = 0; ii < inner; ii++) {
        const i = reverse ? inner - 1 - ii : ii;
        let acc =
          q === null
            ? 0
            : multiplyByQuantizedMultiplier(q.inputOffset * (1 << LEFT_SHIFT), q.inputMultiplier, q.inputShift);
        for (let di = 0; di < depth; di++) {
          const index = o + i * depth * outer + (reverse ? depth - 1 - di : di) * outer;
          if (q === null) {
            if (exclusive) {
              output[index] = acc;
              acc = f32(acc + input[index]);
            } else {
              acc = f32(acc + input[index]);
              output[index] = acc;
            }
            continue;
          }
          const scaled = multiplyByQuantizedMultiplier(
            (q.inputOffset + input[index]) * (1 << LEFT_SHIFT),
            q.inputMultiplier,
            q.inputShift,
          );
          let total: number;
          if (exclusive) {
            total = acc;
            acc = (acc + scaled) | 0;
          } else {
            acc = (acc + scaled) | 0;
            total = acc;
          }
          const raw = multiplyByQuantizedMultiplier(total, q.outputMultiplier, q.outputShift) + q.outputOffset;
          output[index] = min(127, max(-128, raw));
        }
      }
    }
  },
};
