/**
 * CUSTOM:TFLite_Detection_PostProcess on seeded larger cases than TFLM's six-box vectors (up to 60 boxes, 5
 * classes, ties everywhere) against a direct reading of what TFLM's NMS selects: greedy suppression in order of
 * decreasing score (equal scores in box order), per anchor's best class (fast) or per class and then the top
 * max_detections over all classes (regular: equal scores in class order, then selection order, which is what
 * TFLM's running top list keeps). Zero encodings make the decoded boxes the anchors' corners exactly, so the
 * reference needs no decoding; its IoU is TFLM's float expression.
 */
import { encode } from 'flatbuffers/js/flexbuffers';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel } from '../testing/model-builder';

const OP = 'CUSTOM:TFLite_Detection_PostProcess';
const f32 = Math.fround;

interface Params {
  boxes: number;
  classes: number;
  background: boolean;
  maxDetections: number;
  detectionsPerClass: number;
  regular: boolean;
  scoreThreshold: number;
  iouThreshold: number;
}

/** A candidate detection: score, box, class; `order` breaks score ties as TFLM does. */
interface Detection {
  score: number;
  box: number;
  cls: number;
}

function iou(corners: number[], i: number, j: number): number {
  const [ay0, ax0, ay1, ax1] = corners.slice(4 * i, 4 * i + 4);
  const [by0, bx0, by1, bx1] = corners.slice(4 * j, 4 * j + 4);
  const areaA = f32(f32(ay1 - ay0) * f32(ax1 - ax0));
  const areaB = f32(f32(by1 - by0) * f32(bx1 - bx0));
  if (areaA <= 0 || areaB <= 0) return 0;
  const h = f32(Math.min(ay1, by1) - Math.max(ay0, by0));
  const w = f32(Math.min(ax1, bx1) - Math.max(ax0, bx0));
  const inter = f32(Math.max(h, 0) * Math.max(w, 0));
  return f32(inter / f32(f32(areaA + areaB) - inter));
}

/** Greedy NMS over candidates already in TFLM's order; at most `limit` kept. */
function suppress(p: Params, corners: number[], candidates: Detection[], limit: number): Detection[] {
  const kept: Detection[] = [];
  for (const c of candidates) {
    if (kept.length >= limit) break;
    if (kept.every((k) => !(iou(corners, k.box, c.box) > f32(p.iouThreshold)))) kept.push(c);
  }
  return kept;
}

function byScore(a: Detection, b: Detection): number {
  return b.score - a.score;
}

function reference(p: Params, corners: number[], scores: number[][]): Detection[] {
  const boxes = [...Array(p.boxes).keys()];
  if (p.regular) {
    const all = [...Array(p.classes).keys()].flatMap((cls) =>
      suppress(
        p,
        corners,
        boxes
          .map((box) => ({ score: scores[box][cls], box, cls }))
          .filter((d) => d.score >= p.scoreThreshold)
          .sort(byScore),
        p.detectionsPerClass,
      ),
    );
    // Array.prototype.sort is stable: class-major, selection order within a class.
    return all.sort(byScore).slice(0, p.maxDetections);
  }
  const best = boxes.map((box) => {
    const cls = scores[box].reduce((b, s, k) => (s > scores[box][b] ? k : b), 0);
    return { score: scores[box][cls], box, cls };
  });
  return suppress(p, corners, best.filter((d) => d.score >= p.scoreThreshold).sort(byScore), p.maxDetections);
}

