/**
 * CUSTOM:TFLite_Detection_PostProcess: every vector of TFLM's detection_postprocess_test.cc (fast and regular NMS,
 * with and without a background class, with keypoints after the box, the stable-sort case), then our own cases
 * for what those vectors do not reach. TFLM's test compares with a tolerance (0, 0.1 or 0.3); the expected values
 * here are the float32 values TFLM's arithmetic produces, compared exactly (each within TFLM's tolerance of its
 * golden, which is also checked). TFLM has no quantized vector: its kernel refuses non-float inputs in Eval.
 */
import { encode } from 'flatbuffers/js/flexbuffers';
import { InvokeError, ModelFormatError, UnsupportedOpError } from '../errors';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { allocatedBytesPerCall } from '../testing/heap-allocations';
import { buildModel, expectNear, TestDType, TestModel } from '../testing/model-builder';
import { DECODE_ANCHORS, DECODE_BOX_ENCODINGS, DECODE_CORNERS, DECODE_SCALES } from './detection-postprocess.vectors';

const OP = 'CUSTOM:TFLite_Detection_PostProcess';

/**
 * The custom options of TFLM's test, detection_postprocess_flexbuffers_generated_data.cc (g_gen_data_*_nms, 242
 * bytes): max_detections 3, max_classes_per_detection 1, detections_per_class 1, nms_score_threshold 0,
 * nms_iou_threshold 0.5, num_classes 2, y_scale 10, x_scale 10, h_scale 5, w_scale 5, use_regular_nms at byte
 * 212 (0 fast, 1 regular: the only byte where the two arrays differ).
 */
const TFLM_OPTIONS_HEX =
  '6d61785f646574656374696f6e73006d61785f636c61737365735f7065725f646574656374696f6e00646574656374696f6e735f' +
  '7065725f636c617373007573655f726567756c61725f6e6d73006e6d735f73636f72655f7468726573686f6c64006e6d735f696f' +
  '755f7468726573686f6c64006e756d5f636c617373657300795f7363616c6500785f7363616c6500685f7363616c6500775f7363' +
  '616c65000b781294a44358336a11222b0b000000010000000b000000010000000000a04001000000030000000000003f00000000' +
  '02000000000000000000a0400000204100002041060e06060e0e066a0e0e0e372601';

function tflmOptions(regular: boolean): Uint8Array {
  const bytes = new Uint8Array(Buffer.from(TFLM_OPTIONS_HEX, 'hex'));
  bytes[212] = regular ? 1 : 0;
  return bytes;
}

/** Six boxes in center-size encoding (TFLM kInputData1); `keypoint` appends a fifth value to each. */
function boxEncodings(keypoint: boolean): number[] {
  const boxes = [
    [0, 0, 0, 0],
    [0, 1, 0, 0],
    [0, -1, 0, 0],
    [0, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 0, 0],
  ];
  return boxes.flatMap((b) => (keypoint ? [...b, 1] : b));
}

/** Class scores, two classes after a background column (TFLM kInputData2). */
const SCORES_WITH_BACKGROUND = [0, 0.9, 0.8, 0, 0.75, 0.72, 0, 0.6, 0.5, 0, 0.93, 0.95, 0, 0.5, 0.4, 0, 0.3, 0.2];
/** The same two classes without background (TFLM's NoBackgroundClass tests). */
const SCORES_NO_BACKGROUND = [0.9, 0.8, 0.75, 0.72, 0.6, 0.5, 0.93, 0.95, 0.5, 0.4, 0.3, 0.2];
/** Six anchors in center-size encoding (TFLM kInputData3): boxes 0..1, 0.1..1.1, -0.1..0.9, 10..11, 10.1..11.1, 100..101. */
const ANCHORS = [0.5, 0.5, 1, 1, 0.5, 0.5, 1, 1, 0.5, 0.5, 1, 1, 0.5, 10.5, 1, 1, 0.5, 10.5, 1, 1, 0.5, 100.5, 1, 1];

interface Case {
  boxes: number[];
  boxShape: number[];
  scores: number[];
  scoreShape: number[];
  anchors?: number[];
  options: Uint8Array;
  /** Outputs: detections (boxes have 4x). */
  detections?: number;
  dtype?: TestDType;
}

