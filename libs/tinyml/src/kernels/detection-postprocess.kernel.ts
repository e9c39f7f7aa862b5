/**
 * CUSTOM:TFLite_Detection_PostProcess (TFLM kernels/detection_postprocess.cc): SSD box decoding against anchors,
 * then non-max suppression, into four float32 outputs (boxes [ymin, xmin, ymax, xmax], classes, scores, count).
 * Fast NMS keeps each anchor's best classes and suppresses once over the anchors' best scores; regular NMS
 * suppresses per class and keeps the top max_detections over all classes.
 *
 * Types, as TFLM: float32 box encodings, class predictions and anchors only. TFLM's Eval returns kTfLiteError for
 * any other input type (TFLite's uint8 / int8 dequantizing path is not in TFLM), so a quantized model is refused
 * here at allocate(). Every static check TFLM makes in Eval (batch 1, shapes, option ranges) is made in prepare();
 * what TFLM would do out of bounds (its scratch buffers or the outputs too small for the options) is refused too,
 * so eval() writes inside its buffers only. The one runtime failure is TFLM's: a decoded box with ymin >= ymax or
 * xmin >= xmax (InvokeError).
 *
 * Float arithmetic is TFLM's: decoding is in double and rounded to float once per value (the C++ casts every
 * operand to double), with glibc's double exp (quant/libm-float64.ts: Math.exp, V8's fdlibm port, differs from it
 * in the last bit for about one input in ten); box corners, areas and IoU are float operations (each JS operation
 * rounded with Math.fround: a double holds the exact result of one float +, -, * or / closely enough that
 * rounding it to float gives the float result).
 * The sorts are TFLM's algorithms (libstdc++'s std::partial_sort heap selection and TFLM's own stable merge
 * sort), so ties and the order among equal scores come out as TFLM's.
 *
 * Device memory, as TFLM: Init allocates OpData (112 B at both widths: no pointers); Prepare requests eleven
 * scratch buffers in the arena (one of them, `scores`, the float path never reads, yet TFLM requests it).
 *
 * A little over 400 lines: decoding, both NMS variants and the prepare() checks that bound what they write are
 * one unit (each check is there for a loop below); the two sorts, general algorithms, are in
 * detection-postprocess-sort.ts.
 */
import type { StructLayout } from '../memory/device-layout';
import { EXP_RESULT, glibcExpInto } from '../quant/libm-float64';
import type { OperatorInfo } from '../model/model.types';
import type { FlexMap } from '../schema/flexbuffer-reader';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';
import { invokeFailure } from './kernel.types';
import { decreasingArgSort, decreasingPartialArgSort } from './detection-postprocess-sort';
import { boolOption, intOption } from './signal/signal-common';

const BOX_ENCODINGS = 0;
const CLASS_PREDICTIONS = 1;
const ANCHORS = 2;
const DETECTION_BOXES = 0;
const DETECTION_CLASSES = 1;
const DETECTION_SCORES = 2;
const NUM_DETECTIONS = 3;
const NUM_COORDS = 4;
/** TFLM's default when the options have no detections_per_class. */
const DEFAULT_DETECTIONS_PER_CLASS = 100;

/**
 * detection_postprocess.cc OpData: max_detections, max_classes_per_detection, detections_per_class, the two
 * thresholds, num_classes, use_regular_non_max_suppression, scale_values (CenterSizeEncoding: 4 floats), eleven
 * scratch-buffer indices, then three TfLiteQuantizationParams {float scale, int32 zero_point}.
 */
const OP_DATA: StructLayout = {
  name: 'OpDataDetectionPostprocess',
  fields: [
    'i32',
    'i32',
    'i32',
    'f32',
    'f32',
    'i32',
    'i8',
    ['f32', 'f32', 'f32', 'f32'],
    ...Array<'i32'>(11).fill('i32'),
    ['f32', 'i32'],
    ['f32', 'i32'],
    ['f32', 'i32'],
  ],
};

