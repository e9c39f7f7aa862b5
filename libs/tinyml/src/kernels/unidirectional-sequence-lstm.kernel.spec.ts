/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM on TFLM's kernel unit-test vectors (kernels/testdata/lstm_test_data.cc: the
 * 2 batch x 3 step x 2 input x 2 unit model; unidirectional_sequence_lstm_test.cc and lstm_eval_test.cc: which
 * outputs are checked and with what tolerance). TFLM quantizes one float model per type
 * (CreateIntegerNodeContents: weights and biases symmetric, input and states with the settings of
 * Get2X2Int8/Int16LstmQuantizationSettings) and compares the dequantized results with float goldens; the port
 * does the same, in float32 arithmetic as the C++ test helpers do. The int8 and float32 kernels are also checked
 * bit for bit on real models (interpreter/recurrent-and-signal-models.spec.ts); no model uses the 16x8 variant.
 * Length (~530 lines): TFLM's test model and its two quantization settings written out, plus two cross-check
 * models of the 16x8 path (a wide accumulator, the gate FCs against FULLY_CONNECTED).
 */
import { Interpreter } from '../interpreter/interpreter';
import { typedView } from '../interpreter/tensor-view';
import { OpMemory } from '../memory/op-memory';
import { loadModel } from '../model/model-reader';
import { roundHalfAwayFromZero } from '../quant/fixed-point';
import { sigmoidInt16, tanhInt16, tanhInt16Params } from '../quant/int16-activations';
import { OpResolver } from '../resolver/op-resolver';
import {
  buildModel,
  expectNear,
  runModel,
  type TestDType,
  type TestModel,
  type TestTensor,
} from '../testing/model-builder';
import { PrepareContext, type TensorData } from './kernel.types';

const f = Math.fround;
const OP = 'UNIDIRECTIONAL_SEQUENCE_LSTM';

/** lstm_test_data.cc Create2x3x2X2FloatNodeContents, in lstm_shared.h's gate order (input, forget, cell, output). */
interface FloatGate {
  weights: number[];
  recurrent: number[];
  bias: number[];
}
const INPUT_GATE: FloatGate = { weights: [10, 10, 20, 20], recurrent: [10, 10, 20, 20], bias: [-1, -2] };
const FORGET_GATE: FloatGate = { weights: [-10, -10, -20, -20], recurrent: [-10, -10, -20, -20], bias: [1, 2] };
const CELL_GATE: FloatGate = { weights: [1, 1, 1, 1], recurrent: [1, 1, 1, 1], bias: [0, 0] };
const OUTPUT_GATE: FloatGate = { weights: [1, 1, 1, 1], recurrent: [1, 1, 1, 1], bias: [0, 0] };
const GATES = [INPUT_GATE, FORGET_GATE, CELL_GATE, OUTPUT_GATE];
/** kDefaultBuiltinData: TANH cell gate, cell_clip 6, proj_clip 3, batch major. */
const CELL_CLIP = 6;
const PROJ_CLIP = 3;