function model(c: Case): TestModel {
  const dtype = c.dtype ?? 'float32';
  const q = dtype === 'float32' ? {} : { scale: 0.01, zeroPoint: 0 };
  const n = c.detections ?? 3;
  const anchors = c.anchors ?? ANCHORS;
  return {
    tensors: [
      { shape: c.boxShape, dtype, ...q },
      { shape: c.scoreShape, dtype, ...q },
      { shape: [anchors.length / 4, 4], dtype: 'float32', data: anchors },
      { shape: [1, n, 4], dtype: 'float32' },
      { shape: [1, n], dtype: 'float32' },
      { shape: [1, n], dtype: 'float32' },
      { shape: [1], dtype: 'float32' },
    ],
    ops: [{ op: OP, inputs: [0, 1, 2], outputs: [3, 4, 5, 6], customOptions: c.options }],
    inputs: [0, 1],
    outputs: [3, 4, 5, 6],
  };
}

function interpreterFor(c: Case): Interpreter {
  const interpreter = new Interpreter(loadModel(buildModel(model(c))));
  interpreter.allocate();
  return interpreter;
}

function run(c: Case, interpreter = interpreterFor(c)): number[][] {
  interpreter.input(0).data.set(c.boxes);
  interpreter.input(1).data.set(c.scores);
  interpreter.invoke();
  return [0, 1, 2, 3].map((k) => Array.from(interpreter.output(k).data));
}

const f32 = (values: number[]): number[] => Array.from(new Float32Array(values));

/** TFLM kGolden1 (fast NMS): boxes 10..11, 0..1, 100..101. */
const FAST_BOXES = [0, 10, 1, 11, 0, 0, 1, 1, 0, 100, 1, 101];
/** TFLM's regular-NMS golden boxes: box 10..11 for both classes, then an empty slot. */
const REGULAR_BOXES = [0, 10, 1, 11, 0, 10, 1, 11, 0, 0, 0, 0];

