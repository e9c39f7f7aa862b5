/** RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR: the vectors of TFLM's resize_nearest_neighbor_test.cc and
 * resize_bilinear_test.cc (TFLM's own tolerances: 1e-5 for float bilinear, one step where its int8 tests allow). */
import { expectNear, runModel, TestDType, TestModel } from '../testing/model-builder';

function resize(
  op: 'RESIZE_NEAREST_NEIGHBOR' | 'RESIZE_BILINEAR',
  dtype: TestDType,
  inShape: number[],
  size: number[],
  flags: [boolean, boolean] = [false, false],
): TestModel {
  const q = dtype === 'float32' ? {} : { scale: 1, zeroPoint: 0 };
  const ids = op === 'RESIZE_BILINEAR' ? [2, 3] : [0, 1];
  return {
    tensors: [
      { shape: inShape, dtype, ...q },
      { shape: [2], dtype: 'int32', data: size },
      { shape: [inShape[0], size[0], size[1], inShape[3]], dtype, ...q },
    ],
    ops: [
      {
        op,
        inputs: [0, 1],
        outputs: [2],
        options: [
          { id: ids[0], bool: flags[0] },
          { id: ids[1], bool: flags[1] },
        ],
      },
    ],
    inputs: [0],
    outputs: [2],
  };
}

const cases: [string, number[], number[], number[], number[], number[]][] = [
  // name, input shape, size, input, nearest golden, bilinear golden
  ['HorizontalResize', [1, 1, 2, 1], [1, 3], [3, 6], [3, 3, 6], [3, 5, 6]],
  ['VerticalResize', [1, 2, 1, 1], [3, 1], [3, 9], [3, 3, 9], [3, 7, 9]],
  [
    'TwoDimensionalResize',
    [1, 2, 2, 1],
    [3, 3],
    [3, 6, 9, 12],
    [3, 3, 6, 3, 3, 6, 9, 9, 12],
    [3, 5, 6, 7, 9, 10, 9, 11, 12],
  ],
  [
    'TwoDimensionalResizeWithTwoBatches',
    [2, 2, 2, 1],
    [3, 3],
    [3, 6, 9, 12, 4, 10, 10, 16],
    [3, 3, 6, 3, 3, 6, 9, 9, 12, 4, 4, 10, 4, 4, 10, 10, 10, 16],
    [3, 5, 6, 7, 9, 10, 9, 11, 12, 4, 8, 10, 8, 12, 14, 10, 14, 16],
  ],
  [
    'ThreeDimensionalResize',
    [1, 2, 2, 2],
    [3, 3],
    [3, 4, 6, 10, 9, 10, 12, 16],
    [3, 4, 3, 4, 6, 10, 3, 4, 3, 4, 6, 10, 9, 10, 9, 10, 12, 16],
    [3, 4, 5, 8, 6, 10, 7, 8, 9, 12, 10, 14, 9, 10, 11, 14, 12, 16],
  ],
];

