/**
 * SignalRfft on the vectors of TFLM's signal/micro/kernels/fft_test.cc: the 64-point impulse cases
 * (RfftTestSize64Float / Int16 / Int32 / Int32OuterDims4) and the 512-point random frames of
 * signal/testdata/fft_test_data.cc (fft.vectors.ts): int32 exact as TFLM's test, int16 exact too (TFLM's test allows
 * 3), float32 within TFLM's 1e-5 (the goldens are printed to 9 significant digits).
 */
import { Interpreter } from '../../interpreter/interpreter';
import { loadModel } from '../../model/model-reader';
import { buildModel, expectNear } from '../../testing/model-builder';
import * as V from './fft.vectors';

type FftType = 'int16' | 'int32' | 'float32';

function run(
  type: FftType,
  inputShape: number[],
  outputShape: number[],
  fftLength: 64 | 512,
  input: readonly number[],
) {
  const interpreter = new Interpreter(
    loadModel(
      buildModel({
        tensors: [
          { shape: inputShape, dtype: type },
          { shape: outputShape, dtype: type },
        ],
        ops: [
          {
            op: 'CUSTOM:SignalRfft',
            inputs: [0],
            outputs: [1],
            customOptions: V.fftOptions(type, fftLength),
          },
        ],
        inputs: [0],
        outputs: [1],
      }),
    ),
  );
  interpreter.allocate();
  interpreter.input(0).data.set(input);
  interpreter.invoke();
  return { output: Array.from(interpreter.output(0).data), memory: interpreter.memory };
}

const IMPULSE_64 = [16384, ...Array<number>(63).fill(0)];
/** 33 bins of v + 0i. */
const flat = (v: number): number[] => Array.from({ length: 66 }, (_, i) => (i % 2 === 0 ? v : 0));

describe('SignalRfft (fft_test.cc)', () => {
  it('RfftTestSize64Float: an impulse of 16384 gives 16384 + 0i in every bin (unscaled)', () => {
    expectNear(run('float32', [1, 64], [1, 66], 64, IMPULSE_64).output, flat(16384), 1e-7);
  });

  it.each([['int16'], ['int32']] as const)('RfftTestSize64%s: scaled by 1 / 64, 256 + 0i in every bin', (type) => {
    expect(run(type, [1, 64], [1, 66], 64, IMPULSE_64).output).toEqual(flat(256));
  });

  it('RfftTestSize64Int32OuterDims4: every frame of a [2, 2, 64] input', () => {
    const input = [...IMPULSE_64, ...IMPULSE_64, ...IMPULSE_64, ...IMPULSE_64];
    expect(run('int32', [2, 2, 64], [2, 2, 66], 64, input).output).toEqual([
      ...flat(256),
      ...flat(256),
      ...flat(256),
      ...flat(256),
    ]);
  });

  it('RfftTestSize512Int16: bit for bit', () => {
    expect(run('int16', [1, 512], [1, 514], 512, V.RFFT_INT16_512_INPUT).output).toEqual(V.RFFT_INT16_512_GOLDEN);
  });

  it('RfftTestSize512Int32: bit for bit', () => {
    expect(run('int32', [1, 512], [1, 514], 512, V.RFFT_INT32_512_INPUT).output).toEqual(V.RFFT_INT32_512_GOLDEN);
  });

  it('RfftTestSize512Float', () => {
    const golden = [...V.RFFT_FLOAT_512_GOLDEN];
    expectNear(run('float32', [1, 512], [1, 514], 512, V.RFFT_FLOAT_512_INPUT).output, golden, 1e-5);
  });

  it('keeps the params, the kiss_fftr state of its type and an fft_length work area of its type', () => {
    // Params 32; int32 state 12 + 264 + 8 * 640 = 5396 -> 5408; scratch 512 int32.
    const { memory } = run('int32', [1, 512], [1, 514], 512, V.RFFT_INT32_512_INPUT);
    expect(memory.ops[0].persistentBytes).toBe(32 + 5408);
    expect(memory.ops[0].scratchBytes).toBe(2048);
  });
});
