/**
 * SVDF as TFLM runs it (kernels/svdf_common.cc): a rank-decomposed 1-D convolution over time. Each invoke
 * shifts the activation state (a variable tensor of `memory_size` slots per filter) left by one, writes the
 * feature projection of the new input into each filter's last slot, takes the dot product of every filter's
 * memory with its time weights, sums `rank` filters per unit, adds the bias and requantizes (int8) or applies
 * the fused activation (float32). The state persists across invokes; Interpreter.reset() clears it.
 *
 * int8 input and output with int16 or int8 time weights and state (EvalIntegerSvdfReference<T>). Its two
 * multipliers are computed, like TFLM, from float32 products of the scales.
 *
 * Device memory, as PrepareSvdf: TfLiteSVDFParams, OpDataSvdf, and arena scratch for the per-filter time dot
 * products (batch x filters int32 or float32) plus, int8 only, the per-unit sums (batch x units int32).
 */
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../quant/fixed-point';
import { FLOAT_MAX, scaleOf, zeroPointOf } from '../quant/quant-params';
import type { TensorInfo } from '../model/model.types';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

const { fround: mathFround } = Math;

/** SVDFOptions in schema.fbs's BuiltinOptions union. */
const OPTIONS_TYPE = 6;
const INPUT = 0;
const WEIGHTS_FEATURE = 1;
const WEIGHTS_TIME = 2;
const BIAS = 3;
const STATE = 4;

interface Sizes {
  batches: number;
  inputSize: number;
  filters: number;
  units: number;
  rank: number;
  memory: number;
}

interface IntData {
  kind: 'int8';
  sizes: Sizes;
  weightsFeature: Int8Array;
  weightsTime: Int8Array | Int16Array;
  bias: Int32Array | null;
  inputZeroPoint: number;
  stateZeroPoint: number;
  outputZeroPoint: number;
  stateMin: number;
  stateMax: number;
  multiplier1: number;
  shift1: number;
  multiplier2: number;
  shift2: number;
  /** io.scratch indices: per-filter time dot products and per-unit sums (int32, batch-major). */
  scratch: number;
  scratchOutput: number;
}

interface FloatData {
  kind: 'float32';
  sizes: Sizes;
  weightsFeature: Float32Array;
  weightsTime: Float32Array;
  bias: Float32Array | null;
  activationMin: number;
  activationMax: number;
  /** io.scratch index of the per-filter time dot products (float32, batch-major). */
  scratch: number;
}

type SvdfData = IntData | FloatData;

function constantView<T>(ctx: PrepareContext, t: TensorInfo, make: (b: ArrayBuffer, o: number, n: number) => T): T {
  if (!t.data) ctx.unsupported(`tensor ${t.index} (${t.name}) must be constant`);
  return make(t.data.buffer as ArrayBuffer, t.data.byteOffset, t.elementCount);
}

