/**
 * SignalIrfft on the vectors of TFLM's signal/micro/kernels/fft_test.cc: the 64-point impulse cases (IrfftTest
 * Length64Float / Int16 / Int32 / Int32OuterDims4) and the 512-point random spectra of signal/testdata/
 * fft_test_data.cc (fft.vectors.ts). int16 and int32 compare exactly as TFLM's test does (tolerance 0);
 * float32 within TFLM's 1e-7 (the goldens are printed to 8 significant digits).
 */
import { ModelFormatError, UnsupportedOpError } from '../../errors';
import { Interpreter } from '../../interpreter/interpreter';
import { loadModel } from '../../model/model-reader';
import { buildModel, expectNear } from '../../testing/model-builder';
import * as V from './fft.vectors';

type FftType = 'int16' | 'int32' | 'float32';

function irfft(type: FftType, inputShape: number[], outputShape: number[], fftLength: 64 | 512): Interpreter {
  const interpreter = new Interpreter(
    loadModel(
      buildModel({
        tensors: [
          { shape: inputShape, dtype: type },
          { shape: outputShape, dtype: type },
        ],
        ops: [
          {
            op: 'CUSTOM:SignalIrfft',
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
  return interpreter;
}

function run(
  type: FftType,
  inputShape: number[],
  outputShape: number[],
  fftLength: 64 | 512,
  input: readonly number[],
) {
  const interpreter = irfft(type, inputShape, outputShape, fftLength);
  interpreter.input(0).data.set(input);
  interpreter.invoke();
  return Array.from(interpreter.output(0).data);
}

/** 33 bins of 256 + 0i: the spectrum of a 64-sample impulse. */
const FLAT_64 = Array.from({ length: 66 }, (_, i) => (i % 2 === 0 ? 256 : 0));
const IMPULSE_64 = [256, ...Array<number>(63).fill(0)];

describe('SignalIrfft (fft_test.cc)', () => {
  it.each([['int16'], ['int32']] as const)('IrfftTestLength64%s: a flat spectrum gives an impulse', (type) => {
    expect(run(type, [1, 66], [1, 64], 64, FLAT_64)).toEqual(IMPULSE_64);
  });

  it('IrfftTestLength64Float', () => {
    expectNear(run('float32', [1, 66], [1, 64], 64, FLAT_64), IMPULSE_64, 1e-7);
  });

  it('IrfftTestLength64Int32OuterDims4: every frame of a [2, 2, 66] input', () => {
    const input = [...FLAT_64, ...FLAT_64, ...FLAT_64, ...FLAT_64];
    expect(run('int32', [2, 2, 66], [2, 2, 64], 64, input)).toEqual([
      ...IMPULSE_64,
      ...IMPULSE_64,
      ...IMPULSE_64,
      ...IMPULSE_64,
    ]);
  });

  it('IrfftTestLength512Int16: bit for bit', () => {
    expect(run('int16', [1, 514], [1, 512], 512, V.IRFFT_INT16_512_INPUT)).toEqual(V.IRFFT_INT16_512_GOLDEN);
  });

  it('IrfftTestLength512Int32: bit for bit', () => {
    expect(run('int32', [1, 514], [1, 512], 512, V.IRFFT_INT32_512_INPUT)).toEqual(V.IRFFT_INT32_512_GOLDEN);
  });

  it('IrfftTestLength512Float', () => {
    const golden = [...V.IRFFT_FLOAT_512_GOLDEN];
    expectNear(run('float32', [1, 514], [1, 512], 512, V.IRFFT_FLOAT_512_INPUT), golden, 1e-7);
  });

  it('refuses a type TFLM does not register and frames that do not fit fft_length', () => {
    const model = (options: Uint8Array, out: number) =>
      new Interpreter(
        loadModel(
          buildModel({
            tensors: [
              { shape: [1, 66], dtype: 'int8' },
              { shape: [1, out], dtype: 'int8' },
            ],
            ops: [{ op: 'CUSTOM:SignalIrfft', inputs: [0], outputs: [1], customOptions: options }],
            inputs: [0],
            outputs: [1],
          }),
        ),
      );
    expect(() => model(V.fftOptions('int16', 64), 64).allocate()).toThrow(UnsupportedOpError);
    expect(() => irfft('int16', [1, 66], [1, 32], 64)).toThrow(ModelFormatError);
  });

  it('keeps TfLiteAudioFrontendIrfftParams and the kiss_fftr state of its type on the device', () => {
    // Params 24 -> 32; int16 state 12 + 264 + 4 * 256 + 4 * 384 = 2836 -> 2848; int32 complex values are 8 bytes:
    // 12 + 264 + 8 * 640 = 5396 -> 5408; float adds IrfftFloatState (8) to the float state: 5404 -> 5408.
    expect(irfft('int16', [1, 514], [1, 512], 512).memory.ops[0].persistentBytes).toBe(32 + 2848);
    expect(irfft('int32', [1, 514], [1, 512], 512).memory.ops[0].persistentBytes).toBe(32 + 5408);
    expect(irfft('float32', [1, 514], [1, 512], 512).memory.ops[0].persistentBytes).toBe(32 + 5408);
  });
});
