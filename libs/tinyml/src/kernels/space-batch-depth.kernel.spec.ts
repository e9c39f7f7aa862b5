/**
 * BATCH_TO_SPACE_ND, SPACE_TO_BATCH_ND, DEPTH_TO_SPACE, SPACE_TO_DEPTH: the vectors of TFLM's
 * batch_to_space_nd_test.cc, space_to_batch_nd_test.cc, depth_to_space_test.cc and space_to_depth_test.cc, plus
 * crops / paddings (which TFLM's tests do not exercise) against an index oracle written from the op definitions.
 */
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, runModel, TestModel } from '../testing/model-builder';

type DataType = 'float32' | 'int8';
const q = (dtype: DataType, zeroPoint = 0): { scale?: number; zeroPoint?: number } =>
  dtype === 'int8' ? { scale: 1, zeroPoint } : {};
const iota = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

function spaceBatch(
  op: 'BATCH_TO_SPACE_ND' | 'SPACE_TO_BATCH_ND',
  dtype: DataType,
  inShape: number[],
  block: number[],
  pads: number[],
  outShape: number[],
  zeroPoint = 0,
): TestModel {
  return {
    tensors: [
      { shape: inShape, dtype, ...q(dtype, zeroPoint) },
      { shape: [block.length], dtype: 'int32', data: block },
      { shape: [block.length, 2], dtype: 'int32', data: pads },
      { shape: outShape, dtype, ...q(dtype, zeroPoint) },
    ],
    ops: [{ op, inputs: [0, 1, 2], outputs: [3] }],
    inputs: [0],
    outputs: [3],
  };
}

/** SpaceToBatchND by definition: out[(sh*bw+sw)*N + n, oh, ow, c] = padded[n, oh*bh+sh, ow*bw+sw, c]. */
function spaceToBatchOracle(inShape: number[], block: number[], pads: number[], x: number[], pad: number): number[] {
  const [n, h, w, c] = inShape;
  const [bh, bw] = block;
  const outH = (h + pads[0] + pads[1]) / bh;
  const outW = (w + pads[2] + pads[3]) / bw;
  const out: number[] = [];
  for (let ob = 0; ob < n * bh * bw; ob++) {
    const b = ob % n;
    const sw = Math.floor(ob / n) % bw;
    const sh = Math.floor(ob / n / bw);
    for (let oh = 0; oh < outH; oh++)
      for (let ow = 0; ow < outW; ow++)
        for (let k = 0; k < c; k++) {
          const ih = oh * bh + sh - pads[0];
          const iw = ow * bw + sw - pads[2];
          out.push(ih < 0 || ih >= h || iw < 0 || iw >= w ? pad : x[((b * h + ih) * w + iw) * c + k]);
        }
  }
  return out;
}

describe('BATCH_TO_SPACE_ND (batch_to_space_nd_test.cc)', () => {
  it.each([['float32'], ['int8']] as const)('BatchToSpaceBasic %s', (dtype) => {
    const m = spaceBatch('BATCH_TO_SPACE_ND', dtype, [4, 2, 2, 1], [2, 2], [0, 0, 0, 0], [1, 4, 4, 1]);
    expect(runModel(m, [iota(16)])).toEqual([1, 5, 2, 6, 9, 13, 10, 14, 3, 7, 4, 8, 11, 15, 12, 16]);
  });
  it('inverts SPACE_TO_BATCH_ND and drops the crops (padded 4-D and 3-D NHC)', () => {
    for (const [inShape, block, pads] of [
      [
        [1, 5, 2, 1],
        [3, 2],
        [1, 0, 2, 0],
      ],
      [
        [2, 3, 4, 2],
        [2, 2],
        [1, 0, 0, 2],
      ],
      [[1, 5, 2], [2], [1, 0]],
    ]) {
      const four = inShape.length === 3 ? [inShape[0], inShape[1], 1, inShape[2]] : inShape;
      const fourBlock = block.length === 1 ? [block[0], 1] : block;
      const fourPads = pads.length === 2 ? [...pads, 0, 0] : pads;
      const x = iota(inShape.reduce((a, b) => a * b, 1));
      const batched = spaceToBatchOracle(four, fourBlock, fourPads, x, 0);
      const outH = (four[1] + fourPads[0] + fourPads[1]) / fourBlock[0];
      const outW = (four[2] + fourPads[2] + fourPads[3]) / fourBlock[1];
      const batchShape = [
        four[0] * fourBlock[0] * fourBlock[1],
        outH,
        ...(inShape.length === 4 ? [outW] : []),
        four[3],
      ];
      const m = spaceBatch('BATCH_TO_SPACE_ND', 'float32', batchShape, block, pads, inShape);
      expect(runModel(m, [batched])).toEqual(x);
    }
  });
  it('refuses crops that do not give the output shape at allocate()', () => {
    const m = spaceBatch('BATCH_TO_SPACE_ND', 'float32', [4, 2, 2, 1], [2, 2], [1, 0, 0, 0], [1, 4, 4, 1]);
    expect(() => runModel(m, [iota(16)])).toThrow(/crops/);
  });
});

