/** Stage 1, train: a float model from the recipe's spec on real data, seeded and deterministic. */
import { countNonzeros } from '../graph/float-params';
import { modelMacs } from '../graph/model-spec';
import type { StageContext, StageReport } from '../pipeline.types';
import { FloatModel } from '../train/float-model';
import { trainModel } from '../train/train-loop';
import { evaluateFloat } from './evaluate';

export interface TrainStageOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  classWeights?: number[];
  augmentFlip?: boolean;
}

export function runTrainStage(ctx: StageContext, opts: TrainStageOptions): { model: FloatModel; report: StageReport } {
  const t0 = Date.now();
  const model = FloatModel.init(ctx.spec, ctx.seed);
  trainModel(model, ctx.data.train, { ...opts, seed: ctx.seed, label: 'train', progress: ctx.progress });
  const m = evaluateFloat(model, ctx.data.test);
  const { params, nonzeros } = countNonzeros(model.getParams());
  const report: StageReport = {
    stage: 'train',
    ...m,
    params,
    nonzeros,
    float32Bytes: params * 4,
    macs: modelMacs(ctx.spec),
    seconds: (Date.now() - t0) / 1000,
  };
  ctx.log(`train: ${opts.epochs} epochs, test accuracy ${(m.accuracy * 100).toFixed(2)} %`);
  return { model, report };
}

/** Inverse-frequency class weights, so a rare positive class (soil) is not ignored. */
export function balancedClassWeights(y: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const v of y) counts[v]++;
  return counts.map((c) => (c ? y.length / (classes * c) : 0));
}
