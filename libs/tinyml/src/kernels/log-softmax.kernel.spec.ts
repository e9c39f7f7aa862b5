/**
 * LOG_SOFTMAX on the vectors of TFLM's log_softmax_test.cc: the float goldens within TFLM's tolerances (1e-5,
 * 1e-6), the int8 outputs exactly (TFLM compares them with EXPECT_EQ), inputs quantized as TFLM's test helpers do
 * (ScaleFromMinMax, ZeroPointFromMinMax with roundf, Quantize with roundf). Where the float C expression is known
 * (glibc expf, the kernel's logf, float subtraction) the expected values are that expression, bit for bit.
 */
import { mulberry32 } from '@tinyfleet/random';
import { UnsupportedOpError } from '../errors';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { roundHalfAwayFromZero } from '../quant/fixed-point';
import { expf } from '../quant/libm-float32';
import { logf } from '../quant/libm-sin-cos-log';
import { buildModel, runModel, TestDType, TestModel } from '../testing/model-builder';

const { fround } = Math;

interface Q {
  scale: number;
  zeroPoint: number;
}

function logSoftmaxModel(dtype: TestDType, shape: number[], qIn?: Q, qOut?: Q): TestModel {
  return {
    tensors: [
      { shape, dtype, ...(qIn ?? {}) },
      { shape, dtype, ...(qOut ?? {}) },
    ],
    ops: [{ op: 'LOG_SOFTMAX', inputs: [0], outputs: [1] }],
    inputs: [0],
    outputs: [1],
  };
}

/** test_helpers.h ScaleFromMinMax<int8_t> / ZeroPointFromMinMax<int8_t>, in float as the C++ does. */
function int8FromMinMax(min: number, max: number): Q {
  const scale = fround(fround(max - min) / 255);
  return { scale, zeroPoint: -128 + roundHalfAwayFromZero(fround(-min / scale)) };
}

const quantizeInt8 = (values: readonly number[], q: Q): number[] =>
  values.map((v) => Math.max(-128, Math.min(127, roundHalfAwayFromZero(fround(v / q.scale)) + q.zeroPoint)));

/** reference_ops::LogSoftmax<float> per row, each float operation rounded as in C. */
function floatReference(input: number[], depth: number): number[] {
  const out: number[] = [];
  for (let base = 0; base < input.length; base += depth) {
    const row = input.slice(base, base + depth);
    const max = row.reduce((m, x) => (m < x ? x : m), -3.4028234663852886e38);
    const sum = row.reduce((s, x) => fround(s + expf(fround(x - max))), 0);
    const logSum = logf(sum);
    out.push(...row.map((x) => fround(fround(x - max) - logSum)));
  }
  return out;
}

const OUTPUT_Q: Q = { scale: 16 / 256, zeroPoint: 127 };
const INPUT = [0, -6, 2, 4, 3, -2, 10, 1];

describe('LOG_SOFTMAX float32', () => {
  it('FloatActivationsOpTestLogSoftmax: two shapes of the same input', () => {
    const cases: [number[], number[]][] = [
      [
        [2, 4],
        [-4.14297, -10.14297, -2.14297, -0.142971, -7.00104, -12.00104, -0.00104087, -9.00104],
      ],
      [
        [4, 2],
        [-0.00247565, -6.00247, -2.12692, -0.126928, -0.00671534, -5.00671, -0.000123374, -9.00012],
      ],
    ];
    for (const [shape, golden] of cases) {
      const out = runModel(logSoftmaxModel('float32', shape), [INPUT]);
      expect(out).toEqual(floatReference(INPUT, shape[1]));
      out.forEach((v, i) => expect(Math.abs(v - golden[i])).toBeLessThanOrEqual(1e-5));
    }
  });
  it('LogSoftmaxOpTestSimpleTest (tolerance 1e-6)', () => {
    const input = [1, 2, 3, 4, 5, -1, -2, -3, -4, -5];
    const golden = [
      -4.45191431, -3.45191431, -2.45191431, -1.45191443, -0.4519144, -0.4519144, -1.45191443, -2.45191431, -3.45191431,
      -4.45191431,
    ];
    const out = runModel(logSoftmaxModel('float32', [2, 5]), [input]);
    expect(out).toEqual(floatReference(input, 5));
    out.forEach((v, i) => expect(Math.abs(v - golden[i])).toBeLessThanOrEqual(1e-6));
  });
});

