/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM as TFLM runs it (kernels/unidirectional_sequence_lstm.cc, lstm_eval.h):
 * the standard LSTM (no peephole, projection or layer norm), float32, int8x8->16 or 16x8->16 integer.
 *
 * Per time step, each gate is FC(input) + FC(previous hidden) then sigmoid (tanh for the cell gate):
 * forget, input and cell gates; cell = forget * cell + input * cell_gate (clipped to cell_clip); output gate;
 * hidden = tanh(cell) * output_gate, which is also the step's output. The hidden and cell state are variable
 * tensors: they persist across invokes (Interpreter.reset() zeroes them).
 *
 * Integer paths: gate pre-activations are int16 Q3.12 (scale 2^-12) and gate outputs Q0.15; the FCs requantize
 * their sums with each gate's (input scale x weight scale / 2^-12) multiplier, the int16 LUT sigmoid/tanh of
 * reference_integer_ops follow, and the element-wise products requantize with the multipliers of
 * CreateInterGateMulParams.
 *
 * 16x8 (int16 input / hidden state / output, int8 weights, int64 bias): the same gate and cell maths; only the
 * FCs differ, as reference_integer_ops::FullyConnected<int16_t, ..., int64_t> does them: an int64 accumulator
 * (exact here, so no int32 wrap) requantized by the int64 MultiplyByQuantizedMultiplier, without input offsets;
 * and the hidden state saturates to int16.
 *
 * Device memory, as TFLM's kernel: the parsed options, OpDataLSTM (Init), and four scratch buffers of
 * batch x units cell-type values (Prepare's RequestScratchBufferInArena) for the gate outputs; tanh(cell) needs
 * no fifth buffer. The per-row zero-point constants folded into the FC sums (and the int64 biases as doubles)
 * are host-only.
 *
 * Length (~430 lines): one file per op, and TFLM's one registration covers all three type paths; they share the
 * prepare checks, the step loop and the gate / cell maths.
 */
import {
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierInt64,
  quantizeMultiplier,
} from '../quant/fixed-point';
import { TanhInt16Params, sigmoidInt16, tanhInt16, tanhInt16Params } from '../quant/int16-activations';
import { tanhf } from '../quant/libm-float32';
import { scaleOf, zeroPointOf } from '../quant/quant-params';
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import type { TensorInfo } from '../model/model.types';
import { int64Bias } from './conv-common';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';
import { logisticFloat } from './logistic.kernel';

const { fround: mathFround } = Math;

/** UnidirectionalSequenceLSTMOptions in schema.fbs's BuiltinOptions union. */
const OPTIONS_TYPE = 71;
const ACTIVATION_TANH = 4;
const IN = { input: 0, inputWeights: [1, 2, 3, 4], recurrentWeights: [5, 6, 7, 8], biases: [12, 13, 14, 15] };
const HIDDEN = 18;
const CELL = 19;
/** Inputs of the LSTM variants TFLM's kernel rejects: peephole 9-11, projection 16-17, layer norm 20-23. */
const VARIANT_INPUTS = [9, 10, 11, 16, 17, 20, 21, 22, 23];
// Gate order of the four weight / bias groups in the op's inputs (lstm_shared.h).
const GATE_INPUT = 0;
const GATE_FORGET = 1;
const GATE_CELL = 2;
const GATE_OUTPUT = 3;

/**
 * Gate pre-activation scale (TFLM's float constant 0.00024414062, which is exactly 2^-12 as a float) and gate
 * output scale, exactly 2^-15: the recorded cell states of dtln only match with the exact power of two (the
 * float nearest 0.00003051757 moves one cell-state value by one step).
 */
const GATE_INPUT_SCALE = mathFround(0.00024414062);
const GATE_OUTPUT_SCALE = 2 ** -15;

interface Sizes {
  batches: number;
  steps: number;
  inputSize: number;
  units: number;
  timeMajor: boolean;
}

interface IntGate {
  inWeights: Int8Array;
  recWeights: Int8Array;
  /** bias + input_offset * row sum of the input weights, per unit (exact integers up to 2^53; host-only). */
  inRowConstant: Float64Array;
  /** hidden_offset * row sum of the recurrent weights (recurrent FCs have no bias). */
  recRowConstant: Float64Array;
  inMultiplier: number;
  inShift: number;
  recMultiplier: number;
  recShift: number;
}

interface IntMul {
  multiplier: number;
  shift: number;
}

interface IntData {
  kind: 'integer';
  /** 16x8: int16 activations, int64 accumulators (else int8 activations, int32 accumulators). */
  wide: boolean;
  sizes: Sizes;
  gates: IntGate[];
  forgetCell: IntMul;
  inputCell: IntMul;
  output: IntMul;
  hiddenZeroPoint: number;
  /** Saturation range of the hidden state: the activation type's. */
  hiddenMin: number;
  hiddenMax: number;
  cellClip: number;
  tanh: TanhInt16Params;
  /** io.scratch indices of the int16 gate outputs: forget, input, cell, output (TFLM's buffer0..3). */
  buffers: number[];
}

interface FloatGate {
  inWeights: Float32Array;
  recWeights: Float32Array;
  bias: Float32Array;
}

interface FloatData {
  kind: 'float32';
  sizes: Sizes;
  gates: FloatGate[];
  cellClip: number;
  /** io.scratch indices of the float32 gate outputs: forget, input, cell, output. */
  buffers: number[];
}

type LstmData = IntData | FloatData;

export const unidirectionalSequenceLstmKernel: Kernel<LstmData> = {
  op: 'UNIDIRECTIONAL_SEQUENCE_LSTM',
  types: ['float32', 'int8', 'int16'],
  prepare(ctx: PrepareContext): Prepared<LstmData> {
    if (ctx.inputCount() !== 24 || ctx.node.outputs.length !== 1) ctx.fail('expects 24 inputs and 1 output');
    const options = ctx.options;
    if (!options) ctx.fail('missing options');
    if (ctx.node.builtinOptionsType !== OPTIONS_TYPE)
      ctx.fail(`builtin options type ${ctx.node.builtinOptionsType}, expected ${OPTIONS_TYPE}`);
    const activation = options.u8(0);
    if (activation !== ACTIVATION_TANH) ctx.unsupported(`cell gate activation ${activation} (only TANH)`);
    const cellClip = options.f32(1);
    const timeMajor = options.bool(3);
    for (const k of VARIANT_INPUTS)
      if (ctx.optionalInput(k))
        ctx.unsupported(`input ${k} is set: peephole, projection and layer-norm LSTMs are not supported`);

    const input = ctx.input(IN.input);
    const hidden = ctx.input(HIDDEN);
    const cell = ctx.input(CELL);
    const output = ctx.output(0);
    if (!hidden.isVariable || !cell.isVariable) ctx.fail('hidden and cell state must be variable tensors');
    if (input.shape.length !== 3 || output.shape.length !== 3) ctx.fail('input and output must be rank 3');
    if (hidden.shape.length < 1) ctx.fail('hidden state needs a shape');
    const units = hidden.shape[hidden.shape.length - 1];
    const sizes: Sizes = {
      batches: timeMajor ? input.shape[1] : input.shape[0],
      steps: timeMajor ? input.shape[0] : input.shape[1],
      inputSize: input.shape[2],
      units,
      timeMajor,
    };
    if (hidden.elementCount !== sizes.batches * units || cell.elementCount !== sizes.batches * units)
      ctx.fail('state tensors must hold batch x units values');
    if (output.shape[0] !== input.shape[0] || output.shape[1] !== input.shape[1] || output.shape[2] !== units)
      ctx.fail(`output shape [${output.shape}] does not match input [${input.shape}] and ${units} units`);
    const weights = (ids: number[], cols: number): TensorInfo[] =>
      ids.map((k) => {
        const w = ctx.input(k);
        if (!w.data) ctx.unsupported(`weights (input ${k}) must be constant`);
        if (w.shape.length !== 2 || w.shape[0] !== units || w.shape[1] !== cols)
          ctx.fail(`weights (input ${k}) must be [${units}, ${cols}], got [${w.shape}]`);
        return w;
      });
    const inW = weights(IN.inputWeights, sizes.inputSize);
    const recW = weights(IN.recurrentWeights, units);
    const biases = IN.biases.map((k) => {
      const b = ctx.input(k);
      if (!b.data) ctx.unsupported(`bias (input ${k}) must be constant`);
      if (b.shape.length !== 1 || b.shape[0] !== units) ctx.fail(`bias (input ${k}) must be [${units}]`);
      return b;
    });
    const macs = sizes.batches * sizes.steps * 4 * units * (sizes.inputSize + units);
    ctx.builtinData(BUILTIN_DATA.unidirectionalSequenceLstm);
    ctx.opData(OP_DATA.lstm);
    const gateBuffers = (dtype: 'int16' | 'float32'): number[] =>
      ['buffer0', 'buffer1', 'buffer2', 'buffer3'].map((what) =>
        ctx.requestScratch(dtype, sizes.batches * units, what),
      );

    if (input.dtype === 'float32') {
      for (const t of [output, hidden, cell, ...inW, ...recW, ...biases])
        ctx.expectType(t, ['float32'], `tensor ${t.index}`);
      const f32 = (t: TensorInfo): Float32Array =>
        new Float32Array((t.data as Uint8Array).buffer, (t.data as Uint8Array).byteOffset, t.elementCount);
      const gates = [0, 1, 2, 3].map((g) => ({
        inWeights: f32(inW[g]),
        recWeights: f32(recW[g]),
        bias: f32(biases[g]),
      }));
      return { data: { kind: 'float32', sizes, gates, cellClip, buffers: gateBuffers('float32') }, macs };
    }

    // TFLM's Eval picks EvalLstm<int8, int8, int16, int32> or <int16, int8, int16, int64> by the input type.
    const wide = input.dtype === 'int16';
    const actType = wide ? 'int16' : 'int8';
    ctx.expectType(input, [actType], 'input');
    ctx.expectType(output, [actType], 'output (the input type)');
    ctx.expectType(hidden, [actType], 'hidden state (the input type)');
    ctx.expectType(cell, ['int16'], 'cell state (integer LSTMs need an int16 cell state)');
    for (const w of [...inW, ...recW]) ctx.expectType(w, ['int8'], `weights ${w.index}`);
    for (const b of biases) ctx.expectType(b, [wide ? 'int64' : 'int32'], `bias ${b.index}`);
    for (const t of [input, hidden, cell, ...inW, ...recW])
      if ((t.quantization?.scales.length ?? 0) !== 1 || !(scaleOf(t) > 0))
        ctx.unsupported(`tensor ${t.index} needs one positive per-tensor scale`);
    // reference_integer_ops::FullyConnected for int16 input has no input offset (int16 activations are meant to be
    // symmetric): TFLM ignores an int16 input or hidden zero point in the FCs; the hidden-state Mul still adds it.
    const inputOffset = wide ? 0 : -zeroPointOf(input);
    const hiddenOffset = wide ? 0 : -zeroPointOf(hidden);
    const i8 = (t: TensorInfo): Int8Array =>
      new Int8Array((t.data as Uint8Array).buffer, (t.data as Uint8Array).byteOffset, t.elementCount);
    // int64 biases become exact doubles (int64Bias refuses values outside TFLM's 2^47 accumulator range).
    const biasValues = (t: TensorInfo): ArrayLike<number> =>
      wide
        ? int64Bias(ctx, t)
        : new Int32Array((t.data as Uint8Array).buffer, (t.data as Uint8Array).byteOffset, t.elementCount);
    const fcMultiplier = (a: TensorInfo, w: TensorInfo): IntMul => {
      if (zeroPointOf(w) !== 0) ctx.unsupported(`weights ${w.index} must be symmetric`);
      const q = quantizeMultiplier((scaleOf(a) * scaleOf(w)) / GATE_INPUT_SCALE);
      return { multiplier: q.multiplier, shift: q.shift };
    };
    const rowConstants = (w: Int8Array, cols: number, offset: number, bias: ArrayLike<number> | null): Float64Array => {
      const out = ctx.hostOnly(new Float64Array(units), 'zero-point x weight row sums (+ bias)');
      for (let r = 0; r < units; r++) {
        let sum = 0;
        for (let c = 0; c < cols; c++) sum += w[r * cols + c];
        out[r] = (bias ? bias[r] : 0) + offset * sum;
      }
      return out;
    };
    const gates: IntGate[] = [0, 1, 2, 3].map((g) => {
      const inM = fcMultiplier(input, inW[g]);
      const recM = fcMultiplier(hidden, recW[g]);
      const inWeights = i8(inW[g]);
      const recWeights = i8(recW[g]);
      return {
        inWeights,
        recWeights,
        inRowConstant: rowConstants(inWeights, sizes.inputSize, inputOffset, biasValues(biases[g])),
        recRowConstant: rowConstants(recWeights, units, hiddenOffset, null),
        inMultiplier: inM.multiplier,
        inShift: inM.shift,
        recMultiplier: recM.multiplier,
        recShift: recM.shift,
      };
    });
    const cellScale = scaleOf(cell);
    const mul = (s1: number, s2: number, out: number): IntMul => quantizeMultiplier((s1 * s2) / out);
    // CheckedLog2: the cell scale is a power of two in converted models; TFLM rounds the log either way.
    const cellScalePower = Math.round(Math.log(cellScale) * mathFround(1 / mathFround(Math.log(2))));
    const clip = cellClip > 0 ? Math.trunc(Math.min(Math.max(cellClip / cellScale, -32768), 32767)) : 0;
    return {
      data: {
        kind: 'integer',
        wide,
        sizes,
        gates,
        forgetCell: mul(GATE_OUTPUT_SCALE, cellScale, cellScale),
        inputCell: mul(GATE_OUTPUT_SCALE, GATE_OUTPUT_SCALE, cellScale),
        output: mul(GATE_OUTPUT_SCALE, GATE_OUTPUT_SCALE, scaleOf(hidden)),
        hiddenZeroPoint: zeroPointOf(hidden),
        hiddenMin: wide ? -32768 : -128,
        hiddenMax: wide ? 32767 : 127,
        cellClip: clip,
        tanh: tanhInt16Params(cellScalePower),
        buffers: gateBuffers('int16'),
      },
      macs,
    };
  },
  eval(d: LstmData, io: KernelIo): void {
    if (d.kind === 'float32') evalFloat(d, io);
    else evalInteger(d, io);
  },
};

/** Step order of the (batch, time) loop and the flat offsets of input / output rows. */
function rowIndex(s: Sizes, b: number, t: number): number {
  return s.timeMajor ? t * s.batches + b : b * s.steps + t;
}

const clamp16 = (v: number): number => (v < -32768 ? -32768 : v > 32767 ? 32767 : v);

type IntActivations = Int8Array | Int16Array;

function evalInteger(d: IntData, io: KernelIo): void {
  const input = io.inputs[0] as IntActivations;
  const hidden = io.inputs[HIDDEN] as IntActivations;
  const cell = io.inputs[CELL] as Int16Array;
  const output = io.outputs[0] as IntActivations;
  const { hiddenMin, hiddenMax } = d;
  const { batches, steps, inputSize, units } = d.sizes;
  const forget = io.scratch[d.buffers[0]] as Int16Array;
  const inputGate = io.scratch[d.buffers[1]] as Int16Array;
  const cellGate = io.scratch[d.buffers[2]] as Int16Array;
  const outputGate = io.scratch[d.buffers[3]] as Int16Array;
  for (let b = 0; b < batches; b++) {
    const state = b * units;
    for (let t = 0; t < steps; t++) {
      const row = rowIndex(d.sizes, b, t);
      const x = row * inputSize;
      gateInteger(d, d.gates[GATE_FORGET], input, x, inputSize, hidden, state, units, forget, false);
      gateInteger(d, d.gates[GATE_INPUT], input, x, inputSize, hidden, state, units, inputGate, false);
      gateInteger(d, d.gates[GATE_CELL], input, x, inputSize, hidden, state, units, cellGate, true);
      const fc = d.forgetCell;
      const ic = d.inputCell;
      for (let j = 0; j < units; j++) {
        const kept = clamp16(multiplyByQuantizedMultiplier(forget[j] * cell[state + j], fc.multiplier, fc.shift));
        const added = clamp16(multiplyByQuantizedMultiplier(inputGate[j] * cellGate[j], ic.multiplier, ic.shift));
        let c = clamp16(kept + added);
        if (d.cellClip > 0) c = c > d.cellClip ? d.cellClip : c < -d.cellClip ? -d.cellClip : c;
        cell[state + j] = c;
      }
      gateInteger(d, d.gates[GATE_OUTPUT], input, x, inputSize, hidden, state, units, outputGate, false);
      const om = d.output;
      const out = row * units;
      for (let j = 0; j < units; j++) {
        const tanhCell = tanhInt16(cell[state + j], d.tanh);
        let h = multiplyByQuantizedMultiplier(tanhCell * outputGate[j], om.multiplier, om.shift) + d.hiddenZeroPoint;
        h = h < hiddenMin ? hiddenMin : h > hiddenMax ? hiddenMax : h;
        hidden[state + j] = h;
        output[out + j] = h;
      }
    }
  }
}

/** One gate: int16(FC(x)) + int16(FC(h)), saturated, then sigmoid (or tanh for the cell gate) in Q0.15. */
function gateInteger(
  d: IntData,
  g: IntGate,
  input: IntActivations,
  x: number,
  inputSize: number,
  hidden: IntActivations,
  h: number,
  units: number,
  out: Int16Array,
  isCell: boolean,
): void {
  const inW = g.inWeights;
  const recW = g.recWeights;
  for (let j = 0; j < units; j++) {
    let accIn = g.inRowConstant[j];
    const wi = j * inputSize;
    for (let k = 0; k < inputSize; k++) accIn += inW[wi + k] * input[x + k];
    let accRec = g.recRowConstant[j];
    const wr = j * units;
    for (let k = 0; k < units; k++) accRec += recW[wr + k] * hidden[h + k];
    let fromInput: number;
    let fromHidden: number;
    if (d.wide) {
      // int64 accumulators: the double sums are exact (|sum| < 2^53), nothing to wrap.
      fromInput = clamp16(multiplyByQuantizedMultiplierInt64(accIn, g.inMultiplier, g.inShift));
      fromHidden = clamp16(multiplyByQuantizedMultiplierInt64(accRec, g.recMultiplier, g.recShift));
    } else {
      // The C++ accumulators are int32: wrap like them before requantizing.
      fromInput = clamp16(multiplyByQuantizedMultiplier(accIn | 0, g.inMultiplier, g.inShift));
      fromHidden = clamp16(multiplyByQuantizedMultiplier(accRec | 0, g.recMultiplier, g.recShift));
    }
    const pre = clamp16(fromInput + fromHidden);
    // Tanh of a pre-activation: Q3.12 in (scale power -12 -> multiplier 3, no shift).
    out[j] = isCell ? tanhInt16(pre, CELL_GATE_TANH) : sigmoidInt16(pre);
  }
}

const CELL_GATE_TANH = tanhInt16Params(-12);

function evalFloat(d: FloatData, io: KernelIo): void {
  const input = io.inputs[0] as Float32Array;
  const hidden = io.inputs[HIDDEN] as Float32Array;
  const cell = io.inputs[CELL] as Float32Array;
  const output = io.outputs[0] as Float32Array;
  const { batches, steps, inputSize, units } = d.sizes;
  const forget = io.scratch[d.buffers[0]] as Float32Array;
  const inputGate = io.scratch[d.buffers[1]] as Float32Array;
  const cellGate = io.scratch[d.buffers[2]] as Float32Array;
  const outputGate = io.scratch[d.buffers[3]] as Float32Array;
  const clip = d.cellClip;
  for (let b = 0; b < batches; b++) {
    const state = b * units;
    for (let t = 0; t < steps; t++) {
      const row = rowIndex(d.sizes, b, t);
      const x = row * inputSize;
      gateFloat(d.gates[GATE_FORGET], input, x, inputSize, hidden, state, units, forget, false);
      gateFloat(d.gates[GATE_INPUT], input, x, inputSize, hidden, state, units, inputGate, false);
      gateFloat(d.gates[GATE_CELL], input, x, inputSize, hidden, state, units, cellGate, true);
      for (let j = 0; j < units; j++) {
        let c = mathFround(mathFround(forget[j] * cell[state + j]) + mathFround(inputGate[j] * cellGate[j]));
        if (clip > 0) c = c > clip ? clip : c < -clip ? -clip : c;
        cell[state + j] = c;
      }
      gateFloat(d.gates[GATE_OUTPUT], input, x, inputSize, hidden, state, units, outputGate, false);
      const out = row * units;
      for (let j = 0; j < units; j++) {
        const h = mathFround(tanhf(cell[state + j]) * outputGate[j]);
        hidden[state + j] = h;
        output[out + j] = h;
      }
    }
  }
}

/** reference_ops::FullyConnected twice (float sums in order, rounded each step), add, activation. */
function gateFloat(
  g: FloatGate,
  input: Float32Array,
  x: number,
  inputSize: number,
  hidden: Float32Array,
  h: number,
  units: number,
  out: Float32Array,
  isCell: boolean,
): void {
  const fround = mathFround;
  for (let j = 0; j < units; j++) {
    let fromInput = 0;
    const wi = j * inputSize;
    for (let k = 0; k < inputSize; k++) fromInput = fround(fromInput + fround(input[x + k] * g.inWeights[wi + k]));
    fromInput = fround(fromInput + g.bias[j]);
    let fromHidden = 0;
    const wr = j * units;
    for (let k = 0; k < units; k++) fromHidden = fround(fromHidden + fround(hidden[h + k] * g.recWeights[wr + k]));
    const pre = fround(fromInput + fromHidden);
    out[j] = isCell ? tanhf(pre) : logisticFloat(pre);
  }
}