describe('SPACE_TO_BATCH_ND (space_to_batch_nd_test.cc)', () => {
  it.each([['float32'], ['int8']] as const)('SpaceToBatchBasic %s', (dtype) => {
    const m = spaceBatch('SPACE_TO_BATCH_ND', dtype, [1, 4, 4, 1], [2, 2], [0, 0, 0, 0], [4, 2, 2, 1]);
    expect(runModel(m, [iota(16)])).toEqual([1, 3, 9, 11, 2, 4, 10, 12, 5, 7, 13, 15, 6, 8, 14, 16]);
  });
  it('pads with 0 (float32) and with the output zero point (int8, the reference memset)', () => {
    const inShape = [1, 5, 2, 1];
    const x = iota(10);
    const f = spaceBatch('SPACE_TO_BATCH_ND', 'float32', inShape, [3, 2], [1, 0, 2, 0], [6, 2, 2, 1]);
    expect(runModel(f, [x])).toEqual(spaceToBatchOracle(inShape, [3, 2], [1, 0, 2, 0], x, 0));
    const i8 = spaceBatch('SPACE_TO_BATCH_ND', 'int8', inShape, [3, 2], [1, 0, 2, 0], [6, 2, 2, 1], -5);
    expect(runModel(i8, [x])).toEqual(spaceToBatchOracle(inShape, [3, 2], [1, 0, 2, 0], x, -5));
  });
  it('keeps SpaceToBatchParams (Init, one int32, 16-aligned) on the device', () => {
    const m = spaceBatch('SPACE_TO_BATCH_ND', 'int8', [1, 4, 4, 1], [2, 2], [0, 0, 0, 0], [4, 2, 2, 1]);
    const interpreter = new Interpreter(loadModel(buildModel(m)));
    interpreter.allocate();
    expect(interpreter.memory.ops[0].persistentBytes).toBe(16);
  });
});

function depthSpace(op: string, dtype: DataType, inShape: number[], blockSize: number, outShape: number[]): TestModel {
  return {
    tensors: [
      { shape: inShape, dtype, ...q(dtype) },
      { shape: outShape, dtype, ...q(dtype) },
    ],
    ops: [{ op, inputs: [0], outputs: [1], options: [{ id: 0, i32: blockSize }] }],
    inputs: [0],
    outputs: [1],
  };
}

describe('DEPTH_TO_SPACE (depth_to_space_test.cc)', () => {
  it.each([
    ['1114_2', [1, 1, 1, 4], 2, [1, 2, 2, 1], [14, 23, 32, 41], [14, 23, 32, 41]],
    ['1124_2', [1, 1, 2, 4], 2, [1, 2, 4, 1], iota(8), [1, 2, 5, 6, 3, 4, 7, 8]],
    ['1214_2', [1, 2, 1, 4], 2, [1, 4, 2, 1], iota(8), iota(8)],
    ['1224_2', [1, 2, 2, 4], 2, [1, 4, 4, 1], iota(16), [1, 2, 5, 6, 3, 4, 7, 8, 9, 10, 13, 14, 11, 12, 15, 16]],
    ['1111_1', [1, 1, 1, 1], 1, [1, 1, 1, 1], [4], [4]],
  ])('DepthToSpaceOpModel %s (float32 and int8)', (_name, inShape, bs, outShape, input, golden) => {
    for (const dtype of ['float32', 'int8'] as const)
      expect(runModel(depthSpace('DEPTH_TO_SPACE', dtype, inShape, bs, outShape), [input])).toEqual(golden);
  });
  it('keeps TfLiteDepthToSpaceParams (4 B) and the relocated output dims (20 B, 16-aligned)', () => {
    const interpreter = new Interpreter(
      loadModel(buildModel(depthSpace('DEPTH_TO_SPACE', 'int8', [1, 1, 1, 4], 2, [1, 2, 2, 1]))),
    );
    interpreter.allocate();
    expect(interpreter.memory.ops[0].persistentBytes).toBe(4 + 32);
  });
  it('refuses a depth not divisible by block_size² at allocate()', () => {
    expect(() => runModel(depthSpace('DEPTH_TO_SPACE', 'float32', [1, 1, 1, 3], 2, [1, 2, 2, 1]), [[1, 2, 3]])).toThrow(
      /divisible/,
    );
  });
});

describe('SPACE_TO_DEPTH (space_to_depth_test.cc)', () => {
  it.each([
    ['Float32_1222', 'float32', [1, 2, 2, 2], [1, 1, 1, 8], [1.4, 2.3, 3.2, 4.1, 5.4, 6.3, 7.2, 8.1], null],
    ['Int8_1221', 'int8', [1, 2, 2, 1], [1, 1, 1, 4], [1, 2, 3, 4], null],
    ['Int8_1223', 'int8', [1, 2, 2, 3], [1, 1, 1, 12], iota(12), null],
    [
      'Int8_1441',
      'int8',
      [1, 4, 4, 1],
      [1, 2, 2, 4],
      [1, 2, 5, 6, 3, 4, 7, 8, 9, 10, 13, 14, 11, 12, 15, 16],
      iota(16),
    ],
  ] as const)('SpaceToDepth_%s', (_name, dtype, inShape, outShape, input, golden) => {
    const out = runModel(depthSpace('SPACE_TO_DEPTH', dtype, [...inShape], 2, [...outShape]), [input]);
    expect(out).toEqual((golden ?? input).map((v) => (dtype === 'float32' ? Math.fround(v) : v)));
  });
});