describe('RESIZE_NEAREST_NEIGHBOR (resize_nearest_neighbor_test.cc)', () => {
  it.each(cases)('%s (float32)', (_name, inShape, size, input, golden) => {
    expect(runModel(resize('RESIZE_NEAREST_NEIGHBOR', 'float32', inShape, size), [input])).toEqual(golden);
  });
  it.each([
    ['HorizontalResize', [1, 1, 2, 1], [1, 3], [-3, 6], [-3, -3, 6]],
    ['VerticalResize', [1, 2, 1, 1], [3, 1], [3, -9], [3, 3, -9]],
    ['TwoDimensionalResize', [1, 2, 2, 1], [3, 3], [3, -6, 9, 12], [3, 3, -6, 3, 3, -6, 9, 9, 12]],
    [
      'TwoDimensionalResizeWithTwoBatches',
      [2, 2, 2, 1],
      [3, 3],
      [3, 6, 9, -12, -4, 10, 10, 16],
      [3, 3, 6, 3, 3, 6, 9, 9, -12, -4, -4, 10, -4, -4, 10, 10, 10, 16],
    ],
    [
      'ThreeDimensionalResize',
      [1, 2, 2, 2],
      [3, 3],
      [3, 4, -6, 10, 10, 12, -14, 16],
      [3, 4, 3, 4, -6, 10, 3, 4, 3, 4, -6, 10, 10, 12, 10, 12, -14, 16],
    ],
  ])('%s (int8 and int16)', (_name, inShape, size, input, golden) => {
    for (const dtype of ['int8', 'int16'] as const)
      expect(runModel(resize('RESIZE_NEAREST_NEIGHBOR', dtype, inShape, size), [input])).toEqual(golden);
  });
  it('align_corners rounds and half_pixel_centers offsets the source position (TFLite resize_nearest_neighbor_test)', () => {
    const m = (flags: [boolean, boolean]): TestModel =>
      resize('RESIZE_NEAREST_NEIGHBOR', 'float32', [1, 2, 2, 1], [3, 3], flags);
    expect(runModel(m([true, false]), [[3, 6, 9, 12]])).toEqual([3, 6, 6, 9, 12, 12, 9, 12, 12]);
    expect(runModel(m([false, true]), [[3, 6, 9, 12]])).toEqual([3, 6, 6, 9, 12, 12, 9, 12, 12]);
  });
  it('refuses an output shape that does not match size at allocate()', () => {
    const m = resize('RESIZE_NEAREST_NEIGHBOR', 'float32', [1, 1, 2, 1], [1, 3]);
    m.tensors[2].shape = [1, 1, 4, 1];
    expect(() => runModel(m, [[3, 6]])).toThrow(/output shape/);
  });
});

describe('RESIZE_BILINEAR (resize_bilinear_test.cc)', () => {
  it.each(cases)('%s (float32)', (_name, inShape, size, input, _nearest, golden) => {
    expectNear(runModel(resize('RESIZE_BILINEAR', 'float32', inShape, size), [input]), golden, 1e-5);
  });
  it.each([
    ['HorizontalResizeInt8', [1, 1, 2, 1], [1, 3], [3, 6], [3, 5, 6], 0],
    ['VerticalResizeInt8', [1, 2, 1, 1], [3, 1], [3, 9], [3, 7, 9], 0],
    ['TwoDimensionalResizeInt8', [1, 2, 2, 1], [3, 3], [3, 6, 9, 12], [3, 5, 6, 7, 9, 10, 9, 11, 12], 0],
    [
      'TwoDimensionalResizeWithTwoBatchesInt8',
      [2, 2, 2, 1],
      [3, 3],
      [3, 6, 9, 12, 4, 10, 12, 16],
      [3, 5, 6, 7, 9, 10, 9, 11, 12, 4, 8, 10, 9, 12, 13, 12, 14, 16],
      1,
    ],
    [
      'ThreeDimensionalResizeInt8',
      [1, 2, 2, 2],
      [3, 3],
      [3, 4, 6, 10, 10, 12, 14, 16],
      [3, 4, 5, 8, 6, 10, 7, 9, 10, 12, 11, 13, 10, 12, 12, 14, 14, 16],
      1,
    ],
  ])('%s', (_name, inShape, size, input, golden, tolerance) => {
    expectNear(runModel(resize('RESIZE_BILINEAR', 'int8', inShape, size), [input]), golden, tolerance);
  });
  it('float32 weights are float32: 2-to-3 gives exactly fround(3 * (1 - 2/3 as float32) + 6 * (2/3 as float32))', () => {
    const w = Math.fround(2 / 3);
    const expected = Math.fround(Math.fround(3 * Math.fround(1 - w)) + Math.fround(6 * w));
    expect(runModel(resize('RESIZE_BILINEAR', 'float32', [1, 1, 2, 1], [1, 3]), [[3, 6]])[1]).toBe(expected);
  });
  it('refuses half_pixel_centers with align_corners at allocate()', () => {
    expect(() => runModel(resize('RESIZE_BILINEAR', 'float32', [1, 1, 2, 1], [1, 3], [true, true]), [[3, 6]])).toThrow(
      /half_pixel_centers/,
    );
  });
});
