/**
 * SignalOverlapAdd on the cases of TFLM's signal/micro/kernels/overlap_add_test.cc, with the options as TFLM's
 * generated FlexBuffers bytes (overlap_add_flexbuffers_generated_data.cc). TFLM compares with memcmp: exact,
 * float32 included.
 */
import { UnsupportedOpError } from '../../errors';
import { Interpreter } from '../../interpreter/interpreter';
import { loadModel } from '../../model/model-reader';
import { buildModel } from '../../testing/model-builder';

/** g_gen_data_overlap_add_float / _int16: {T: 0 or 7, frame_step: 1}. */
const overlapAddOptions = (type: number, frameStep: number): Uint8Array =>
  Uint8Array.from([
    0x66,
    0x72,
    0x61,
    0x6d,
    0x65,
    0x5f,
    0x73,
    0x74,
    0x65,
    0x70,
    0x00,
    0x54,
    0x00,
    0x02,
    0x03,
    0x0f,
    0x02,
    0x01,
    0x02,
    type,
    frameStep,
    0x04,
    0x04,
    0x04,
    0x24,
    0x01,
  ]);

function overlapAdd(
  dtype: 'int16' | 'float32',
  inputShape: number[],
  outputShape: number[],
  frameStep = 1,
): Interpreter {
  const interpreter = new Interpreter(
    loadModel(
      buildModel({
        tensors: [
          { shape: inputShape, dtype },
          { shape: outputShape, dtype },
        ],
        ops: [
          {
            op: 'CUSTOM:SignalOverlapAdd',
            inputs: [0],
            outputs: [1],
            customOptions: overlapAddOptions(dtype === 'int16' ? 7 : 0, frameStep),
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

/** overlap_add_test.cc TestOverlapAddInvoke: each invoke takes n_frames frames into every row. */
function streamAndCheck(interpreter: Interpreter, rows: number, frames: number, input: number[], golden: number[]) {
  const frameSize = 3;
  const iters = input.length / (frames * frameSize);
  for (let i = 0; i < iters; i++) {
    const piece = input.slice(i * frames * frameSize, (i + 1) * frames * frameSize);
    for (let r = 0; r < rows; r++) interpreter.input(0).data.set(piece, r * frames * frameSize);
    interpreter.invoke();
    const output = Array.from(interpreter.output(0).data);
    for (let r = 0; r < rows; r++)
      expect(output.slice(r * frames, (r + 1) * frames)).toEqual(golden.slice(i * frames, (i + 1) * frames));
  }
}

const INT16_INPUT = [125, -12, -895, 1000, 65, -212, 63, 71, 52, 1, -17, 32];
const INT16_GOLDEN = [125, 988, -767, -140];
const f32 = (values: number[]): number[] => values.map((v) => Math.fround(v));

describe('SignalOverlapAdd (overlap_add_test.cc)', () => {
  it('OverlapAddTestInt16', () => {
    streamAndCheck(overlapAdd('int16', [1, 3], [1]), 1, 1, INT16_INPUT, INT16_GOLDEN);
  });

  it('OverlapAddTestFloat: float32 sums, bit for bit', () => {
    const input = f32([12.5, -1.2, -89.5, 100.0, 6.5, -21.2, 6.3, 7.1, 5.2, 0.1, -1.7, 3.2]);
    streamAndCheck(overlapAdd('float32', [1, 3], [1]), 1, 1, input, f32([12.5, 98.8, -76.7, -14.0]));
  });

  it('OverlapAddTestNframes4Int16', () => {
    streamAndCheck(overlapAdd('int16', [4, 3], [4]), 1, 4, INT16_INPUT, INT16_GOLDEN);
  });

  it('OverlapAddTestNframes4OuterDims4Int16', () => {
    streamAndCheck(overlapAdd('int16', [2, 2, 4, 3], [2, 2, 4]), 4, 4, INT16_INPUT, INT16_GOLDEN);
  });

  it('testReset: reset() zeroes the overlap buffers', () => {
    const interpreter = overlapAdd('int16', [2, 2, 4, 3], [2, 2, 4]);
    streamAndCheck(interpreter, 4, 4, INT16_INPUT, INT16_GOLDEN);
    interpreter.reset();
    streamAndCheck(interpreter, 4, 4, INT16_INPUT, INT16_GOLDEN);
  });

  it('saturates int16 sums', () => {
    const interpreter = overlapAdd('int16', [3, 3], [3]);
    interpreter.input(0).data.set([0, 30000, 30000, 30000, 30000, 0, -32768, 0, 0]);
    interpreter.invoke();
    // Frame 2 lands 30000 on 30000: the buffer keeps 32767 (not 60000), so frame 3 gives 32767 - 32768.
    expect(Array.from(interpreter.output(0).data)).toEqual([0, 32767, -1]);
  });

  it('refuses a frame_step longer than the frame', () => {
    expect(() => overlapAdd('int16', [1, 1], [2], 2)).toThrow(UnsupportedOpError);
  });

  it('keeps TFLMSignalOverlapAddParams, the pointer array and one frame buffer per row on the device', () => {
    // Params 24 -> 32, 4 pointers 16, 4 x 3 int16 (6 -> 16).
    expect(overlapAdd('int16', [2, 2, 4, 3], [2, 2, 4]).memory.ops[0].persistentBytes).toBe(32 + 16 + 4 * 16);
  });
});