interface DetectionPostprocessData {
  node: OperatorInfo;
  numBoxes: number;
  /** Floats per box encoding (>= 4: keypoints may follow the box). */
  boxStride: number;
  numClasses: number;
  numClassesWithBackground: number;
  /** 1 when class predictions have a background column first, else 0. */
  labelOffset: number;
  maxDetections: number;
  detectionsPerClass: number;
  /** Fast NMS: min(max_classes_per_detection, num_classes). */
  categoriesPerAnchor: number;
  regular: boolean;
  /** Float thresholds and scales (float values, as the C++ OpData holds them). */
  scoreThreshold: number;
  iouThreshold: number;
  scaleY: number;
  scaleX: number;
  scaleH: number;
  scaleW: number;
  /** io.scratch indices of the buffers eval() uses (TFLM's names). */
  activeCandidate: number;
  decodedBoxes: number;
  scoreBuffer: number;
  keepScores: number;
  scoresAfterRegular: number;
  sortedValues: number;
  keepIndices: number;
  sortedIndices: number;
  buffer: number;
  selected: number;
}

// Bound once: in Jest's vm sandbox every lookup of the global Math is intercepted (README "Tests").
const { floor, fround: f32, min: mathMin } = Math;

function floatOption(ctx: PrepareContext, options: FlexMap, key: string): number {
  const v = options[key];
  if (typeof v !== 'number') ctx.fail(`custom option '${key}' missing or not a number`);
  // flexbuffers' AsFloat: a double-width value is narrowed to float.
  return f32(v);
}

function isAbsent(options: FlexMap, key: string): boolean {
  return options[key] === undefined || options[key] === null;
}

/** Center-size encodings and anchors -> corner boxes (TFLM's DecodeCenterSizeBoxes). */
function decodeBoxes(d: DetectionPostprocessData, boxes: Float32Array, anchors: Float32Array, out: Float32Array): void {
  for (let idx = 0; idx < d.numBoxes; idx++) {
    const b = idx * d.boxStride;
    const a = idx * NUM_COORDS;
    const anchorH = anchors[a + 2];
    const anchorW = anchors[a + 3];
    // Double arithmetic rounded to float once, as the C++ static_casts do.
    const yCenter = f32((boxes[b] / d.scaleY) * anchorH + anchors[a]);
    const xCenter = f32((boxes[b + 1] / d.scaleX) * anchorW + anchors[a + 1]);
    glibcExpInto(boxes[b + 2] / d.scaleH);
    const halfH = f32(0.5 * EXP_RESULT[0] * anchorH);
    glibcExpInto(boxes[b + 3] / d.scaleW);
    const halfW = f32(0.5 * EXP_RESULT[0] * anchorW);
    out[a] = yCenter - halfH;
    out[a + 1] = xCenter - halfW;
    out[a + 2] = yCenter + halfH;
    out[a + 3] = xCenter + halfW;
  }
}

function boxesValid(decoded: Float32Array, numBoxes: number): boolean {
  for (let i = 0; i < numBoxes; i++) {
    const a = i * NUM_COORDS;
    if (decoded[a] >= decoded[a + 2] || decoded[a + 1] >= decoded[a + 3]) return false;
  }
  return true;
}

/**
 * Whether TFLM's ComputeIntersectionOverUnion (in float) of boxes i and j exceeds the IoU threshold.
 * std::max<float>(a, b) is `a < b ? b : a` and std::min `b < a ? b : a`: written out so NaN and signed zeros take
 * the branch C++ takes. No double crosses the call (V8 boxes a double argument or result of a call it does not
 * inline): the threshold is read here and the comparison returned.
 */