interface Quant {
  scale: number;
  zeroPoint: number;
}
interface GateQuant {
  weights: number;
  recurrent: number;
  bias: number;
}
/** Get2X2Int8LstmQuantizationSettings / Get2X2Int16LstmQuantizationSettings. */
interface Settings {
  activation: 'int8' | 'int16';
  bias: 'int32' | 'int64';
  input: Quant;
  output: Quant;
  hidden: Quant;
  cell: Quant;
  gates: GateQuant[];
}
const INT8: Settings = {
  activation: 'int8',
  bias: 'int32',
  input: { scale: 0.00784313725490196, zeroPoint: 0 },
  output: { scale: 0.004705882165580988, zeroPoint: -21 },
  hidden: { scale: 0.004705882165580988, zeroPoint: -21 },
  cell: { scale: 0.00024414062, zeroPoint: 0 },
  gates: [
    { weights: 0.15748031496062992, recurrent: 0.15748031496062992, bias: 0.0012351397251814111 },
    { weights: 0.15748031496062992, recurrent: 0.15748031496062992, bias: 0.0012351397251814111 },
    { weights: 0.007874015748031496, recurrent: 0.007874015748031496, bias: 6.175698625907056e-5 },
    { weights: 0.007874015748031496, recurrent: 0.007874015748031496, bias: 6.175698625907056e-5 },
  ],
};
const INT16: Settings = {
  activation: 'int16',
  bias: 'int64',
  input: { scale: 3.0518044e-5, zeroPoint: 0 },
  output: { scale: 2.1362956633198035e-5, zeroPoint: 0 },
  hidden: { scale: 2.1362956633198035e-5, zeroPoint: 0 },
  cell: { scale: 0.00024414062, zeroPoint: 0 },
  gates: [
    { weights: 0.15748031496062992, recurrent: 0.15748031496062992, bias: 4.8059911474468205e-6 },
    { weights: 0.15748031496062992, recurrent: 0.15748031496062992, bias: 4.8059911474468205e-6 },
    { weights: 0.007874015748031496, recurrent: 0.007874015748031496, bias: 2.40299557372341e-7 },
    { weights: 0.007874015748031496, recurrent: 0.007874015748031496, bias: 2.40299557372341e-7 },
  ],
};

const RANGE: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int64: [-(2 ** 53), 2 ** 53],
};

/** test_helpers.h FloatToQuantizedType: round(value / scale) in float, plus the zero point, clamped. */
function quantizeFloat(values: number[], q: Quant, dtype: string): number[] {
  const [min, max] = RANGE[dtype];
  return values.map((v) => Math.min(max, Math.max(min, roundHalfAwayFromZero(f(f(v) / f(q.scale))) + q.zeroPoint)));
}

/** FloatToSymmetricQuantizedType: as above without zero point, clamped to [min + 1, max]. */
function quantizeSymmetric(values: number[], scale: number, dtype: string): number[] {
  const [min, max] = RANGE[dtype];
  return values.map((v) => Math.min(max, Math.max(min + 1, roundHalfAwayFromZero(f(f(v) / f(scale))))));
}

/** test_helpers.h Dequantize: (value - zero_point) * scale in float. */
function dequantize(values: number[], q: Quant): number[] {
  return values.map((v) => f((v - q.zeroPoint) * f(q.scale)));
}

interface Shape {
  batches: number;
  steps: number;
  timeMajor: boolean;
}
const INPUT_SIZE = 2;
const UNITS = 2;

/**
 * The op with every tensor of the standard LSTM: input 0, weights 1-8, biases 12-15, hidden 18 and cell 19
 * state; the peephole, projection and layer-norm inputs are absent (-1). `settings` null = float32.
 */