describe(OP, () => {
  const standard = (regular: boolean, keypoint: boolean, background: boolean): Case => ({
    boxes: boxEncodings(keypoint),
    boxShape: [1, 6, keypoint ? 5 : 4],
    scores: background ? SCORES_WITH_BACKGROUND : SCORES_NO_BACKGROUND,
    scoreShape: [1, 6, background ? 3 : 2],
    options: tflmOptions(regular),
  });

  /** [TFLM test name, case, TFLM goldens, TFLM tolerance, exact float32 outputs]. */
  const vectors: [string, Case, number[][], number, number[][]][] = [
    [
      'DetectionPostprocessFloatFastNMS',
      standard(false, false, true),
      [FAST_BOXES, [1, 0, 0], [0.95, 0.9, 0.3], [3]],
      0,
      [FAST_BOXES, [1, 0, 0], f32([0.95, 0.9, 0.3]), [3]],
    ],
    [
      // Each class keeps one box (detections_per_class 1): box 10..11 for both; TFLM's golden score 0.9 is
      // class 0's 0.93 within its 0.1 tolerance.
      'DetectionPostprocessFloatRegularNMS',
      standard(true, false, true),
      [REGULAR_BOXES, [1, 0, 0], [0.95, 0.9, 0], [2]],
      0.1,
      [REGULAR_BOXES, [1, 0, 0], f32([0.95, 0.93, 0]), [2]],
    ],
    [
      'DetectionPostprocessFloatFastNMSwithNoBackgroundClassAndKeypoints',
      standard(false, true, false),
      [FAST_BOXES, [1, 0, 0], [0.95, 0.9, 0.3], [3]],
      0,
      [FAST_BOXES, [1, 0, 0], f32([0.95, 0.9, 0.3]), [3]],
    ],
    [
      // TFLM's test keeps 4-value boxes here (only the class predictions lose the background column).
      'DetectionPostprocessFloatRegularNMSwithNoBackgroundClassAndKeypoints',
      standard(true, false, false),
      [REGULAR_BOXES, [1, 0, 0], [0.95, 0.9, 0], [2]],
      0.1,
      [REGULAR_BOXES, [1, 0, 0], f32([0.95, 0.93, 0]), [2]],
    ],
    [
      'DetectionPostprocessFloatFastNMSWithBackgroundClassAndKeypoints',
      standard(false, true, true),
      [FAST_BOXES, [1, 0, 0], [0.95, 0.9, 0.3], [3]],
      0,
      [FAST_BOXES, [1, 0, 0], f32([0.95, 0.9, 0.3]), [3]],
    ],
    [
      // Equal best scores (boxes 0, 1, 2 at 0.015625; box 3's two classes at 0.019531): the stable sort keeps
      // box order, ties between classes go to the lower class. TFLM's goldens are 5/255, 4/255, 1/255 ± 0.3.
      'DetectionPostprocessFloatFNMSSwithNoBackgroundClassAndKeypointsStableSort',
      {
        ...standard(false, true, false),
        scores: [
          0.015625, 0.007812, 0.003906, 0.015625, 0.015625, 0.007812, 0.019531, 0.019531, 0.007812, 0.003906, 0.003906,
          0.003906,
        ],
      },
      [FAST_BOXES, [0, 0, 0], [0.0196078, 0.0156863, 0.00392157], [3]],
      0.3,
      [FAST_BOXES, [0, 0, 0], f32([0.019531, 0.015625, 0.003906]), [3]],
    ],
  ];

  it.each(vectors)('%s (TFLM vector)', (_name, c, goldens, tolerance, exact) => {
    const outputs = run(c);
    outputs.forEach((values, k) => {
      expect(values).toEqual(exact[k]);
      expectNear(values, f32(goldens[k]), tolerance);
    });
  });

  // Numbers as float32 values: flatbuffers' JS encoder writes a float that fits 32 bits as 4 bytes even in a map
  // it widened to 8 for another value, which no reader decodes (TFLM's options are float32 anyway).
  const options = (o: Record<string, number | boolean>): Uint8Array => {
    const all: Record<string, number | boolean> = {
      max_detections: 3,
      max_classes_per_detection: 1,
      detections_per_class: 1,
      use_regular_nms: false,
      nms_score_threshold: 0,
      nms_iou_threshold: 0.5,
      num_classes: 2,
      y_scale: 10,
      x_scale: 10,
      h_scale: 5,
      w_scale: 5,
      ...o,
    };
    return encode(
      Object.fromEntries(Object.entries(all).map(([k, v]) => [k, typeof v === 'number' ? Math.fround(v) : v])),
    );
  };

  it('decodes in double and rounds each center and half size to float first, as TFLM', () => {
    // Box 1 alone above the threshold: x center 1 / 10 * 1 + 0.5 = 0.6 rounds to float 0.60000002, so xmin is
    // 0.10000002 (not float 0.1), and h = w = 1 gives half sizes 0.5 * exp(0.2) rounded to float.
    const scores = [0, 0, 0.9, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const c: Case = {
      boxes: [0, 0, 0, 0, 0, 1, 1, 1, 0, -1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0],
      boxShape: [1, 6, 4],
      scores,
      scoreShape: [1, 6, 2],
      options: options({ nms_score_threshold: 0.5 }),
    };
    const [boxes, classes, outScores, count] = run(c);
    const half = Math.fround(0.5 * Math.exp(0.2));
    const xCenter = Math.fround(0.6);
    expect(boxes.slice(0, 4)).toEqual(f32([0.5 - half, xCenter - half, 0.5 + half, xCenter + half]));
    expect(boxes[1]).not.toBe(Math.fround(0.1 - (half - 0.5)));
    expect([classes[0], outScores[0], count[0]]).toEqual([0, Math.fround(0.9), 1]);
  });

  it('decodes 256 seeded boxes to the corners the C++ expressions give with glibc exp (recorded vectors)', () => {
    // One class, every box kept (IoU threshold 1 suppresses nothing), scores falling with the box index: the
    // outputs list the decoded boxes in box order.
    const hexFloats = (hex: string): number[] =>
      Array.from(new Float32Array(Uint32Array.from(hex.match(/.{8}/g) ?? [], (h) => parseInt(h, 16)).buffer));
    const boxes = hexFloats(DECODE_BOX_ENCODINGS);
    const n = boxes.length / 4;
    const [y, x, h, w] = DECODE_SCALES;
    const c: Case = {
      boxes,
      boxShape: [1, n, 4],
      scores: Array.from({ length: n }, (_, i) => 1 - i / 1024),
      scoreShape: [1, n, 1],
      anchors: hexFloats(DECODE_ANCHORS),
      options: options({
        max_detections: n,
        num_classes: 1,
        nms_iou_threshold: 1,
        y_scale: y,
        x_scale: x,
        h_scale: h,
        w_scale: w,
      }),
      detections: n,
    };
    const [corners, , , count] = run(c);
    expect(count).toEqual([n]);
    expect(corners).toEqual(hexFloats(DECODE_CORNERS));
  });

  it('regular NMS keeps several boxes per class and ranks ties across classes by position', () => {
    // Class 0 keeps boxes 0 and 3 (0.9, 0.7); class 1 keeps box 5 (0.7) and box 0 (0.6): box 0 of class 1 is
    // suppressed by nothing (NMS is per class). Top 3 over both: 0.9 (c0 b0), then the 0.7 tie, where the entry
    // placed first (class 0's box 3) wins over class 1's box 5.
    const c: Case = {
      boxes: boxEncodings(false),
      boxShape: [1, 6, 4],
      scores: [0.9, 0.6, 0.8, 0.1, 0.8, 0.1, 0.7, 0.1, 0.65, 0.1, 0.1, 0.7],
      scoreShape: [1, 6, 2],
      options: options({ use_regular_nms: true, detections_per_class: 2 }),
    };
    const [boxes, classes, scores, count] = run(c);
    expect(count).toEqual([3]);
    expect(classes).toEqual([0, 0, 1]);
    expect(scores).toEqual(f32([0.9, 0.7, 0.7]));
    expect(boxes).toEqual([0, 0, 1, 1, 0, 10, 1, 11, 0, 100, 1, 101]);
  });

  it('fast NMS with two classes per detection writes where TFLM does (k-th entry at 2k + class rank)', () => {
    // TFLM counts written entries, not anchors, in its output offset: entries land at 0, 3, 4, 7, … The outputs
    // must hold max_detections x 2 x 2 entries; what TFLM leaves unwritten keeps its value.
    const c: Case = {
      boxes: boxEncodings(false),
      boxShape: [1, 6, 4],
      scores: SCORES_NO_BACKGROUND,
      scoreShape: [1, 6, 2],
      options: options({ max_detections: 2, max_classes_per_detection: 2 }),
      detections: 8,
    };
    const interpreter = interpreterFor(c);
    for (let k = 1; k < 3; k++) (interpreter.output(k).data as Float32Array).fill(-1);
    (interpreter.output(0).data as Float32Array).fill(-1);
    const [boxes, classes, scores, count] = run(c, interpreter);
    expect(count).toEqual([4]);
    expect(classes).toEqual([1, -1, -1, 0, 0, -1, -1, 1]);
    expect(scores).toEqual(f32([0.95, -1, -1, 0.93, 0.9, -1, -1, 0.8]));
    expect(boxes.slice(0, 4)).toEqual([0, 10, 1, 11]);
    expect(boxes.slice(12, 20)).toEqual([0, 10, 1, 11, 0, 0, 1, 1]);
    expect(boxes.slice(28, 32)).toEqual([0, 0, 1, 1]);
  });

  it('refuses a fast-NMS model whose outputs TFLM would overrun', () => {
    const c: Case = {
      boxes: boxEncodings(false),
      boxShape: [1, 6, 4],
      scores: SCORES_NO_BACKGROUND,
      scoreShape: [1, 6, 2],
      options: options({ max_detections: 2, max_classes_per_detection: 2 }),
      detections: 4,
    };
    expect(() => interpreterFor(c)).toThrow(UnsupportedOpError);
  });

  it("refuses regular-NMS options that overflow TFLM's scratch buffers", () => {
    // One box, max_detections 1, two classes: class 1's selection joins class 0's top entry in a 1-entry buffer.
    const c: Case = {
      boxes: [0, 0, 0, 0],
      boxShape: [1, 1, 4],
      scores: [0.5, 0.6],
      scoreShape: [1, 1, 2],
      anchors: [0.5, 0.5, 1, 1],
      options: options({ use_regular_nms: true, max_detections: 1 }),
      detections: 1,
    };
    expect(() => interpreterFor(c)).toThrow(/regular-NMS scratch/);
    // One class (the first column is then background): nothing joins the top entry, so the buffers suffice.
    const oneClass = { ...c, options: options({ use_regular_nms: true, max_detections: 1, num_classes: 1 }) };
    expect(run(oneClass)).toEqual([[0, 0, 1, 1], [0], [Math.fround(0.6)], [1]]);
  });

  it('fails at invoke on a decoded box with ymin >= ymax, as TFLM Eval', () => {
    const c = standard(false, false, true);
    const interpreter = interpreterFor(c);
    // h = -1e6: exp underflows to 0, the box collapses to a point.
    const boxes = boxEncodings(false);
    boxes[2] = -1e6;
    expect(() => run({ ...c, boxes }, interpreter)).toThrow(InvokeError);
  });

  it('refuses quantized inputs at allocate() (TFLM Eval supports float32 only)', () => {
    for (const dtype of ['uint8', 'int8'] as const) {
      const c = { ...standard(false, false, true), dtype };
      expect(() => interpreterFor(c)).toThrow(UnsupportedOpError);
    }
  });

  it('refuses options TFLM Eval fails on, and shapes it does not accept', () => {
    const c = standard(false, false, true);
    expect(() => interpreterFor({ ...c, options: options({ nms_iou_threshold: 0 }) })).toThrow(ModelFormatError);
    expect(() => interpreterFor({ ...c, options: options({ nms_iou_threshold: 1.5 }) })).toThrow(ModelFormatError);
    expect(() => interpreterFor({ ...c, options: options({ max_classes_per_detection: 0 }) })).toThrow(
      ModelFormatError,
    );
    expect(() =>
      interpreterFor({ ...c, options: options({ use_regular_nms: true, detections_per_class: 0 }) }),
    ).toThrow(ModelFormatError);
    // max_detections 0 would overrun TFLM's sorted_indices scratch (max_detections x boxes ints).
    expect(() => interpreterFor({ ...c, options: options({ max_detections: 0 }) })).toThrow(UnsupportedOpError);
    // Three class columns for one class: more than one background column.
    expect(() => interpreterFor({ ...c, options: options({ num_classes: 1 }) })).toThrow(ModelFormatError);
    expect(() => interpreterFor({ ...c, boxShape: [1, 6, 3], boxes: c.boxes.slice(0, 18) })).toThrow(ModelFormatError);
    expect(() => interpreterFor({ ...c, anchors: ANCHORS.slice(0, 20) })).toThrow(ModelFormatError);
  });

  it('declares OpData and the eleven scratch buffers of TFLM Prepare', () => {
    // TFLM's test shapes: 6 boxes, 3 class columns, 2 classes, max_detections 3. Bytes per request: active 6,
    // decoded 96, scores 72, score_buffer 24, keep_scores 24, scores_after 72, sorted_values 72, keep_indices 24,
    // sorted_indices 72, buffer max(2, 3)·6·4 = 72, selected min(6, 3)·6·4 = 72.
    const interpreter = interpreterFor(standard(false, false, true));
    const op = interpreter.memory.ops[0];
    expect(op.scratchBytes).toBe(606);
    expect(op.persistentBytes).toBe(112);
    expect(interpreter.memoryAt(8).ops[0].persistentBytes).toBe(112);
  });

  // Until V8 optimizes eval's loops its unoptimized code boxes doubles; a few thousand tiny invokes get it there.
  // The sampled bytes per invoke then stay near 0 (V8's one-off tiering allocations spread over 20,000 calls),
  // while anything eval allocated per invoke, one boxed double or the smallest object, is 12 to 16 bytes.
  const WARMUP_INVOKES = 20000;
  const ONE_OBJECT_BYTES = 12;

  it('invokes without allocating', async () => {
    const c: Case = { ...standard(true, false, true), options: options({ use_regular_nms: true }) };
    const interpreter = interpreterFor(c);
    interpreter.input(0).data.set(c.boxes);
    interpreter.input(1).data.set(c.scores);
    expect(await allocatedBytesPerCall(() => interpreter.invoke(), 20000, WARMUP_INVOKES)).toBeLessThan(
      ONE_OBJECT_BYTES,
    );
    const fast = interpreterFor(standard(false, false, true));
    fast.input(0).data.set(boxEncodings(false));
    fast.input(1).data.set(SCORES_WITH_BACKGROUND);
    expect(await allocatedBytesPerCall(() => fast.invoke(), 20000, WARMUP_INVOKES)).toBeLessThan(ONE_OBJECT_BYTES);
  });
});