export const svdfKernel: Kernel<SvdfData> = {
  op: 'SVDF',
  types: ['float32', 'int8'],
  prepare(ctx: PrepareContext): Prepared<SvdfData> {
    if (ctx.inputCount() !== 5 || ctx.node.outputs.length !== 1) ctx.fail('expects 5 inputs and 1 output');
    const options = ctx.options;
    if (!options) ctx.fail('missing options');
    if (ctx.node.builtinOptionsType !== OPTIONS_TYPE)
      ctx.fail(`builtin options type ${ctx.node.builtinOptionsType}, expected ${OPTIONS_TYPE}`);
    const rank = options.i32(0);
    const activation = options.u8(1);
    const input = ctx.input(INPUT);
    const weightsFeature = ctx.input(WEIGHTS_FEATURE);
    const weightsTime = ctx.input(WEIGHTS_TIME);
    const bias = ctx.optionalInput(BIAS);
    const state = ctx.input(STATE);
    const output = ctx.output(0);
    if (input.shape.length !== 2 || output.shape.length !== 2) ctx.fail('input and output must be rank 2');
    if (weightsFeature.shape.length !== 2 || weightsTime.shape.length !== 2 || state.shape.length !== 2)
      ctx.fail('weights and state must be rank 2');
    const [batches, inputSize] = input.shape;
    const filters = weightsFeature.shape[0];
    if (!(rank > 0) || filters % rank !== 0) ctx.fail(`rank ${rank} does not divide ${filters} filters`);
    const memory = weightsTime.shape[1];
    const sizes: Sizes = { batches, inputSize, filters, units: filters / rank, rank, memory };
    if (output.shape[0] !== batches || output.shape[1] !== sizes.units)
      ctx.fail(`output must be [${batches}, ${sizes.units}], got [${output.shape}]`);
    if (weightsFeature.shape[1] !== inputSize) ctx.fail('weights_feature does not match the input size');
    if (weightsTime.shape[0] !== filters) ctx.fail('weights_time does not match the filter count');
    if (bias && (bias.shape.length !== 1 || bias.shape[0] !== sizes.units)) ctx.fail(`bias must be [${sizes.units}]`);
    if (state.shape[0] !== batches || state.shape[1] !== memory * filters)
      ctx.fail(`activation state must be [${batches}, ${memory * filters}]`);
    if (!state.isVariable) ctx.fail('activation state must be a variable tensor');
    const macs = batches * filters * (inputSize + memory);
    ctx.builtinData(BUILTIN_DATA.svdf);
    ctx.opData(OP_DATA.svdf);

    if (input.dtype === 'float32') {
      for (const t of [weightsFeature, weightsTime, state, output, ...(bias ? [bias] : [])])
        ctx.expectType(t, ['float32'], `tensor ${t.index}`);
      // ActivationValFloat: NONE, RELU, RELU_N1_TO_1, RELU6 (TANH/SIGN_BIT are not fused into SVDF).
      const ranges: Record<number, [number, number]> = {
        0: [-FLOAT_MAX, FLOAT_MAX],
        1: [0, FLOAT_MAX],
        2: [-1, 1],
        3: [0, 6],
      };
      const range = ranges[activation];
      if (!range) ctx.unsupported(`fused activation ${activation}`);
      const f32 = (t: TensorInfo): Float32Array => constantView(ctx, t, (b, o, n) => new Float32Array(b, o, n));
      return {
        data: {
          kind: 'float32',
          sizes,
          weightsFeature: f32(weightsFeature),
          weightsTime: f32(weightsTime),
          bias: bias ? f32(bias) : null,
          activationMin: range[0],
          activationMax: range[1],
          scratch: ctx.requestScratch('float32', batches * filters, 'scratch'),
        },
        macs,
      };
    }

    ctx.expectType(input, ['int8'], 'input');
    ctx.expectType(output, ['int8'], 'output');
    ctx.expectType(weightsFeature, ['int8'], 'weights_feature');
    ctx.expectType(weightsTime, ['int8', 'int16'], 'weights_time');
    ctx.expectType(state, [weightsTime.dtype], 'activation state (same type as weights_time)');
    if (bias) ctx.expectType(bias, ['int32'], 'bias');
    for (const t of [input, weightsFeature, weightsTime, state, output])
      if (!(scaleOf(t) > 0)) ctx.unsupported(`tensor ${t.index} needs a positive scale`);
    // float32 arithmetic as in PrepareSvdf, then widened to double for QuantizeMultiplier.
    const scale1 = mathFround(mathFround(scaleOf(input) * scaleOf(weightsFeature)) / scaleOf(state));
    const scale2 = mathFround(mathFround(scaleOf(state) * scaleOf(weightsTime)) / scaleOf(output));
    const q1 = quantizeMultiplier(scale1);
    const q2 = quantizeMultiplier(scale2);
    const int16State = state.dtype === 'int16';
    return {
      data: {
        kind: 'int8',
        sizes,
        weightsFeature: constantView(ctx, weightsFeature, (b, o, n) => new Int8Array(b, o, n)),
        weightsTime: int16State
          ? constantView(ctx, weightsTime, (b, o, n) => new Int16Array(b, o, n))
          : constantView(ctx, weightsTime, (b, o, n) => new Int8Array(b, o, n)),
        bias: bias ? constantView(ctx, bias, (b, o, n) => new Int32Array(b, o, n)) : null,
        inputZeroPoint: zeroPointOf(input),
        stateZeroPoint: zeroPointOf(state),
        outputZeroPoint: zeroPointOf(output),
        stateMin: int16State ? -32768 : -128,
        stateMax: int16State ? 32767 : 127,
        multiplier1: q1.multiplier,
        shift1: q1.shift,
        multiplier2: q2.multiplier,
        shift2: q2.shift,
        scratch: ctx.requestScratch('int32', batches * filters, 'scratch'),
        scratchOutput: ctx.requestScratch('int32', batches * sizes.units, 'scratch_output'),
      },
      macs,
    };
  },
  eval(d: SvdfData, io: KernelIo): void {
    if (d.kind === 'int8') evalInt8(d, io);
    else evalFloat(d, io);
  },
};