function lstmModel(settings: Settings | null, shape: Shape): TestModel {
  const { batches, steps, timeMajor } = shape;
  const act: TestDType = settings?.activation ?? 'float32';
  const seq = timeMajor ? [steps, batches] : [batches, steps];
  const quant = (q: Quant): Partial<TestTensor> => ({ scale: q.scale, zeroPoint: q.zeroPoint });
  const tensors: TestTensor[] = [{ shape: [...seq, INPUT_SIZE], dtype: act, ...(settings && quant(settings.input)) }];
  const weights = (values: number[], scale: number | undefined, cols: number): TestTensor =>
    settings && scale !== undefined
      ? { shape: [UNITS, cols], dtype: 'int8', data: quantizeSymmetric(values, scale, 'int8'), scale }
      : { shape: [UNITS, cols], dtype: 'float32', data: values };
  GATES.forEach((g, k) => tensors.push(weights(g.weights, settings?.gates[k].weights, INPUT_SIZE)));
  GATES.forEach((g, k) => tensors.push(weights(g.recurrent, settings?.gates[k].recurrent, UNITS)));
  GATES.forEach((g, k) => {
    const scale = settings?.gates[k].bias;
    tensors.push(
      settings && scale !== undefined
        ? { shape: [UNITS], dtype: settings.bias, data: quantizeSymmetric(g.bias, scale, settings.bias), scale }
        : { shape: [UNITS], dtype: 'float32', data: g.bias },
    );
  });
  const state = (dtype: TestDType, q: Quant | undefined): TestTensor => ({
    shape: [batches, UNITS],
    dtype,
    isVariable: true,
    ...(q && quant(q)),
  });
  tensors.push(state(act, settings?.hidden), state(settings ? 'int16' : 'float32', settings?.cell));
  tensors.push({ shape: [...seq, UNITS], dtype: act, ...(settings && quant(settings.output)) });
  const inputs = Array.from({ length: 24 }, () => -1);
  inputs[0] = 0;
  for (let k = 1; k <= 8; k++) inputs[k] = k;
  for (let k = 0; k < 4; k++) inputs[12 + k] = 9 + k;
  inputs[18] = 13;
  inputs[19] = 14;
  return {
    tensors,
    ops: [
      {
        op: OP,
        inputs,
        outputs: [15],
        // UnidirectionalSequenceLSTMOptions in schema.fbs's BuiltinOptions union.
        optionsType: 71,
        options: [
          { id: 0, i8: 4 },
          { id: 1, f32: CELL_CLIP },
          { id: 2, f32: PROJ_CLIP },
          { id: 3, bool: timeMajor },
          { id: 4, bool: true },
        ],
      },
    ],
    inputs: [0],
    outputs: [15],
  };
}

interface LstmRun {
  output: number[];
  hidden: number[];
  cell: number[];
  memory: OpMemory;
  /** The four gate buffers after the last step: forget, input, cell, output gate (TFLM's buffer0..3). */
  gates: number[][];
}

/**
 * Prepares and evaluates the op directly (as TFLM's KernelRunner does), so the tests can start from any state
 * and read the final hidden and cell state, which are not model outputs.
 */
function runLstm(m: TestModel, input: number[], hidden0: number[], cell0: number[]): LstmRun {
  const model = loadModel(buildModel(m));
  const node = model.operators[0];
  const memory = new OpMemory();
  const kernel = OpResolver.all().find(model, node);
  const { data } = kernel.prepare(new PrepareContext(model, node, memory));
  const view = (i: number, values: number[] | null): TensorData => {
    const t = model.tensors[i];
    if (t.data)
      return typedView(t.dtype, t.data.buffer as ArrayBuffer, t.data.byteOffset, t.elementCount, t.byteLength);
    const v = typedView(t.dtype, new ArrayBuffer(t.byteLength), 0, t.elementCount, t.byteLength);
    if (values) (v as Int16Array).set(values);
    return v;
  };
  const starts = new Map([
    [0, input],
    [18, hidden0],
    [19, cell0],
  ]);
  const inputs = node.inputs.map((i, k) => (i < 0 ? null : view(i, starts.get(k) ?? null)));
  const outputs = [view(node.outputs[0], null)];
  const scratch = memory.scratch.map((r) =>
    typedView(r.dtype, new ArrayBuffer(r.sizeBytes), 0, r.elementCount, r.sizeBytes),
  );
  kernel.eval(data, { inputs, outputs, scratch });
  return {
    output: Array.from(outputs[0] as Int16Array),
    hidden: Array.from(inputs[18] as Int16Array),
    cell: Array.from(inputs[19] as Int16Array),
    memory,
    gates: scratch.map((b) => Array.from(b as Int16Array)),
  };
}

/** Get2X2LstmEvalCheckData: 3 steps from zero states. */
const EVAL = {
  input: [0.2, 0.3, 0.2, 0.3, 0.2, 0.3, -0.98, 0.62, 0.01, 0.99, 0.49, -0.32],
  output: [
    0.26455893, 0.26870455, 0.47935803, 0.47937014, 0.58013272, 0.58013278, -1.41184672e-3, -1.43329117e-5, 0.46887168,
    0.46891281, 0.50054074, 0.50054148,
  ],
  hidden: [0.58013272, 0.58013278, 0.50054074, 0.50054148],
  cell: [0.89740515, 0.8974053, 0.80327607, 0.80327785],
};

