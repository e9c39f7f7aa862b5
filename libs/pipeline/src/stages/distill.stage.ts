/**
 * Stage 3, distill (Hinton et al. 2015): the student learns from the teacher's outputs softened by a
 * temperature T plus the true labels: loss = alpha * T^2 * CE(softmax(t/T), softmax(s/T)) + (1 - alpha) * CE(y, s).
 * A teacher is either a tfjs FloatModel or a .tflite run by libs/tinyml.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Interpreter, loadModel } from '@tinyfleet/tinyml';
import type { LabelledData } from '@tinyfleet/datasets';
import { featureSize } from '@tinyfleet/datasets';
import { countNonzeros } from '../graph/float-params';
import { modelMacs } from '../graph/model-spec';
import type { StageContext, StageReport } from '../pipeline.types';
import { FloatModel } from '../train/float-model';
import { argmaxRows, classificationMetrics, type ClassificationMetrics } from '../train/metrics';
import { predictLogits, trainModel, type TensorData } from '../train/train-loop';
import { evaluateFloat } from './evaluate';

export interface Teacher {
  name: string;
  classes: number;
  /** Class probabilities for every raw example (n * classes). */
  probabilities(raw: LabelledData): Float32Array;
}

/** A .tflite teacher run by the tinyml interpreter; `toInput` maps one raw example to its input bytes. */
export class TfliteTeacher implements Teacher {
  readonly classes: number;
  private readonly interpreter: Interpreter;
  private readonly sha256: string;

  constructor(
    readonly name: string,
    modelBytes: Uint8Array,
    private readonly toInput: (raw: Float32Array) => Int8Array,
    private readonly cacheDir?: string,
  ) {
    this.interpreter = new Interpreter(loadModel(modelBytes), {});
    this.classes = this.interpreter.output(0).data.length;
    this.sha256 = createHash('sha256').update(modelBytes).digest('hex');
  }

  probabilities(raw: LabelledData): Float32Array {
    const f = featureSize(raw);
    const key = createHash('sha256')
      .update(this.sha256)
      .update(new Uint8Array(raw.x.buffer, raw.x.byteOffset, raw.x.byteLength))
      .digest('hex')
      .slice(0, 24);
    const cacheFile = this.cacheDir ? path.join(this.cacheDir, `teacher-${key}.f32`) : null;
    if (cacheFile && fs.existsSync(cacheFile)) {
      const b = fs.readFileSync(cacheFile);
      if (b.length === raw.n * this.classes * 4)
        return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
    }
    const out = new Float32Array(raw.n * this.classes);
    const input = this.interpreter.input(0);
    const output = this.interpreter.output(0);
    for (let i = 0; i < raw.n; i++) {
      input.data.set(this.toInput(raw.x.subarray(i * f, (i + 1) * f)));
      this.interpreter.invoke();
      for (let c = 0; c < this.classes; c++)
        out[i * this.classes + c] = (Number(output.data[c]) - output.zeroPoint) * output.scale;
    }
    if (cacheFile) {
      fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
      fs.writeFileSync(cacheFile, new Uint8Array(out.buffer));
    }
    return out;
  }
}

/** A tfjs float model as teacher; `prepare` maps raw examples to its preprocessed inputs. */
export class TfjsTeacher implements Teacher {
  readonly classes: number;
  constructor(
    readonly name: string,
    private readonly model: FloatModel,
    private readonly prepare: (raw: LabelledData) => TensorData,
  ) {
    this.classes = model.spec.classes;
  }

  probabilities(raw: LabelledData): Float32Array {
    const d = this.prepare(raw);
    const logits = predictLogits(this.model, d.x, d.n);
    const out = new Float32Array(logits.length);
    for (let i = 0; i < d.n; i++) {
      const row = logits.subarray(i * this.classes, (i + 1) * this.classes);
      const max = Math.max(...row);
      const e = Array.from(row, (v) => Math.exp(v - max));
      const s = e.reduce((a, b) => a + b, 0);
      e.forEach((v, c) => (out[i * this.classes + c] = v / s));
    }
    return out;
  }
}

export function teacherMetrics(teacher: Teacher, raw: LabelledData): ClassificationMetrics {
  return classificationMetrics(argmaxRows(teacher.probabilities(raw), teacher.classes), raw.y, teacher.classes);
}

export interface DistillStageOptions {
  temperature: number;
  alpha: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  augmentFlip?: boolean;
}

export function runDistillStage(
  ctx: StageContext,
  teacher: Teacher,
  opts: DistillStageOptions,
): { model: FloatModel; report: StageReport; teacherReport: StageReport } {
  const t0 = Date.now();
  if (teacher.classes !== ctx.spec.classes)
    throw new Error(`teacher has ${teacher.classes} classes, student ${ctx.spec.classes}`);
  const teacherProbs = teacher.probabilities(ctx.data.rawTrain);
  const tm = teacherMetrics(teacher, ctx.data.rawTest);
  ctx.log(`distill: teacher ${teacher.name} test accuracy ${(tm.accuracy * 100).toFixed(2)} %`);
  const model = FloatModel.init(ctx.spec, ctx.seed);
  // Flip augmentation would need the teacher on flipped images too; soft targets stay valid under a
  // horizontal flip for person/no-person, so the same probabilities are reused.
  trainModel(model, ctx.data.train, {
    epochs: opts.epochs,
    batchSize: opts.batchSize,
    learningRate: opts.learningRate,
    seed: ctx.seed,
    label: 'distill',
    progress: ctx.progress,
    augmentFlip: opts.augmentFlip,
    distill: {
      teacherProbs: teacherProbs.subarray(0, ctx.data.train.n * teacher.classes),
      temperature: opts.temperature,
      alpha: opts.alpha,
    },
  });
  const m = evaluateFloat(model, ctx.data.test);
  const { params, nonzeros } = countNonzeros(model.getParams());
  ctx.log(
    `distill: student test accuracy ${(m.accuracy * 100).toFixed(2)} % (T=${opts.temperature}, alpha=${opts.alpha})`,
  );
  return {
    model,
    report: {
      stage: 'distill',
      ...m,
      params,
      nonzeros,
      float32Bytes: params * 4,
      macs: modelMacs(ctx.spec),
      seconds: (Date.now() - t0) / 1000,
    },
    teacherReport: {
      stage: `teacher (${teacher.name})`,
      ...tm,
      params: 0,
      nonzeros: 0,
      seconds: 0,
      notes: 'teacher evaluated on the same test split',
    },
  };
}
