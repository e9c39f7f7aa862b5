/**
 * SignalFramer on the cases of TFLM's signal/micro/kernels/framer_test.cc, with the options as TFLM's generated
 * FlexBuffers bytes (framer_flexbuffers_generated_data.cc): the same streaming loop, ready flags and frames.
 */
import { Interpreter } from '../../interpreter/interpreter';
import { loadModel } from '../../model/model-reader';
import { buildModel } from '../../testing/model-builder';

// {frame_size: 3, frame_step: 1, prefill: false} and {frame_size: 5, frame_step: 2, prefill: true}.
const FRAMER_3_1_0 = Uint8Array.from([
  0x66, 0x72, 0x61, 0x6d, 0x65, 0x5f, 0x73, 0x69, 0x7a, 0x65, 0x00, 0x66, 0x72, 0x61, 0x6d, 0x65, 0x5f, 0x73, 0x74,
  0x65, 0x70, 0x00, 0x70, 0x72, 0x65, 0x66, 0x69, 0x6c, 0x6c, 0x00, 0x03, 0x1f, 0x15, 0x0b, 0x03, 0x01, 0x03, 0x03,
  0x01, 0x00, 0x04, 0x04, 0x68, 0x06, 0x24, 0x01,
]);
const FRAMER_5_2_1 = Uint8Array.from([
  0x66, 0x72, 0x61, 0x6d, 0x65, 0x5f, 0x73, 0x69, 0x7a, 0x65, 0x00, 0x66, 0x72, 0x61, 0x6d, 0x65, 0x5f, 0x73, 0x74,
  0x65, 0x70, 0x00, 0x70, 0x72, 0x65, 0x66, 0x69, 0x6c, 0x6c, 0x00, 0x03, 0x1f, 0x15, 0x0b, 0x03, 0x01, 0x03, 0x05,
  0x02, 0x01, 0x04, 0x04, 0x68, 0x06, 0x24, 0x01,
]);

function framer(inputShape: number[], outputShape: number[], options: Uint8Array): Interpreter {
  const interpreter = new Interpreter(
    loadModel(
      buildModel({
        tensors: [
          { shape: inputShape, dtype: 'int16' },
          { shape: outputShape, dtype: 'int16' },
          { shape: [], dtype: 'bool' },
        ],
        ops: [{ op: 'CUSTOM:SignalFramer', inputs: [0], outputs: [1, 2], customOptions: options }],
        inputs: [0],
        outputs: [1, 2],
      }),
    ),
  );
  interpreter.allocate();
  return interpreter;
}

/** framer_test.cc TestFramerInvoke: streams golden[latency..] in input-sized pieces into every row. */
function streamAndCheck(
  interpreter: Interpreter,
  inputShape: number[],
  outputShape: number[],
  golden: number[],
  frameSize: number,
  frameStep: number,
  prefill: boolean,
): void {
  const latency = frameSize - frameStep;
  const inputSize = inputShape[inputShape.length - 1];
  const rows = inputShape.slice(0, -1).reduce((a, b) => a * b, 1);
  const framesPerRow = outputShape[outputShape.length - 2];
  for (let i = 0; i < golden.length - latency; i += inputSize) {
    const piece = golden.slice(latency + i, latency + i + inputSize);
    const input = interpreter.input(0).data;
    for (let r = 0; r < rows; r++) input.set(piece, r * inputSize);
    interpreter.invoke();
    const ready = interpreter.output(1).data[0] === 1;
    expect(ready).toBe(i >= latency || prefill);
    if (!ready) continue;
    const output = Array.from(interpreter.output(0).data);
    for (let r = 0; r < rows; r++)
      for (let frame = 0; frame < framesPerRow; frame++) {
        const at = r * frameSize * framesPerRow + frame * frameSize;
        const from = i + frame * frameStep;
        expect(output.slice(at, at + frameSize)).toEqual(golden.slice(from, from + frameSize));
      }
  }
}

const GOLDEN_3_1_0 = [0x0, 0x0, 0x1234, 0x5678, 0x4321, 0x7777];
const GOLDEN_5_2_1 = [0x0, 0x0, 0x0, 0x1010, 0x0202, 0x7070, 0x0606];

describe('SignalFramer (framer_test.cc)', () => {
  it.each([
    ['FramerTest_3_1_0', [1], [1, 3], FRAMER_3_1_0, GOLDEN_3_1_0, 3, 1, false],
    ['FramerTest_5_2_1', [2], [1, 5], FRAMER_5_2_1, GOLDEN_5_2_1, 5, 2, true],
    ['FramerTest_5_2_1_NFrames2', [4], [2, 5], FRAMER_5_2_1, GOLDEN_5_2_1, 5, 2, true],
    ['FramerTest_5_2_1_NFrames2OuterDims4', [2, 2, 4], [2, 2, 2, 5], FRAMER_5_2_1, GOLDEN_5_2_1, 5, 2, true],
  ] as const)('%s', (_name, inputShape, outputShape, options, golden, frameSize, frameStep, prefill) => {
    const interpreter = framer([...inputShape], [...outputShape], options);
    streamAndCheck(interpreter, [...inputShape], [...outputShape], [...golden], frameSize, frameStep, prefill);
  });

  it('TestReset: reset() empties the ring, so the stream starts over', () => {
    const interpreter = framer([1], [1, 3], FRAMER_3_1_0);
    streamAndCheck(interpreter, [1], [1, 3], GOLDEN_3_1_0, 3, 1, false);
    interpreter.reset();
    streamAndCheck(interpreter, [1], [1, 3], GOLDEN_3_1_0, 3, 1, false);
  });

  it('keeps TFLMSignalFramerParams, two pointer arrays and one ring per row on the device', () => {
    // Rows 4, capacity ceil(5 / 2) * 2 = 6: params 28, 2 x 16 (4 pointers), 4 x (24 + 4 * 6 = 48), each 16-aligned.
    const interpreter = framer([2, 2, 4], [2, 2, 2, 5], FRAMER_5_2_1);
    const op = interpreter.memory.ops[0];
    expect(op.persistentBytes).toBe(32 + 2 * 16 + 4 * 48);
    expect(op.hostOnlyBytes).toBe(0);
  });
});