/** Get2X2GateOutputCheckData: one step from the given states (the cell of batch 2 clips at -6). */
const STEP = {
  input: [0.2, 0.3, -0.98, 0.62],
  hidden: [-0.1, 0.2, -0.3, 0.5],
  cell: [-1.3, 6.2, -7.3, 3.5],
  updatedCell: [0.52475447, 0.53730665, -6, 3.47992756],
  updatedHidden: [0.31079388, 0.3169827, -0.46007947, 0.45921249],
};

function runQuantized(s: Settings, shape: Shape, input: number[], hidden: number[], cell: number[]): LstmRun {
  return runLstm(
    lstmModel(s, shape),
    quantizeFloat(input, s.input, s.activation),
    quantizeFloat(hidden, s.hidden, s.activation),
    quantizeFloat(cell, s.cell, 'int16'),
  );
}

const BATCH_MAJOR_3 = { batches: 2, steps: 3, timeMajor: false };
const BATCH_MAJOR_1 = { batches: 2, steps: 1, timeMajor: false };
const ZERO_STATE = [0, 0, 0, 0];

/** Deterministic pseudo-random numbers in [0, 1) (a 32-bit LCG) for the cross-check vectors. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('UNIDIRECTIONAL_SEQUENCE_LSTM: TFLM unidirectional_sequence_lstm_test / lstm_eval_test vectors', () => {
  it('16x8 (int16 activations, int8 weights, int64 bias): 3 steps within 1e-3 (hidden, output), 1e-2 (cell)', () => {
    const r = runQuantized(INT16, BATCH_MAJOR_3, EVAL.input, ZERO_STATE, ZERO_STATE);
    // TFLM compares the first batch x units outputs only; every step is within the same tolerance here.
    expectNear(dequantize(r.output, INT16.output), EVAL.output, 1e-3);
    expectNear(dequantize(r.hidden, INT16.hidden), EVAL.hidden, 1e-3);
    expectNear(dequantize(r.cell, INT16.cell), EVAL.cell, 1e-2);
  });

  it('16x8: one step from non-zero states within 1e-3 (hidden) and 1e-1 (cell), as CheckOneStepLSTMInt16', () => {
    const r = runQuantized(INT16, BATCH_MAJOR_1, STEP.input, STEP.hidden, STEP.cell);
    expectNear(dequantize(r.hidden, INT16.hidden), STEP.updatedHidden, 1e-3);
    expectNear(dequantize(r.output, INT16.output), STEP.updatedHidden, 1e-3);
    expectNear(dequantize(r.cell, INT16.cell), STEP.updatedCell, 1e-1);
  });

  it('8x8->16 (int8 activations, int32 bias): 3 steps within 1e-2', () => {
    const r = runQuantized(INT8, BATCH_MAJOR_3, EVAL.input, ZERO_STATE, ZERO_STATE);
    expectNear(dequantize(r.output, INT8.output), EVAL.output, 1e-2);
    expectNear(dequantize(r.hidden, INT8.hidden), EVAL.hidden, 1e-2);
    expectNear(dequantize(r.cell, INT8.cell), EVAL.cell, 1e-2);
  });

  it('8x8->16: one step within 1e-2 (hidden) and 1e-1 (cell), as CheckOneStepLSTMInt8', () => {
    const r = runQuantized(INT8, BATCH_MAJOR_1, STEP.input, STEP.hidden, STEP.cell);
    expectNear(dequantize(r.hidden, INT8.hidden), STEP.updatedHidden, 1e-2);
    expectNear(dequantize(r.cell, INT8.cell), STEP.updatedCell, 1e-1);
  });

  it('float32: 3 steps and one step within 1e-6', () => {
    const seq = runLstm(lstmModel(null, BATCH_MAJOR_3), EVAL.input, ZERO_STATE, ZERO_STATE);
    expectNear(seq.output, EVAL.output, 1e-6);
    expectNear(seq.hidden, EVAL.hidden, 1e-6);
    expectNear(seq.cell, EVAL.cell, 1e-6);
    const step = runLstm(lstmModel(null, BATCH_MAJOR_1), STEP.input, STEP.hidden, STEP.cell);
    expectNear(step.hidden, STEP.updatedHidden, 1e-6);
    expectNear(step.cell, STEP.updatedCell, 1e-6);
  });
});

/**
 * A 16x8 LSTM whose first unit sums 600 products of 32767 x 127 (2.5e9: an int32 accumulator would wrap and
 * flip the gate's sign), with the float32 model of the same dequantized weights as the reference.
 */