function overlapsAbove(d: DetectionPostprocessData, boxes: Float32Array, i: number, j: number): boolean {
  const threshold = d.iouThreshold;
  const a = i * NUM_COORDS;
  const b = j * NUM_COORDS;
  const areaI = f32(f32(boxes[a + 2] - boxes[a]) * f32(boxes[a + 3] - boxes[a + 1]));
  const areaJ = f32(f32(boxes[b + 2] - boxes[b]) * f32(boxes[b + 3] - boxes[b + 1]));
  if (areaI <= 0 || areaJ <= 0) return 0 > threshold;
  const yMin = boxes[a] < boxes[b] ? boxes[b] : boxes[a];
  const xMin = boxes[a + 1] < boxes[b + 1] ? boxes[b + 1] : boxes[a + 1];
  const yMax = boxes[b + 2] < boxes[a + 2] ? boxes[b + 2] : boxes[a + 2];
  const xMax = boxes[b + 3] < boxes[a + 3] ? boxes[b + 3] : boxes[a + 3];
  const h = f32(yMax - yMin);
  const w = f32(xMax - xMin);
  const intersection = f32((h < 0 ? 0 : h) * (w < 0 ? 0 : w));
  return f32(intersection / f32(f32(areaI + areaJ) - intersection)) > threshold;
}

// ---- Non-max suppression ----

/**
 * TFLM's NonMaxSuppressionSingleClassHelper over `scores` (one per box): boxes at or above the score threshold,
 * by decreasing score, each dropping the later ones whose IoU with it exceeds the threshold. Writes the selected
 * box indices to the `selected` scratch buffer and returns how many.
 */
function nonMaxSuppressionSingleClass(
  d: DetectionPostprocessData,
  scratch: TensorData[],
  scores: Float32Array,
  maxDetections: number,
): number {
  const keepScores = scratch[d.keepScores] as Float32Array;
  const keepIndices = scratch[d.keepIndices] as Int32Array;
  const sortedIndices = scratch[d.sortedIndices] as Int32Array;
  const active = scratch[d.activeCandidate] as Uint8Array;
  const selected = scratch[d.selected] as Int32Array;
  const decoded = scratch[d.decodedBoxes] as Float32Array;
  let kept = 0;
  for (let i = 0; i < d.numBoxes; i++) {
    if (scores[i] >= d.scoreThreshold) {
      keepScores[kept] = scores[i];
      keepIndices[kept] = i;
      kept++;
    }
  }
  // keep_indices is the merge sort's scratch, then is written again (TFLM reuses the buffer).
  decreasingArgSort(keepScores, kept, sortedIndices, keepIndices);
  let counter = 0;
  for (let i = 0; i < d.numBoxes; i++) if (scores[i] >= d.scoreThreshold) keepIndices[counter++] = i;

  const outputSize = mathMin(kept, maxDetections);
  let selectedSize = 0;
  let activeCount = kept;
  active.fill(1, 0, kept);
  for (let i = 0; i < kept; i++) {
    if (activeCount === 0 || selectedSize >= outputSize) break;
    if (active[i] !== 1) continue;
    const boxI = keepIndices[sortedIndices[i]];
    selected[selectedSize++] = boxI;
    active[i] = 0;
    activeCount--;
    for (let j = i + 1; j < kept; j++) {
      if (active[j] !== 1) continue;
      if (overlapsAbove(d, decoded, boxI, keepIndices[sortedIndices[j]])) {
        active[j] = 0;
        activeCount--;
      }
    }
  }
  return selectedSize;
}

