/**
 * SignalStacker on the cases of TFLM's signal/micro/kernels/stacker_test.cc, with the options as TFLM's generated
 * FlexBuffers bytes (stacker_flexbuffers_generated_data.cc).
 */
import { Interpreter } from '../../interpreter/interpreter';
import { loadModel } from '../../model/model-reader';
import { buildModel } from '../../testing/model-builder';

/** The generated map {num_channels, stacker_left_context: 1, stacker_right_context: 0, stacker_step}. */
function stackerOptions(channels: number, step: number): Uint8Array {
  return Uint8Array.from([
    0x6e,
    0x75,
    0x6d,
    0x5f,
    0x63,
    0x68,
    0x61,
    0x6e,
    0x6e,
    0x65,
    0x6c,
    0x73,
    0x00,
    0x73,
    0x74,
    0x61,
    0x63,
    0x6b,
    0x65,
    0x72,
    0x5f,
    0x6c,
    0x65,
    0x66,
    0x74,
    0x5f,
    0x63,
    0x6f,
    0x6e,
    0x74,
    0x65,
    0x78,
    0x74,
    0x00,
    0x73,
    0x74,
    0x61,
    0x63,
    0x6b,
    0x65,
    0x72,
    0x5f,
    0x72,
    0x69,
    0x67,
    0x68,
    0x74,
    0x5f,
    0x63,
    0x6f,
    0x6e,
    0x74,
    0x65,
    0x78,
    0x74,
    0x00,
    0x73,
    0x74,
    0x61,
    0x63,
    0x6b,
    0x65,
    0x72,
    0x5f,
    0x73,
    0x74,
    0x65,
    0x70,
    0x00,
    0x04,
    0x46,
    0x3a,
    0x26,
    0x11,
    0x04,
    0x01,
    0x04,
    channels,
    0x01,
    0x00,
    step,
    0x04,
    0x04,
    0x04,
    0x04,
    0x08,
    0x24,
    0x01,
  ]);
}
// g_gen_data_stacker_3_channels_step_1 and g_gen_data_stacker_10_channels_step_2.
const STACKER_3_CHANNELS_STEP_1 = stackerOptions(3, 1);
const STACKER_10_CHANNELS_STEP_2 = stackerOptions(10, 2);

function stacker(channels: number, stackSize: number, options: Uint8Array): Interpreter {
  const interpreter = new Interpreter(
    loadModel(
      buildModel({
        tensors: [
          { shape: [channels], dtype: 'int16' },
          { shape: [stackSize], dtype: 'int16' },
          { shape: [], dtype: 'bool' },
        ],
        ops: [{ op: 'CUSTOM:SignalStacker', inputs: [0], outputs: [1, 2], customOptions: options }],
        inputs: [0],
        outputs: [1, 2],
      }),
    ),
  );
  interpreter.allocate();
  return interpreter;
}

function invoke(interpreter: Interpreter, input: number[]): { ready: boolean; output: number[] } {
  interpreter.input(0).data.set(input);
  interpreter.invoke();
  return { ready: interpreter.output(1).data[0] === 1, output: Array.from(interpreter.output(0).data) };
}

const input3 = [0x1234, 0x5678, 0x4321];
const input10a = [252, 477, 1071, 166, 1022, 312, 1171, 1586, 1491, 145];
const input10b = [1060, 200, 69, 1519, 883, 1317, 182, 724, 143, 334];

describe('SignalStacker (stacker_test.cc)', () => {
  it.each([
    ['StackerTest3ChannelStep1', 3, STACKER_3_CHANNELS_STEP_1, input3],
    ['StackerTest10ChannelStep2_1stTest', 10, STACKER_10_CHANNELS_STEP_2, input10a],
    ['StackerTest10ChannelStep2_2ndTest', 10, STACKER_10_CHANNELS_STEP_2, input10b],
  ] as const)('%s: the first frame is repeated left_context times', (_name, channels, options, input) => {
    const interpreter = stacker(channels, 2 * channels, options);
    // Golden: the input twice (left context 1 padded with the first frame).
    expect(invoke(interpreter, [...input])).toEqual({ ready: true, output: [...input, ...input] });
  });

  // TFLM's step-1 reset case passes with or without a reset (the ring keeps exactly the padding frame), so
  // only the step-2 ones are ported: without the reset the second invoke would have a single frame.
  it.each([
    ['StackerTestReset10ChannelStep2_1stTest', input10a],
    ['StackerTestReset10ChannelStep2_2ndTest', input10b],
  ] as const)('%s: after reset() the first frame pads again', (_name, input) => {
    const interpreter = stacker(10, 20, STACKER_10_CHANNELS_STEP_2);
    expect(invoke(interpreter, [...input])).toEqual({ ready: true, output: [...input, ...input] });
    interpreter.reset();
    expect(invoke(interpreter, [...input])).toEqual({ ready: true, output: [...input, ...input] });
  });

  it('stacks the previous and the new frame, and with step 2 skips every other invoke', () => {
    const step1 = stacker(3, 6, STACKER_3_CHANNELS_STEP_1);
    invoke(step1, input3);
    expect(invoke(step1, [1, 2, 3])).toEqual({ ready: true, output: [...input3, 1, 2, 3] });
    const step2 = stacker(10, 20, STACKER_10_CHANNELS_STEP_2);
    invoke(step2, input10a);
    // The stack discarded 2 frames of the 2 it held: the next invoke has 1 frame, not enough.
    expect(invoke(step2, input10b)).toEqual({ ready: false, output: Array(20).fill(0) });
    expect(invoke(step2, input10a)).toEqual({ ready: true, output: [...input10b, ...input10a] });
  });

  it('keeps TFLMSignalStackerParams and the ring of (left + 1 + right) frames on the device', () => {
    // Params 36 -> 48; ring 24 + 4 * 6 = 48.
    expect(stacker(3, 6, STACKER_3_CHANNELS_STEP_1).memory.ops[0].persistentBytes).toBe(48 + 48);
  });
});
