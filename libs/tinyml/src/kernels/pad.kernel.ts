/**
 * PAD / PADV2 (pad.cc, pad_common.cc) with constant paddings, inputs of rank <= 5 (PadKernelMaxDimensionCount).
 * The pad value is PADV2's constant_values scalar (read at each invoke: TFLM allows a runtime tensor), else the
 * output zero point for int8 and 0 for float32, int16 and int32 (TFLM ignores an int16/int32 zero point here).
 * int8 requires the zero point in the int8 range, and a constant_values with the output's scale and zero point.
 */
import { typedView } from '../interpreter/tensor-view';
import { OP_DATA } from '../memory/device-layout';
import { scaleOf, zeroPointOf } from '../quant/quant-params';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

const INPUT = 0;
const PADDINGS = 1;
const CONSTANT_VALUES = 2;
const OUTPUT = 0;
const MAX_RANK = 5;

interface PadData {
  inShape: number[];
  before: number[];
  outStrides: number[];
  outputCount: number;
  inputCount: number;
  /** The pad value when it is fixed at prepare; null: read constant_values at every invoke. */
  padValue: number | null;
  counter: Int32Array;
}

export const padKernel: Kernel<PadData> = {
  op: 'PAD',
  types: ['float32', 'int8', 'int16', 'int32'],
  prepare(ctx: PrepareContext): Prepared<PadData> {
    const input = ctx.input(INPUT);
    const output = ctx.output(OUTPUT);
    if (input.dtype !== output.dtype) ctx.unsupported('mixed types');
    ctx.opData(OP_DATA.pad);
    const paddings = ctx.constantInt32(ctx.input(PADDINGS), 'paddings');
    const rank = input.shape.length;
    if (rank > MAX_RANK) ctx.fail(`rank ${rank} input (at most ${MAX_RANK})`);
    if (paddings.length !== rank * 2 || output.shape.length !== rank) ctx.fail('paddings do not match the input rank');
    const before: number[] = [];
    for (let i = 0; i < rank; i++) {
      const [lo, hi] = [paddings[2 * i], paddings[2 * i + 1]];
      if (lo < 0 || hi < 0 || input.shape[i] + lo + hi !== output.shape[i])
        ctx.fail(`padding of dimension ${i} invalid`);
      before.push(lo);
    }
    const outStrides = new Array<number>(rank).fill(1);
    for (let i = rank - 2; i >= 0; i--) outStrides[i] = outStrides[i + 1] * output.shape[i + 1];
    let padValue: number | null = input.dtype === 'int8' ? zeroPointOf(output) : 0;
    const constant = ctx.optionalInput(CONSTANT_VALUES);
    if (constant) {
      if (constant.dtype !== input.dtype || constant.elementCount !== 1)
        ctx.fail('constant_values must be a scalar of the input type');
      if (input.dtype === 'int8' && (zeroPointOf(constant) !== padValue || scaleOf(constant) !== scaleOf(output)))
        ctx.fail("constant_values must have the output's scale and zero point");
      padValue = constant.data
        ? typedView(
            input.dtype,
            constant.data.buffer as ArrayBuffer,
            constant.data.byteOffset,
            1,
            constant.byteLength,
          )[0]
        : null;
    } else if (input.dtype === 'int8' && (padValue < -128 || padValue > 127)) {
      ctx.fail(`output zero point ${padValue} is outside the int8 range`);
    }
    return {
      data: {
        inShape: input.shape,
        before,
        outStrides,
        outputCount: output.elementCount,
        inputCount: input.elementCount,
        padValue,
        counter: ctx.hostOnly(new Int32Array(rank), 'index counter'),
      },
    };
  },
  eval(d: PadData, io: KernelIo): void {
    const input = io.inputs[INPUT] as TensorData;
    const output = io.outputs[OUTPUT];
    output.fill(d.padValue ?? (io.inputs[CONSTANT_VALUES] as TensorData)[0]);
    const { inShape, before, outStrides, counter } = d;
    const rank = inShape.length;
    counter.fill(0);
    let o = 0;
    for (let k = 0; k < rank; k++) o += before[k] * outStrides[k];
    for (let i = 0; i < d.inputCount; i++) {
      output[o] = input[i];
      for (let k = rank - 1; k >= 0; k--) {
        counter[k]++;
        o += outStrides[k];
        if (counter[k] < inShape[k]) break;
        o -= outStrides[k] * counter[k];
        counter[k] = 0;
      }
    }
  },
};

export const padV2Kernel: Kernel<PadData> = {
  op: 'PADV2',
  types: ['float32', 'int8', 'int16', 'int32'],
  prepare: padKernel.prepare,
  eval: padKernel.eval,
};