/** TFLM's NonMaxSuppressionMultiClassRegularHelper: NMS per class, the top max_detections over all classes. */
function regularNms(d: DetectionPostprocessData, scores: Float32Array, io: KernelIo): void {
  const scratch = io.scratch;
  const ncwb = d.numClassesWithBackground;
  const classScores = scratch[d.scoreBuffer] as Float32Array;
  const boxIndices = scratch[d.buffer] as Int32Array;
  const selected = scratch[d.selected] as Int32Array;
  const scoresAfter = scratch[d.scoresAfterRegular] as Float32Array;
  const sortedIndices = scratch[d.sortedIndices] as Int32Array;
  const sortedValues = scratch[d.sortedValues] as Float32Array;
  const decoded = scratch[d.decodedBoxes] as Float32Array;
  let sortedCount = 0;
  for (let col = 0; col < d.numClasses; col++) {
    for (let row = 0; row < d.numBoxes; row++) classScores[row] = scores[row * ncwb + col + d.labelOffset];
    const selectedSize = nonMaxSuppressionSingleClass(d, scratch, classScores, d.detectionsPerClass);
    let outputIndex = sortedCount;
    for (let i = 0; i < selectedSize; i++) {
      const box = selected[i];
      boxIndices[outputIndex] = box * ncwb + col + d.labelOffset;
      scoresAfter[outputIndex] = classScores[box];
      outputIndex++;
    }
    const toSort = mathMin(outputIndex, d.maxDetections);
    decreasingPartialArgSort(scoresAfter, 0, outputIndex, toSort, sortedIndices, 0);
    for (let row = 0; row < toSort; row++) {
      const from = sortedIndices[row];
      sortedIndices[row] = boxIndices[from];
      sortedValues[row] = scoresAfter[from];
    }
    for (let row = 0; row < toSort; row++) {
      boxIndices[row] = sortedIndices[row];
      scoresAfter[row] = sortedValues[row];
    }
    sortedCount = toSort;
  }
  const outBoxes = io.outputs[DETECTION_BOXES] as Float32Array;
  const outClasses = io.outputs[DETECTION_CLASSES] as Float32Array;
  const outScores = io.outputs[DETECTION_SCORES] as Float32Array;
  for (let k = 0; k < d.maxDetections; k++) {
    const o = k * NUM_COORDS;
    if (k < sortedCount) {
      const anchor = floor(boxIndices[k] / ncwb);
      const a = anchor * NUM_COORDS;
      for (let c = 0; c < NUM_COORDS; c++) outBoxes[o + c] = decoded[a + c];
      outClasses[k] = boxIndices[k] - anchor * ncwb - d.labelOffset;
      outScores[k] = scoresAfter[k];
    } else {
      outBoxes.fill(0, o, o + NUM_COORDS);
      outClasses[k] = 0;
      outScores[k] = 0;
    }
  }
  (io.outputs[NUM_DETECTIONS] as Float32Array)[0] = sortedCount;
}

/** TFLM's NonMaxSuppressionMultiClassFastHelper: each anchor's best classes, one NMS over their best scores. */
function fastNms(d: DetectionPostprocessData, scores: Float32Array, io: KernelIo): void {
  const scratch = io.scratch;
  const ncwb = d.numClassesWithBackground;
  const nc = d.numClasses;
  const perAnchor = d.categoriesPerAnchor;
  const maxScores = scratch[d.scoreBuffer] as Float32Array;
  const classIndices = scratch[d.buffer] as Int32Array;
  const selected = scratch[d.selected] as Int32Array;
  const decoded = scratch[d.decodedBoxes] as Float32Array;
  for (let row = 0; row < d.numBoxes; row++) {
    const base = row * ncwb + d.labelOffset;
    decreasingPartialArgSort(scores, base, nc, perAnchor, classIndices, row * nc);
    maxScores[row] = scores[base + classIndices[row * nc]];
  }
  const selectedSize = nonMaxSuppressionSingleClass(d, scratch, maxScores, d.maxDetections);
  const outBoxes = io.outputs[DETECTION_BOXES] as Float32Array;
  const outClasses = io.outputs[DETECTION_CLASSES] as Float32Array;
  const outScores = io.outputs[DETECTION_SCORES] as Float32Array;
  let written = 0;
  for (let i = 0; i < selectedSize; i++) {
    const box = selected[i];
    const base = box * ncwb + d.labelOffset;
    const a = box * NUM_COORDS;
    for (let col = 0; col < perAnchor; col++) {
      // TFLM counts every written entry (not every anchor) in this offset: with one class per detection (what
      // SSD models use) it is the running entry, with more it leaves gaps (prepare() sized the outputs for them).
      const offset = perAnchor * written + col;
      const o = offset * NUM_COORDS;
      for (let c = 0; c < NUM_COORDS; c++) outBoxes[o + c] = decoded[a + c];
      const cls = classIndices[box * nc + col];
      outClasses[offset] = cls;
      outScores[offset] = scores[base + cls];
      written++;
    }
  }
  (io.outputs[NUM_DETECTIONS] as Float32Array)[0] = written;
}