describe('LOG_SOFTMAX int8', () => {
  it('QuantizedActivationsOpTestLogSoftmaxInt8: exact int8 outputs', () => {
    const qIn = int8FromMinMax(-10, 10);
    const out = runModel(logSoftmaxModel('int8', [2, 4], qIn, OUTPUT_Q), [quantizeInt8(INPUT, qIn)]);
    expect(out).toEqual([61, -36, 93, 125, 15, -65, 127, -16]);
    const golden = [-4.14297, -10.14297, -2.14297, -0.142971, -7.00104, -12.00104, -0.00104087, -9.00104];
    out.forEach((v, i) => expect(Math.abs((v - 127) * OUTPUT_Q.scale - golden[i])).toBeLessThanOrEqual(0.06355));
  });
  it('ExtraTestLogSoftmaxInt8: rows of one element are log(1) = 0, i.e. 127', () => {
    const qIn = int8FromMinMax(-1, 1);
    const out = runModel(logSoftmaxModel('int8', [3, 1], qIn, OUTPUT_Q), [quantizeInt8([0, -1, 1], qIn)]);
    expect(out).toEqual([127, 127, 127]);
  });
  it('saturates far-below-maximum inputs to -128 and stays monotone along a row', () => {
    const qIn = int8FromMinMax(-10, 10);
    const row = Array.from({ length: 16 }, (_, i) => -128 + i * 17);
    const out = runModel(logSoftmaxModel('int8', [1, 16], qIn, OUTPUT_Q), [row]);
    // The top value (127) is about 1.3 below log-sum: a smaller input can never give a larger output.
    for (let i = 1; i < out.length; i++) expect(out[i]).toBeGreaterThanOrEqual(out[i - 1]);
    expect(out[0]).toBe(-128);
    const real = row.map((v) => (v - qIn.zeroPoint) * qIn.scale);
    const logSum = Math.log(real.reduce((s, x) => s + Math.exp(x - Math.max(...real)), 0));
    const top = Math.max(...real) - Math.max(...real) - logSum;
    expect(Math.abs((out[15] - 127) * OUTPUT_Q.scale - top)).toBeLessThanOrEqual(OUTPUT_Q.scale);
  });
  it('stays within one output step of the real log softmax on seeded rows (scales 0.01-0.5, lengths 1-64)', () => {
    const random = mulberry32(0x1065);
    for (let trial = 0; trial < 60; trial++) {
      const depth = 1 + Math.floor(random() * 64);
      const qIn = { scale: fround(0.01 + random() * 0.49), zeroPoint: Math.floor(random() * 41) - 20 };
      const row = Array.from({ length: depth }, () => Math.floor(random() * 256) - 128);
      const out = runModel(logSoftmaxModel('int8', [1, depth], qIn, OUTPUT_Q), [row]);
      const real = row.map((v) => (v - qIn.zeroPoint) * qIn.scale);
      const max = Math.max(...real);
      const logSum = Math.log(real.reduce((sum, x) => sum + Math.exp(x - max), 0));
      const want = real.map((x) => Math.max(-128, Math.min(127, Math.round((x - max - logSum) * 16) + 127)));
      out.forEach((v, i) => expect([trial, i, Math.abs(v - want[i]) <= 1]).toEqual([trial, i, true]));
    }
  });
  it('refuses an output quantization other than 16/256 and 127, and int16', () => {
    const qIn = int8FromMinMax(-10, 10);
    const bad = loadModel(buildModel(logSoftmaxModel('int8', [2, 4], qIn, { scale: 1 / 256, zeroPoint: -128 })));
    expect(() => new Interpreter(bad).allocate()).toThrow(UnsupportedOpError);
    const int16 = loadModel(buildModel(logSoftmaxModel('int16', [2, 4], qIn, OUTPUT_Q)));
    expect(() => new Interpreter(int16).allocate()).toThrow(
      expect.objectContaining({ op: 'LOG_SOFTMAX', type: 'int16' }),
    );
  });
  it('keeps what TFLM holds: LogSoftmaxOpData (28 B -> 32) for int8 only, no builtin data', () => {
    const qIn = int8FromMinMax(-10, 10);
    const int8 = new Interpreter(loadModel(buildModel(logSoftmaxModel('int8', [2, 4], qIn, OUTPUT_Q))));
    int8.allocate();
    expect(int8.memory.ops[0].persistentBytes).toBe(32);
    const float = new Interpreter(loadModel(buildModel(logSoftmaxModel('float32', [2, 4]))));
    float.allocate();
    expect(float.memory.ops[0].persistentBytes).toBe(0);
  });
});
