/**
 * Stage 4, quantize: post-training int8 quantization calibrated on representative (training)
 * examples, optional quantization-aware fine-tuning (fake quantization, straight-through
 * estimator), and k-means weight sharing where it makes the Huffman form smaller without costing
 * validation accuracy. Accuracies of quantized models come from the integer simulation.
 */
import { countNonzeros } from '../graph/float-params';
import type { QuantizedModel } from '../graph/quantized-model';
import type { StageContext, StageReport } from '../pipeline.types';
import { buildQuantizedModel, type ActivationRange } from '../quant/ptq';
import type { QuantParams } from '../quant/quant-math';
import { kmeansShareInt8 } from '../quant/weight-sharing';
import type { FloatModel } from '../train/float-model';
import { calibrateRanges, trainModel } from '../train/train-loop';
import { evaluateInt8 } from './evaluate';

export interface QuantizeStageOptions {
  inputQ: QuantParams;
  calibrationExamples: number;
  qatEpochs: number;
  batchSize: number;
  learningRate: number;
  classWeights?: number[];
  augmentFlip?: boolean;
}

export interface QuantizeResult {
  qm: QuantizedModel;
  ranges: ActivationRange[];
  reports: StageReport[];
}

function int8Report(
  ctx: StageContext,
  stage: string,
  qm: QuantizedModel,
  model: FloatModel,
  t0: number,
  notes?: string,
): StageReport {
  const m = evaluateInt8(qm, ctx.data.test, ctx.spec.classes);
  const { params, nonzeros } = countNonzeros(model.getParams());
  ctx.log(`${stage}: int8 test accuracy ${(m.accuracy * 100).toFixed(2)} %${notes ? ` (${notes})` : ''}`);
  return { stage, ...m, params, nonzeros, seconds: (Date.now() - t0) / 1000, notes };
}

export function runQuantizeStage(ctx: StageContext, model: FloatModel, opts: QuantizeStageOptions): QuantizeResult {
  let t0 = Date.now();
  const n = Math.min(opts.calibrationExamples, ctx.data.train.n);
  const f = ctx.data.train.x.length / ctx.data.train.n;
  const ranges = calibrateRanges(model, ctx.data.train.x.subarray(0, n * f), n);
  let qm = buildQuantizedModel(ctx.spec, model.getParams(), opts.inputQ, ranges);
  const reports = [int8Report(ctx, 'quantize (PTQ)', qm, model, t0, `calibrated on ${n} training examples`)];
  if (opts.qatEpochs > 0) {
    t0 = Date.now();
    const valPtq = evaluateInt8(qm, ctx.data.val, ctx.spec.classes).accuracy;
    const before = model.getParams();
    trainModel(model, ctx.data.train, {
      epochs: opts.qatEpochs,
      batchSize: opts.batchSize,
      learningRate: opts.learningRate,
      classWeights: opts.classWeights,
      augmentFlip: opts.augmentFlip,
      seed: ctx.seed + 2,
      label: 'qat',
      progress: ctx.progress,
      fakeQuant: { inputQ: opts.inputQ, ranges },
    });
    const qat = buildQuantizedModel(ctx.spec, model.getParams(), opts.inputQ, ranges);
    const valQat = evaluateInt8(qat, ctx.data.val, ctx.spec.classes).accuracy;
    // Keep QAT only if it helps on validation (never choose on the test split).
    const keep = valQat >= valPtq;
    if (keep) qm = qat;
    else model.setParams(before);
    reports.push(
      int8Report(
        ctx,
        'quantize (QAT)',
        qat,
        model,
        t0,
        `${opts.qatEpochs} fake-quant epochs; val ${(valQat * 100).toFixed(2)} vs PTQ ${(valPtq * 100).toFixed(2)} -> ${keep ? 'kept' : 'discarded'}`,
      ),
    );
  }
  return { qm, ranges, reports };
}

/** Replace each weight layer by its k-means shared version with `bits` (null = keep). */
export function shareWeights(qm: QuantizedModel, bits: number | null): QuantizedModel {
  if (bits === null) return qm;
  return {
    ...qm,
    ops: qm.ops.map((op) =>
      op.kind === 'fully_connected' || op.kind === 'conv2d'
        ? { ...op, weights: kmeansShareInt8(op.weights, bits).q }
        : op,
    ),
  };
}