const WIDE = {
  inputSize: 600,
  units: 2,
  input: { scale: 2 ** -15, zeroPoint: 0 },
  hidden: { scale: 2 ** -15, zeroPoint: 0 },
  cell: { scale: 2 ** -12, zeroPoint: 0 },
  weights: 2e-5,
  bias: 2 ** -15 * 2e-5,
};

function wideModel(): { int16: TestModel; float32: TestModel; input: number[] } {
  const { inputSize, units } = WIDE;
  // Unit 0: every weight 127; unit 1: a spread of signs and sizes.
  const inW = Array.from({ length: units * inputSize }, (_, i) => (i < inputSize ? 127 : ((i * 37) % 255) - 127));
  const recW = [-30, -10, 10, 30];
  const biases = [
    [3000, -2000],
    [-5000, 8000],
    [0, 1000],
    [2000, 0],
  ];
  // Step 1 at full scale, step 2 a little below it: both sum to more than 2^31 in unit 0.
  const input = [
    ...Array.from({ length: inputSize }, () => 32767),
    ...Array.from({ length: inputSize }, (_, k) => 32767 - (k % 50) * 100),
  ];
  const build = (q: boolean): TestModel => {
    const w = (values: number[], cols: number): TestTensor =>
      q
        ? { shape: [units, cols], dtype: 'int8', data: values, scale: WIDE.weights }
        : { shape: [units, cols], dtype: 'float32', data: dequantize(values, { scale: WIDE.weights, zeroPoint: 0 }) };
    const b = (values: number[]): TestTensor =>
      q
        ? { shape: [units], dtype: 'int64', data: values, scale: WIDE.bias }
        : { shape: [units], dtype: 'float32', data: dequantize(values, { scale: WIDE.bias, zeroPoint: 0 }) };
    const act = (shape: number[], quant: Quant, isVariable = false): TestTensor =>
      q ? { shape, dtype: 'int16', scale: quant.scale, isVariable } : { shape, dtype: 'float32', isVariable };
    const m = lstmModel(null, { batches: 1, steps: 2, timeMajor: false });
    m.tensors = [
      act([1, 2, inputSize], WIDE.input),
      ...[0, 1, 2, 3].map(() => w(inW, inputSize)),
      ...[0, 1, 2, 3].map(() => w(recW, units)),
      ...biases.map(b),
      act([1, units], WIDE.hidden, true),
      act([1, units], WIDE.cell, true),
      act([1, 2, units], WIDE.hidden),
    ];
    return m;
  };
  return { int16: build(true), float32: build(false), input };
}