function runKernel(p: Params, anchors: number[], scores: number[][]): number[][] {
  const columns = p.classes + (p.background ? 1 : 0);
  const n = p.maxDetections;
  const model = {
    tensors: [
      { shape: [1, p.boxes, 4], dtype: 'float32' as const },
      { shape: [1, p.boxes, columns], dtype: 'float32' as const },
      { shape: [p.boxes, 4], dtype: 'float32' as const, data: anchors },
      { shape: [1, n, 4], dtype: 'float32' as const },
      { shape: [1, n], dtype: 'float32' as const },
      { shape: [1, n], dtype: 'float32' as const },
      { shape: [1], dtype: 'float32' as const },
    ],
    ops: [
      {
        op: OP,
        inputs: [0, 1, 2],
        outputs: [3, 4, 5, 6],
        customOptions: encode({
          max_detections: p.maxDetections,
          max_classes_per_detection: 1,
          detections_per_class: p.detectionsPerClass,
          use_regular_nms: p.regular,
          // Float32 values: flatbuffers' JS encoder writes a float that fits 32 bits as 4 bytes even in a map it
          // widened to 8 (for 0.3, say), which no reader decodes; TFLM's options are float32 anyway.
          nms_score_threshold: f32(p.scoreThreshold),
          nms_iou_threshold: f32(p.iouThreshold),
          num_classes: p.classes,
          y_scale: 10,
          x_scale: 10,
          h_scale: 5,
          w_scale: 5,
        }),
      },
    ],
    inputs: [0, 1],
    outputs: [3, 4, 5, 6],
  };
  const interpreter = new Interpreter(loadModel(buildModel(model)));
  interpreter.allocate();
  interpreter.input(0).data.fill(0);
  interpreter.input(1).data.set(scores.flatMap((row) => (p.background ? [0, ...row] : row)));
  // Slots TFLM's fast NMS leaves unwritten keep what was there: start from zeros, as the reference assumes.
  for (let k = 0; k < 4; k++) interpreter.output(k).data.fill(0);
  interpreter.invoke();
  return [0, 1, 2, 3].map((k) => Array.from(interpreter.output(k).data));
}

describe(`${OP} against the NMS semantics on seeded cases`, () => {
  let seed = 20260;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((seed / 2 ** 31) * n);
  };
  // Regular NMS with max_detections >= 2 (and >= 2 boxes): TFLM's scratch holds every such case (see prepare()).
  const cases: Params[] = Array.from({ length: 60 }, (_, c) => ({
    boxes: 2 + next(59),
    classes: 1 + next(5),
    background: next(2) === 1,
    maxDetections: (c % 2) + 1 + next(10),
    detectionsPerClass: 1 + next(5),
    regular: c % 2 === 1,
    scoreThreshold: [0, 0.25, 0.5][next(3)],
    iouThreshold: [0.3, 0.5, 1][next(3)],
  }));

  it.each(cases.map((p, i) => [i, p.regular ? 'regular' : 'fast', p] as const))('case %i (%s NMS)', (_i, _mode, p) => {
    // Anchors on a grid of eighths, heights and widths 1/4 to 2: corners are exact in float.
    const anchors = Array.from({ length: p.boxes }, () => [
      next(32) / 8,
      next(32) / 8,
      (2 + next(15)) / 8,
      (2 + next(15)) / 8,
    ]);
    const corners = anchors.flatMap(([y, x, h, w]) => [y - h / 2, x - w / 2, y + h / 2, x + w / 2]);
    // Scores from eight levels: many ties within and across classes.
    const scores = Array.from({ length: p.boxes }, () => Array.from({ length: p.classes }, () => f32(next(8) / 8)));
    const [boxes, classes, outScores, count] = runKernel(p, anchors.flat(), scores);
    const want = reference(p, corners, scores);
    expect(count).toEqual([want.length]);
    const slots = p.maxDetections;
    expect(classes).toEqual([...want.map((d) => d.cls), ...Array(slots - want.length).fill(0)]);
    expect(outScores).toEqual([...want.map((d) => d.score), ...Array(slots - want.length).fill(0)]);
    expect(boxes).toEqual([
      ...want.flatMap((d) => corners.slice(4 * d.box, 4 * d.box + 4)),
      ...Array(4 * (slots - want.length)).fill(0),
    ]);
  });
});