export const detectionPostprocessKernel: Kernel<DetectionPostprocessData> = {
  op: 'CUSTOM:TFLite_Detection_PostProcess',
  types: ['float32'],
  prepare(ctx: PrepareContext): Prepared<DetectionPostprocessData> {
    if (ctx.inputCount() !== 3) ctx.fail('expects 3 inputs (box encodings, class predictions, anchors)');
    if (ctx.node.outputs.length !== 4) ctx.fail('expects 4 outputs (boxes, classes, scores, number of detections)');
    const boxes = ctx.input(BOX_ENCODINGS);
    const classes = ctx.input(CLASS_PREDICTIONS);
    const anchors = ctx.input(ANCHORS);
    const outputs = [DETECTION_BOXES, DETECTION_CLASSES, DETECTION_SCORES, NUM_DETECTIONS].map((k) => ctx.output(k));
    // TFLM's Eval reads the anchors and writes the outputs as float whatever their type; only float32 is defined.
    ctx.expectType(boxes, ['float32'], 'box encodings');
    ctx.expectType(classes, ['float32'], 'class predictions');
    ctx.expectType(anchors, ['float32'], 'anchors');
    outputs.forEach((t, k) => ctx.expectType(t, ['float32'], `output ${k}`));
    if (boxes.shape.length !== 3 || classes.shape.length !== 3 || anchors.shape.length !== 2)
      ctx.fail('box encodings and class predictions must have rank 3, anchors rank 2');
    const [boxBatch, numBoxes, boxStride] = boxes.shape;
    const [classBatch, classBoxes, numClassesWithBackground] = classes.shape;
    if (boxBatch !== 1 || classBatch !== 1) ctx.fail('batch size must be 1');
    if (boxStride < NUM_COORDS) ctx.fail(`box encodings have ${boxStride} values per box, need at least 4`);
    if (classBoxes !== numBoxes) ctx.fail(`class predictions for ${classBoxes} boxes, encodings for ${numBoxes}`);
    if (anchors.elementCount < NUM_COORDS * numBoxes) ctx.fail(`anchors hold fewer than ${numBoxes} boxes`);

    const options = ctx.customOptions();
    const maxDetections = intOption(ctx, options, 'max_detections', 1, 1 << 20);
    const numClasses = intOption(ctx, options, 'num_classes', 1, 1 << 20);
    const regular = isAbsent(options, 'use_regular_nms') ? false : boolOption(ctx, options, 'use_regular_nms');
    const int32 = (key: string): number => intOption(ctx, options, key, -(2 ** 31), 2 ** 31 - 1);
    const detectionsPerClass = isAbsent(options, 'detections_per_class')
      ? DEFAULT_DETECTIONS_PER_CLASS
      : int32('detections_per_class');
    const maxClassesPerDetection = int32('max_classes_per_detection');
    const scoreThreshold = floatOption(ctx, options, 'nms_score_threshold');
    const iouThreshold = floatOption(ctx, options, 'nms_iou_threshold');
    // Options TFLM's Eval fails on (kTfLiteError on every invoke).
    if (!(iouThreshold > 0 && iouThreshold <= 1)) ctx.fail(`nms_iou_threshold ${iouThreshold} outside (0, 1]`);
    if (regular && detectionsPerClass < 1) ctx.fail(`detections_per_class ${detectionsPerClass} < 1`);
    if (!regular && maxClassesPerDetection < 1) ctx.fail(`max_classes_per_detection ${maxClassesPerDetection} < 1`);
    const [scaleY, scaleX, scaleH, scaleW] = ['y_scale', 'x_scale', 'h_scale', 'w_scale'].map((k) =>
      floatOption(ctx, options, k),
    );
    if (numClassesWithBackground < numClasses || numClassesWithBackground - numClasses > 1)
      ctx.fail(`${numClassesWithBackground} class predictions per box for ${numClasses} classes`);

    // What eval() writes at most, against what TFLM's buffers hold. Regular NMS: the running top list (up to
    // max_detections) plus one class's selection (up to min(boxes, detections_per_class)) in max_detections x
    // boxes entries; TFLM would write past them otherwise (from the second class on).
    const perClass = Math.min(numBoxes, detectionsPerClass);
    const categoriesPerAnchor = Math.min(maxClassesPerDetection, numClasses);
    if (regular && (numClasses >= 2 ? Math.min(maxDetections, perClass) : 0) + perClass > maxDetections * numBoxes)
      ctx.unsupported("these options overflow TFLM's regular-NMS scratch buffers (max_detections x boxes entries)");
    const entries = regular ? maxDetections : maxDetections * categoriesPerAnchor * categoriesPerAnchor;
    const [outBoxes, outClasses, outScores, outCount] = outputs;
    if (
      outBoxes.elementCount < NUM_COORDS * entries ||
      outClasses.elementCount < entries ||
      outScores.elementCount < entries ||
      outCount.elementCount < 1
    )
      ctx.unsupported(`outputs too small: TFLM writes up to ${entries} detections`);

    ctx.opData(OP_DATA);
    // TFLM's Prepare requests, in its order and sizes.
    const activeCandidate = ctx.requestScratch('uint8', numBoxes, 'active_candidate');
    const decodedBoxes = ctx.requestScratch('float32', numBoxes * NUM_COORDS, 'decoded_boxes');
    ctx.requestScratch('float32', classBoxes * numClassesWithBackground, 'scores');
    const scoreBuffer = ctx.requestScratch('float32', numBoxes, 'score_buffer');
    const keepScores = ctx.requestScratch('float32', numBoxes, 'keep_scores');
    const topEntries = maxDetections * numBoxes;
    const scoresAfterRegular = ctx.requestScratch('float32', topEntries, 'scores_after_regular_non_max_suppression');
    const sortedValues = ctx.requestScratch('float32', topEntries, 'sorted_values');
    const keepIndices = ctx.requestScratch('int32', numBoxes, 'keep_indices');
    const sortedIndices = ctx.requestScratch('int32', topEntries, 'sorted_indices');
    const buffer = ctx.requestScratch('int32', Math.max(numClasses, maxDetections) * numBoxes, 'buffer');
    const selected = ctx.requestScratch('int32', Math.min(numBoxes, maxDetections) * numBoxes, 'selected');
    const data: DetectionPostprocessData = {
      node: ctx.node,
      numBoxes,
      boxStride,
      numClasses,
      numClassesWithBackground,
      labelOffset: numClassesWithBackground - numClasses,
      maxDetections,
      detectionsPerClass,
      categoriesPerAnchor,
      regular,
      scoreThreshold,
      iouThreshold,
      scaleY,
      scaleX,
      scaleH,
      scaleW,
      activeCandidate,
      decodedBoxes,
      scoreBuffer,
      keepScores,
      scoresAfterRegular,
      sortedValues,
      keepIndices,
      sortedIndices,
      buffer,
      selected,
    };
    // Decoding reads every coordinate and NMS every score once; the IoU pairs depend on the data.
    return { data, macs: numBoxes * (NUM_COORDS + numClassesWithBackground) };
  },
  eval(d: DetectionPostprocessData, io: KernelIo): void {
    const decoded = io.scratch[d.decodedBoxes] as Float32Array;
    decodeBoxes(d, io.inputs[BOX_ENCODINGS] as Float32Array, io.inputs[ANCHORS] as Float32Array, decoded);
    // TFLM validates inside each single-class NMS, before any output is written: once here is the same.
    if (!boxesValid(decoded, d.numBoxes)) invokeFailure(d.node, 'a decoded box has ymin >= ymax or xmin >= xmax');
    const scores = io.inputs[CLASS_PREDICTIONS] as Float32Array;
    if (d.regular) regularNms(d, scores, io);
    else fastNms(d, scores, io);
  },
};
