/** MIRROR_PAD: the vectors of TFLM's mirror_pad_test.cc (int8 data, int32 paddings; REFLECT and SYMMETRIC). */
import { InvokeError } from '../errors';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, runModel, TestDType, TestModel } from '../testing/model-builder';

const REFLECT = 0;
const SYMMETRIC = 1;

function mirrorPad(
  inShape: number[],
  pads: number[] | null,
  outShape: number[],
  mode: number,
  dtype: TestDType = 'int8',
  padType: 'int32' | 'int64' = 'int32',
): TestModel {
  const q = dtype === 'int8' ? { scale: 1, zeroPoint: 0 } : {};
  return {
    tensors: [
      { shape: inShape, dtype, ...q },
      { shape: [inShape.length, 2], dtype: padType, data: pads ?? undefined },
      { shape: outShape, dtype, ...q },
    ],
    ops: [{ op: 'MIRROR_PAD', inputs: [0, 1], outputs: [2], options: [{ id: 0, i8: mode }] }],
    inputs: pads ? [0] : [0, 1],
    outputs: [2],
  };
}

const x = [1, 2, 3, 4, 5, 6];

describe('MIRROR_PAD (mirror_pad_test.cc)', () => {
  it.each([
    ['EmptyPad', [0, 0, 0, 0], [2, 3], REFLECT, [1, 2, 3, 4, 5, 6]],
    ['PadOneSide_right_Reflect', [0, 1, 0, 1], [3, 4], REFLECT, [1, 2, 3, 2, 4, 5, 6, 5, 1, 2, 3, 2]],
    ['PadOneSide_left_Reflect', [1, 0, 1, 0], [3, 4], REFLECT, [5, 4, 5, 6, 2, 1, 2, 3, 5, 4, 5, 6]],
    ['PadOneSide_right_Symmetric', [0, 1, 0, 1], [3, 4], SYMMETRIC, [1, 2, 3, 3, 4, 5, 6, 6, 4, 5, 6, 6]],
    ['PadOneSide_left_Symmetric', [1, 0, 1, 0], [3, 4], SYMMETRIC, [1, 1, 2, 3, 1, 1, 2, 3, 4, 4, 5, 6]],
    [
      'PadBothSides_Symmetric',
      [1, 1, 1, 1],
      [4, 5],
      SYMMETRIC,
      [1, 1, 2, 3, 3, 1, 1, 2, 3, 3, 4, 4, 5, 6, 6, 4, 4, 5, 6, 6],
    ],
    [
      'PadBothSides_Reflect',
      [1, 1, 1, 1],
      [4, 5],
      REFLECT,
      [5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5, 2, 1, 2, 3, 2],
    ],
    [
      'PadBothSides_Symmetric_Whole',
      [2, 2, 3, 3],
      [6, 9],
      SYMMETRIC,
      [
        6, 5, 4, 4, 5, 6, 6, 5, 4, 3, 2, 1, 1, 2, 3, 3, 2, 1, 3, 2, 1, 1, 2, 3, 3, 2, 1, 6, 5, 4, 4, 5, 6, 6, 5, 4, 6,
        5, 4, 4, 5, 6, 6, 5, 4, 3, 2, 1, 1, 2, 3, 3, 2, 1,
      ],
    ],
    [
      'PadBothSides_Reflect_Whole',
      [1, 1, 2, 2],
      [4, 7],
      REFLECT,
      [6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1, 6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1],
    ],
    [
      'Pad_Symmetric',
      [1, 1, 2, 2],
      [4, 7],
      SYMMETRIC,
      [2, 1, 1, 2, 3, 3, 2, 2, 1, 1, 2, 3, 3, 2, 5, 4, 4, 5, 6, 6, 5, 5, 4, 4, 5, 6, 6, 5],
    ],
  ])('%s', (_name, pads, outShape, mode, golden) => {
    expect(runModel(mirrorPad([2, 3], pads, outShape, mode), [x])).toEqual(golden);
  });
  it.each([
    ['Pad_1D_Reflect', REFLECT, [1, 2, 3, 2, 1]],
    ['Pad_1D_Symmetric', SYMMETRIC, [1, 2, 3, 3, 2]],
  ])('%s', (_name, mode, golden) => {
    expect(runModel(mirrorPad([3], [0, 2], [5], mode), [[1, 2, 3]])).toEqual(golden);
  });
  it('float32 data and int64 paddings take the same path', () => {
    expect(runModel(mirrorPad([3], [0, 2], [5], REFLECT, 'float32', 'int64'), [[1.5, 2, 3]])).toEqual([
      1.5, 2, 3, 2, 1.5,
    ]);
  });
  it('reads runtime paddings and raises InvokeError for ones the mode does not allow', () => {
    const m = mirrorPad([3], null, [5], REFLECT);
    expect(
      runModel(m, [
        [1, 2, 3],
        [1, 1],
      ]),
    ).toEqual([2, 1, 2, 3, 2]);
    expect(() =>
      runModel(m, [
        [1, 2, 3],
        [0, 3],
      ]),
    ).toThrow(InvokeError);
    expect(() =>
      runModel(m, [
        [1, 2, 3],
        [0, 1],
      ]),
    ).toThrow(/output dimension/);
  });
  it('keeps the params (4 B), OpDataMirrorPad (20 B, 16-aligned) and requests two rank-sized int32 scratch buffers', () => {
    const interpreter = new Interpreter(loadModel(buildModel(mirrorPad([2, 3], [1, 1, 1, 1], [4, 5], REFLECT))));
    interpreter.allocate();
    expect(interpreter.memory.ops[0]).toMatchObject({ persistentBytes: 4 + 32, scratchBytes: 16 });
  });
});
