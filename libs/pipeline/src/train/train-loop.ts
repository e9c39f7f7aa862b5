/**
 * Mini-batch training shared by every stage: cross-entropy (optionally class-weighted), or
 * distillation from a teacher's softened outputs; optional fake quantization (QAT) and a per-step
 * hook (pruning schedule). Deterministic: shuffling comes from the seeded PRNG.
 */
import type { ProgressSink } from './progress-bar';
import { silentProgress } from './progress-bar';
import { SeededRandom } from './seeded-random';
import { tf } from './tf-backend';
import type { FakeQuantConfig, FloatModel } from './float-model';

export interface TensorData {
  n: number;
  /** Preprocessed float inputs, n * prod(inputShape). */
  x: Float32Array;
  y: Int32Array;
}

export interface DistillTarget {
  /** Teacher class probabilities, n * classes (already at temperature 1). */
  teacherProbs: Float32Array;
  temperature: number;
  /** Weight of the soft (teacher) term; 1 - alpha goes to the hard labels. */
  alpha: number;
}

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  label: string;
  classWeights?: number[];
  distill?: DistillTarget;
  fakeQuant?: FakeQuantConfig;
  /** Called after each optimizer step with the global step index (0-based) and total steps. */
  onStep?: (step: number, totalSteps: number) => void;
  progress?: ProgressSink;
  /** Random horizontal flips (images). */
  augmentFlip?: boolean;
}

export interface TrainHistory {
  loss: number[];
  accuracy: number[];
}

function batchTensor(data: TensorData, idx: number[], inputShape: number[], flip: boolean[] | null): tf.Tensor {
  const f = inputShape.reduce((a, b) => a * b, 1);
  const buf = new Float32Array(idx.length * f);
  idx.forEach((src, i) => {
    const ex = data.x.subarray(src * f, (src + 1) * f);
    if (flip?.[i]) {
      const [h, w, c] = inputShape;
      for (let yy = 0; yy < h; yy++)
        for (let xx = 0; xx < w; xx++)
          for (let ch = 0; ch < c; ch++) buf[i * f + (yy * w + xx) * c + ch] = ex[(yy * w + (w - 1 - xx)) * c + ch];
    } else buf.set(ex, i * f);
  });
  return tf.tensor(buf, [idx.length, ...inputShape]);
}

export function trainModel(model: FloatModel, data: TensorData, opts: TrainOptions): TrainHistory {
  const progress = opts.progress ?? silentProgress;
  const classes = model.spec.classes;
  const rng = new SeededRandom(opts.seed);
  const optimizer = tf.train.adam(opts.learningRate);
  const stepsPerEpoch = Math.ceil(data.n / opts.batchSize);
  const totalSteps = stepsPerEpoch * opts.epochs;
  const history: TrainHistory = { loss: [], accuracy: [] };
  const vars = model.trainableVariables();
  let step = 0;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const order = rng.permutation(data.n);
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let s = 0; s < stepsPerEpoch; s++) {
      const idx = order.slice(s * opts.batchSize, (s + 1) * opts.batchSize);
      const flips = opts.augmentFlip ? idx.map(() => rng.next() < 0.5) : null;
      const [lossValue, batchCorrect] = tf.tidy(() => {
        const xb = batchTensor(data, idx, model.spec.inputShape, flips);
        const yb = tf.tensor1d(
          Int32Array.from(idx, (i) => data.y[i]),
          'int32',
        );
        const oneHot = tf.oneHot(yb, classes).toFloat();
        let logitsOut: tf.Tensor | null = null;
        const lossFn = (): tf.Scalar => {
          const logits = model.forward(xb, opts.fakeQuant);
          logitsOut = tf.keep(logits);
          const weights = opts.classWeights
            ? tf.tensor1d(Array.from(idx, (i) => opts.classWeights![data.y[i]]))
            : undefined;
          let loss = tf.losses.softmaxCrossEntropy(oneHot, logits, weights) as tf.Scalar;
          if (opts.distill) {
            const { temperature: T, alpha } = opts.distill;
            const soft = tf.tensor2d(
              Float32Array.from(
                { length: idx.length * classes },
                (_, k) => opts.distill!.teacherProbs[idx[Math.floor(k / classes)] * classes + (k % classes)],
              ),
              [idx.length, classes],
            );
            // softmax(teacher_logits / T) = p^(1/T) normalised; the floor avoids log(0) on saturated int8 outputs.
            const softT = tf.pow(tf.maximum(soft, 1 / 512), 1 / T);
            const target = softT.div(tf.sum(softT, 1, true));
            const logSoftStudent = tf.logSoftmax(logits.div(T));
            const softLoss = tf
              .mean(tf.sum(tf.mul(target, logSoftStudent), 1))
              .neg()
              .mul(T * T);
            loss = tf.add(softLoss.mul(alpha), loss.mul(1 - alpha)) as tf.Scalar;
          }
          return loss;
        };
        const cost = optimizer.minimize(lossFn, true, vars)!;
        const pred = tf.argMax(logitsOut!, 1);
        const c = tf.sum(tf.equal(pred, yb).toInt()).dataSync()[0];
        (logitsOut as unknown as tf.Tensor).dispose();
        return [cost.dataSync()[0], c];
      });
      model.applyMasks();
      opts.onStep?.(step, totalSteps);
      step++;
      lossSum += lossValue * idx.length;
      correct += batchCorrect;
      seen += idx.length;
      progress.update(`${opts.label} ${epoch + 1}/${opts.epochs}`, s + 1, stepsPerEpoch, {
        loss: lossSum / seen,
        acc: correct / seen,
      });
    }
    history.loss.push(lossSum / seen);
    history.accuracy.push(correct / seen);
    progress.epochEnd(`${opts.label} epoch`, epoch + 1, opts.epochs, { loss: lossSum / seen, acc: correct / seen });
  }
  optimizer.dispose();
  return history;
}

/** Logits for every example, in batches. */
export function predictLogits(
  model: FloatModel,
  x: Float32Array,
  n: number,
  fq?: FakeQuantConfig,
  batchSize = 256,
): Float32Array {
  const f = model.spec.inputShape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n * model.spec.classes);
  for (let s = 0; s < n; s += batchSize) {
    const m = Math.min(batchSize, n - s);
    const logits = tf.tidy(() =>
      model.forward(tf.tensor(x.subarray(s * f, (s + m) * f), [m, ...model.spec.inputShape]), fq),
    );
    out.set(logits.dataSync() as Float32Array, s * model.spec.classes);
    logits.dispose();
  }
  return out;
}

/** Per layer min/max of outputs (after activation) over calibration examples. */
export function calibrateRanges(
  model: FloatModel,
  x: Float32Array,
  n: number,
  batchSize = 256,
): { min: number; max: number }[] {
  const f = model.spec.inputShape.reduce((a, b) => a * b, 1);
  const ranges = model.spec.layers.map(() => ({ min: Infinity, max: -Infinity }));
  for (let s = 0; s < n; s += batchSize) {
    const m = Math.min(batchSize, n - s);
    tf.tidy(() => {
      const outs = model.forwardAll(tf.tensor(x.subarray(s * f, (s + m) * f), [m, ...model.spec.inputShape]));
      outs.forEach((o, i) => {
        ranges[i].min = Math.min(ranges[i].min, tf.min(o).dataSync()[0]);
        ranges[i].max = Math.max(ranges[i].max, tf.max(o).dataSync()[0]);
      });
    });
  }
  return ranges;
}