function evalInt8(d: IntData, io: KernelIo): void {
  const input = io.inputs[INPUT] as Int8Array;
  const state = io.inputs[STATE] as Int8Array | Int16Array;
  const output = io.outputs[0] as Int8Array;
  const { batches, inputSize, filters, units, rank, memory } = d.sizes;
  const wf = d.weightsFeature;
  const wt = d.weightsTime;
  const scratch = io.scratch[d.scratch] as Int32Array;
  const sums = io.scratch[d.scratchOutput] as Int32Array;
  // Shift the whole state left by one slot; each filter's last slot is overwritten below.
  state.copyWithin(0, 1, batches * filters * memory);
  for (let b = 0; b < batches; b++) {
    const x = b * inputSize;
    for (let r = 0; r < filters; r++) {
      let dot = 0;
      const w = r * inputSize;
      for (let c = 0; c < inputSize; c++) dot += wf[w + c] * (input[x + c] - d.inputZeroPoint);
      // TFLM at 90b983c2 clamps to the state type's range first and adds the state zero point after, so
      // an int8 state wraps when the sum leaves [-128, 127] (the typed-array store wraps the same way).
      // Later TFLM versions add the zero point before the clamp; the recorded reference outputs need this.
      let v = multiplyByQuantizedMultiplier(dot | 0, d.multiplier1, d.shift1);
      v = v < d.stateMin ? d.stateMin : v > d.stateMax ? d.stateMax : v;
      state[(b * filters + r) * memory + memory - 1] = v + d.stateZeroPoint;
    }
  }
  for (let b = 0; b < batches; b++) {
    const s = b * memory * filters;
    const f0 = b * filters;
    for (let i = 0; i < filters; i++) {
      let dot = 0;
      for (let j = 0; j < memory; j++) dot += wt[i * memory + j] * (state[s + i * memory + j] - d.stateZeroPoint);
      scratch[f0 + i] = dot;
    }
    const u0 = b * units;
    for (let u = 0; u < units; u++) {
      let acc = d.bias ? d.bias[u] : 0;
      for (let j = 0; j < rank; j++) acc = (acc + scratch[f0 + u * rank + j]) | 0;
      sums[u0 + u] = acc;
    }
  }
  for (let k = 0; k < batches * units; k++) {
    const v = multiplyByQuantizedMultiplier(sums[k], d.multiplier2, d.shift2) + d.outputZeroPoint;
    output[k] = v < -128 ? -128 : v > 127 ? 127 : v;
  }
}

function evalFloat(d: FloatData, io: KernelIo): void {
  const fround = mathFround;
  const input = io.inputs[INPUT] as Float32Array;
  const state = io.inputs[STATE] as Float32Array;
  const output = io.outputs[0] as Float32Array;
  const { batches, inputSize, filters, units, rank, memory } = d.sizes;
  const wf = d.weightsFeature;
  const wt = d.weightsTime;
  const scratch = io.scratch[d.scratch] as Float32Array;
  state.copyWithin(0, 1, batches * filters * memory);
  for (let b = 0; b < batches; b++) {
    const x = b * inputSize;
    for (let r = 0; r < filters; r++) {
      let dot = 0;
      const w = r * inputSize;
      for (let c = 0; c < inputSize; c++) dot = fround(dot + fround(wf[w + c] * input[x + c]));
      state[(b * filters + r) * memory + memory - 1] = dot;
    }
  }
  for (let b = 0; b < batches; b++) {
    const s = b * memory * filters;
    const f0 = b * filters;
    for (let i = 0; i < filters; i++) {
      let dot = 0;
      for (let j = 0; j < memory; j++) dot = fround(dot + fround(wt[i * memory + j] * state[s + i * memory + j]));
      scratch[f0 + i] = dot;
    }
    for (let u = 0; u < units; u++) {
      let acc = d.bias ? d.bias[u] : 0;
      for (let j = 0; j < rank; j++) acc = fround(acc + scratch[f0 + u * rank + j]);
      output[b * units + u] = acc < d.activationMin ? d.activationMin : acc > d.activationMax ? d.activationMax : acc;
    }
  }
}
