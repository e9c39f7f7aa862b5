/**
 * Seeded random options and shapes for the stateful signal ops, SignalIrfft / SignalRfft and CIRCULAR_BUFFER:
 * each case must allocate and invoke three times, or fail at allocate() with ModelFormatError /
 * UnsupportedOpError (never a RangeError, a hang or an unbounded allocation). Options are edge values
 * (0, +-1, powers of two, int32 limits, wrong kinds) encoded with the flatbuffers package's FlexBuffers builder.
 */
import { encode } from 'flatbuffers/js/flexbuffers';
import { mulberry32 } from '@tinyfleet/random';
import { ModelFormatError, UnsupportedOpError } from '../errors';
import { Interpreter } from './interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, TestDType, TestModel } from '../testing/model-builder';

interface OpSpec {
  op: string;
  keys: string[];
  /** Output shapes from the input shape (rank-dependent ops get plausible and implausible ones). */
  outputs: (input: number[], pick: <T>(xs: T[]) => T) => { shape: number[]; dtype: TestDType }[];
  dtypes: TestDType[];
  /** A valid case of TFLM's tests: most random cases start from it and change some options or the shape. */
  valid: { options: Record<string, unknown>; input: number[] };
}

const OPS: OpSpec[] = [
  {
    op: 'CUSTOM:SignalFramer',
    valid: { options: { frame_size: 3, frame_step: 1, prefill: false }, input: [1, 1] },
    keys: ['frame_size', 'frame_step', 'prefill'],
    dtypes: ['int16'],
    outputs: (input, pick) => [
      { shape: [...input.slice(0, -1), pick([1, 2, 4]), pick([3, 3, 5, 400])], dtype: 'int16' },
      { shape: [], dtype: 'bool' },
    ],
  },
  {
    op: 'CUSTOM:SignalStacker',
    valid: {
      options: { num_channels: 3, stacker_left_context: 1, stacker_right_context: 0, stacker_step: 1 },
      input: [3],
    },
    keys: ['num_channels', 'stacker_left_context', 'stacker_right_context', 'stacker_step'],
    dtypes: ['int16'],
    outputs: (input, pick) => [
      { shape: [pick([6, 6, 20, 1])], dtype: 'int16' },
      { shape: [], dtype: 'bool' },
    ],
  },
  {
    op: 'CUSTOM:SignalDelay',
    valid: { options: { delay_length: 3 }, input: [4, 4] },
    keys: ['delay_length'],
    dtypes: ['int16'],
    outputs: (input) => [{ shape: input, dtype: 'int16' }],
  },
  {
    op: 'CUSTOM:SignalOverlapAdd',
    valid: { options: { T: 7, frame_step: 1 }, input: [4, 3] },
    keys: ['T', 'frame_step'],
    dtypes: ['int16', 'float32'],
    outputs: (input) => [{ shape: [...input.slice(0, -2), input[input.length - 2] ?? 1], dtype: 'int16' }],
  },
  {
    op: 'CUSTOM:SignalIrfft',
    valid: { options: { T: 7, fft_length: 64 }, input: [1, 66] },
    keys: ['T', 'fft_length'],
    dtypes: ['int16', 'int32', 'float32'],
    outputs: (input, pick) => [{ shape: [...input.slice(0, -1), pick([64, 64, 8, 63])], dtype: 'int16' }],
  },
  {
    op: 'CUSTOM:SignalRfft',
    valid: { options: { T: 7, fft_length: 64 }, input: [1, 64] },
    keys: ['T', 'fft_length'],
    dtypes: ['int16', 'int32', 'float32'],
    outputs: (input, pick) => [{ shape: [...input.slice(0, -1), pick([66, 66, 10, 65])], dtype: 'int16' }],
  },
  {
    op: 'CUSTOM:CIRCULAR_BUFFER',
    valid: { options: { cycles_max: 2 }, input: [1, 1, 1, 3] },
    keys: ['cycles_max'],
    dtypes: ['int8'],
    outputs: (input, pick) => [{ shape: [1, pick([4, 4, 1, 5, 13]), ...input.slice(2)], dtype: 'int8' }],
  },
];

const VALUES: unknown[] = [0, 1, -1, 2, 3, 4, 7, 8, 64, 512, 1 << 15, 2 ** 31 - 1, -(2 ** 31), true, false, 'x', 1.5];
const SHAPES = [[4], [1, 3], [2, 8], [1, 66], [1, 1, 1, 3], [1, 1, 2, 3], [3, 1, 4], [2, 2, 4, 3], [1, 64]];

function randomCase(spec: OpSpec, rnd: () => number): TestModel {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const fromValid = rnd() < 0.7;
  const options: Record<string, unknown> = {};
  for (const key of spec.keys) {
    if (fromValid && rnd() < 0.8) options[key] = spec.valid.options[key];
    else if (rnd() < 0.9) options[key] = pick(VALUES);
  }
  const input = fromValid && rnd() < 0.8 ? spec.valid.input : pick(SHAPES);
  const dtype = fromValid && rnd() < 0.8 ? spec.dtypes[0] : pick(spec.dtypes);
  const outputs = spec.outputs(input, pick).map((o) => (o.dtype === 'bool' ? o : { ...o, dtype }));
  return {
    tensors: [{ shape: input, dtype }, ...outputs],
    ops: [
      {
        op: spec.op,
        inputs: [0],
        outputs: outputs.map((_, k) => k + 1),
        customOptions: rnd() < 0.95 ? encode(options) : undefined,
      },
    ],
    inputs: [0],
    outputs: outputs.map((_, k) => k + 1),
  };
}

describe('streaming signal ops on random options and shapes', () => {
  it.each(OPS.map((spec) => [spec.op, spec] as const))('%s: runs or fails with a typed error', (_op, spec) => {
    const rnd = mulberry32(0x51 + spec.op.length);
    let ran = 0;
    for (let i = 0; i < 400; i++) {
      const interpreter = new Interpreter(loadModel(buildModel(randomCase(spec, rnd))));
      try {
        interpreter.allocate();
      } catch (e) {
        if (e instanceof ModelFormatError || e instanceof UnsupportedOpError) continue;
        throw e;
      }
      const input = interpreter.input(0).data;
      for (let k = 0; k < 3; k++) {
        input.set(Array.from({ length: input.length }, () => Math.floor(rnd() * 200) - 100));
        interpreter.invoke();
      }
      interpreter.reset();
      ran++;
    }
    // At least 5% of the (seeded) cases are valid, so the invoke and reset paths are exercised too.
    expect(ran).toBeGreaterThanOrEqual(20);
  });
});
