/**
 * SignalDelay on the cases of TFLM's signal/micro/kernels/delay_test.cc, with the options as TFLM's generated
 * FlexBuffers bytes (delay_flexbuffers_generated_data.cc).
 */
import { UnsupportedOpError } from '../../errors';
import { Interpreter } from '../../interpreter/interpreter';
import { loadModel } from '../../model/model-reader';
import { buildModel } from '../../testing/model-builder';

/** g_gen_data_3_delay / g_gen_data_5_delay: {delay_length}. */
const delayOptions = (delayLength: number): Uint8Array =>
  Uint8Array.from([
    0x64,
    0x65,
    0x6c,
    0x61,
    0x79,
    0x5f,
    0x6c,
    0x65,
    0x6e,
    0x67,
    0x74,
    0x68,
    0x00,
    0x01,
    0x0e,
    0x01,
    0x01,
    0x01,
    delayLength,
    0x04,
    0x02,
    0x24,
    0x01,
  ]);

function delay(shape: number[], delayLength: number): Interpreter {
  const interpreter = new Interpreter(
    loadModel(
      buildModel({
        tensors: [
          { shape, dtype: 'int16' },
          { shape, dtype: 'int16' },
        ],
        ops: [{ op: 'CUSTOM:SignalDelay', inputs: [0], outputs: [1], customOptions: delayOptions(delayLength) }],
        inputs: [0],
        outputs: [1],
      }),
    ),
  );
  interpreter.allocate();
  return interpreter;
}

/** delay_test.cc TestDelayInvoke: one invoke per input-sized piece, each output against its golden piece. */
function streamAndCheck(interpreter: Interpreter, input: number[], golden: number[], size: number): void {
  for (let i = 0; i < input.length / size; i++) {
    interpreter.input(0).data.set(input.slice(i * size, (i + 1) * size));
    interpreter.invoke();
    expect(Array.from(interpreter.output(0).data)).toEqual(golden.slice(i * size, (i + 1) * size));
  }
}

const z = (n: number): number[] => Array<number>(n).fill(0);
const CASES = {
  SingleDimDelayLessThanFrameSize: {
    shape: [8],
    delay: 3,
    input: [1, 2, 3, 4, 5, 6, 7, 8, ...z(8)],
    golden: [0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0],
  },
  SingleDimDelayGreaterThanFrameSize: {
    shape: [3],
    delay: 5,
    input: [1, 2, 3, 4, 0, 0, 0, 0, 0],
    golden: [0, 0, 0, 0, 0, 1, 2, 3, 4],
  },
  MultiDimDelayLessThanFrameSize: {
    shape: [4, 4],
    delay: 3,
    input: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, ...z(16)],
    golden: [0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 9, 0, 0, 0, 13, 2, 3, 4, 0, 6, 7, 8, 0, 10, 11, 12, 0, 14, 15, 0, 0],
  },
  MultiDimDelayGreaterThanFrameSize: {
    shape: [4, 4],
    delay: 5,
    input: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, ...z(32)],
    golden: [...z(16), 0, 1, 2, 3, 0, 5, 6, 7, 0, 9, 10, 11, 0, 13, 14, 15, 4, 0, 0, 0, 8, 0, 0, 0, 12, ...z(7)],
  },
};

describe('SignalDelay (delay_test.cc)', () => {
  it.each(Object.entries(CASES))('DelayTest%s', (_name, c) => {
    const size = c.shape.reduce((a, b) => a * b, 1);
    streamAndCheck(delay(c.shape, c.delay), c.input, c.golden, size);
  });

  it.each([['SingleDimDelayLessThanFrameSize'], ['SingleDimDelayGreaterThanFrameSize']] as const)(
    'DelayTestReset%s: reset() primes the rings with zeros again',
    (name) => {
      const c = CASES[name];
      const interpreter = delay(c.shape, c.delay);
      streamAndCheck(interpreter, c.input, c.golden, c.shape[0]);
      // Feed samples the reset must drop, then start over.
      interpreter.input(0).data.fill(7);
      interpreter.invoke();
      interpreter.reset();
      streamAndCheck(interpreter, c.input, c.golden, c.shape[0]);
    },
  );

  it('refuses state beyond its bounds before allocating it (one ring per row for 70,000 rows)', () => {
    expect(() => delay([70000, 1], 3)).toThrow(UnsupportedOpError);
  });

  it('keeps TFLMSignalFrontendDelayParams, two pointer arrays and a frame + delay ring per row', () => {
    // Params 20 -> 32, 2 x 16 (4 pointers), 4 rings of 24 + 4 * (4 + 3) = 52 -> 64.
    expect(delay([4, 4], 3).memory.ops[0].persistentBytes).toBe(32 + 2 * 16 + 4 * 64);
  });
});