describe('UNIDIRECTIONAL_SEQUENCE_LSTM 16x8: layout, memory, state and refusals', () => {
  it('time-major input gives the same values as batch-major (batches are independent)', () => {
    const batchMajor = runQuantized(INT16, BATCH_MAJOR_3, EVAL.input, ZERO_STATE, ZERO_STATE);
    // [batch, time, in] -> [time, batch, in]
    const transpose = (v: number[], width: number): number[] =>
      [0, 1, 2].flatMap((t) => [0, 1].flatMap((b) => v.slice((b * 3 + t) * width, (b * 3 + t + 1) * width)));
    const timeMajor = runQuantized(
      INT16,
      { batches: 2, steps: 3, timeMajor: true },
      transpose(EVAL.input, INPUT_SIZE),
      ZERO_STATE,
      ZERO_STATE,
    );
    expect(timeMajor.output).toEqual(transpose(batchMajor.output, UNITS));
    expect(timeMajor.hidden).toEqual(batchMajor.hidden);
    expect(timeMajor.cell).toEqual(batchMajor.cell);
  });

  it('accumulates in int64: 600 full-scale products (> 2^31) still track the float kernel on the same values', () => {
    const wide = wideModel();
    const quantized = runLstm(wide.int16, wide.input, [0, 0], [0, 0]);
    const float = runLstm(wide.float32, dequantize(wide.input, WIDE.input), [0, 0], [0, 0]);
    expectNear(dequantize(quantized.output, WIDE.hidden), float.output, 2e-3);
    expectNear(dequantize(quantized.cell, WIDE.cell), float.cell, 2e-3);
  });

  it("ignores an int16 input zero point, as TFLM's int16 FullyConnected has no input offset", () => {
    const withZeroPoint = { ...INT16, input: { ...INT16.input, zeroPoint: 100 } };
    const model = lstmModel(withZeroPoint, BATCH_MAJOR_3);
    const input = quantizeFloat(EVAL.input, INT16.input, 'int16');
    const shifted = runLstm(model, input, ZERO_STATE, ZERO_STATE);
    const plain = runLstm(lstmModel(INT16, BATCH_MAJOR_3), input, ZERO_STATE, ZERO_STATE);
    expect(shifted.output).toEqual(plain.output);
    expect(shifted.cell).toEqual(plain.cell);
  });

  it('gate FCs requantize as the 16x8 FULLY_CONNECTED kernel (bit-exact with TFLM on 16x8 models) does', () => {
    // One batch, one step from a non-zero hidden state, pseudo-random values: every gate's output must be
    // activation(sat16(FC(x) + FC(h))) with the FCs run by FULLY_CONNECTED at the gate scale 2^-12.
    const inputSize = 24;
    const units = 6;
    const rand = lcg(12345);
    const ints = (n: number, lo: number, hi: number): number[] =>
      Array.from({ length: n }, () => lo + Math.floor(rand() * (hi - lo + 1)));
    const scales = { input: 1.3e-4, hidden: 2 ** -15, cell: 2 ** -11, weights: [3.1e-3, 2.2e-3, 4.7e-3, 1.9e-3] };
    const x = ints(inputSize, -32768, 32767);
    const h = ints(units, -32768, 32767);
    const c = ints(units, -32768, 32767);
    const inW = scales.weights.map(() => ints(units * inputSize, -127, 127));
    const recW = scales.weights.map(() => ints(units * units, -127, 127));
    const bias = scales.weights.map(() => ints(units, -3_000_000, 3_000_000));
    const m = lstmModel(null, { batches: 1, steps: 1, timeMajor: false });
    m.tensors = [
      { shape: [1, 1, inputSize], dtype: 'int16', scale: scales.input },
      ...inW.map((d, g): TestTensor => ({
        shape: [units, inputSize],
        dtype: 'int8',
        data: d,
        scale: scales.weights[g],
      })),
      ...recW.map((d, g): TestTensor => ({ shape: [units, units], dtype: 'int8', data: d, scale: scales.weights[g] })),
      ...bias.map((d, g): TestTensor => ({
        shape: [units],
        dtype: 'int64',
        data: d,
        scale: scales.input * scales.weights[g],
      })),
      { shape: [1, units], dtype: 'int16', scale: scales.hidden, isVariable: true },
      { shape: [1, units], dtype: 'int16', scale: scales.cell, isVariable: true },
      { shape: [1, 1, units], dtype: 'int16', scale: scales.hidden },
    ];
    const r = runLstm(m, x, h, c);
    const fc = (input: number[], inScale: number, w: number[], wScale: number, b: number[] | null): number[] => {
      const cols = input.length;
      return runModel(
        {
          tensors: [
            { shape: [1, cols], dtype: 'int16', scale: inScale },
            { shape: [units, cols], dtype: 'int8', data: w, scale: wScale },
            ...(b ? [{ shape: [units], dtype: 'int64', data: b, scale: inScale * wScale } as TestTensor] : []),
            { shape: [1, units], dtype: 'int16', scale: 2 ** -12 },
          ],
          ops: [
            {
              op: 'FULLY_CONNECTED',
              inputs: b ? [0, 1, 2] : [0, 1, -1],
              outputs: [b ? 3 : 2],
              options: [{ id: 0, i8: 0 }],
            },
          ],
          inputs: [0],
          outputs: [b ? 3 : 2],
        },
        [input],
      );
    };
    const cellGateTanh = tanhInt16Params(-12);
    // lstm_shared.h input order (input, forget, cell, output gate) -> gate buffers (forget, input, cell, output).
    const bufferOf = [1, 0, 2, 3];
    scales.weights.forEach((ws, g) => {
      const fromInput = fc(x, scales.input, inW[g], ws, bias[g]);
      const fromHidden = fc(h, scales.hidden, recW[g], ws, null);
      const expected = fromInput.map((a, j) => {
        const pre = Math.max(-32768, Math.min(32767, a + fromHidden[j]));
        return g === 2 ? tanhInt16(pre, cellGateTanh) : sigmoidInt16(pre);
      });
      expect(r.gates[bufferOf[g]]).toEqual(expected);
    });
  });

  it("requests TFLM's four int16 gate buffers of batch x units and keeps the int64 biases host-only", () => {
    const { memory } = runQuantized(INT16, BATCH_MAJOR_3, EVAL.input, ZERO_STATE, ZERO_STATE);
    expect(memory.scratch.map((r) => [r.dtype, r.elementCount, r.sizeBytes])).toEqual(
      Array.from({ length: 4 }, () => ['int16', 4, 8]),
    );
    // OpDataLSTM 688 B and the 16-byte builtin options, at 32-bit pointers (as for int8).
    expect(memory.persistentBytes(4)).toBe(688 + 16);
    expect(memory.hostOnly.filter((h) => h.what === 'int64 bias as doubles')).toHaveLength(4);
  });

  it('runs in the interpreter: zeroed int16 state, carried across invokes, reset() repeats the first', () => {
    const model = lstmModel(INT16, BATCH_MAJOR_3);
    const direct = runQuantized(INT16, BATCH_MAJOR_3, EVAL.input, ZERO_STATE, ZERO_STATE);
    const interpreter = new Interpreter(loadModel(buildModel(model)));
    interpreter.allocate();
    interpreter.input(0).data.set(quantizeFloat(EVAL.input, INT16.input, 'int16'));
    interpreter.invoke();
    const first = Array.from(interpreter.output(0).data);
    expect(first).toEqual(direct.output);
    interpreter.invoke();
    expect(Array.from(interpreter.output(0).data)).not.toEqual(first);
    interpreter.reset();
    interpreter.invoke();
    expect(Array.from(interpreter.output(0).data)).toEqual(first);
  });

  it('refuses int16 activations with an int32 bias, and an output or hidden state of another type', () => {
    const build = (edit: (m: TestModel) => void): (() => void) => {
      const m = lstmModel(INT16, BATCH_MAJOR_3);
      edit(m);
      return () => new Interpreter(loadModel(buildModel(m))).allocate();
    };
    expect(build(() => undefined)).not.toThrow();
    expect(
      build((m) => {
        for (let k = 9; k <= 12; k++) m.tensors[k].dtype = 'int32';
      }),
    ).toThrow(/bias \d+ type int32 not supported \(expected int64\)/);
    expect(
      build((m) => {
        m.tensors[15] = { ...m.tensors[15], dtype: 'int8' };
      }),
    ).toThrow(/output \(the input type\) type int8/);
    expect(
      build((m) => {
        m.tensors[13] = { ...m.tensors[13], dtype: 'int8' };
      }),
    ).toThrow(/hidden state \(the input type\) type int8/);
  });
});
