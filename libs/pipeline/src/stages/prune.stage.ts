/**
 * Stage 2, prune: magnitude pruning with the gradual schedule of Zhu & Gupta (2017),
 *   s_t = s_f + (s_i - s_f) * (1 - (t - t0) / (n * dt))^3,
 * masks recomputed every `frequency` steps while fine-tuning, then fine-tuning with fixed masks.
 * Per-layer targets are allowed because layers differ in redundancy (Han et al. keep more of the
 * first conv layer than of the large dense layers).
 */
import { countNonzeros } from '../graph/float-params';
import type { StageContext, StageReport } from '../pipeline.types';
import type { FloatModel } from '../train/float-model';
import { tf } from '../train/tf-backend';
import { trainModel } from '../train/train-loop';
import { evaluateFloat } from './evaluate';

export interface PruneStageOptions {
  /** Final sparsity (fraction of zero weights), one for all layers or one per layer (weight layers only, others ignored). */
  targetSparsity: number | number[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Fraction of the fine-tuning steps over which sparsity ramps up; the rest fine-tunes with fixed masks. */
  rampFraction?: number;
  frequency?: number;
  classWeights?: number[];
  augmentFlip?: boolean;
}

export function polynomialSparsity(step: number, rampSteps: number, initial: number, final: number): number {
  if (step >= rampSteps) return final;
  const progress = Math.max(0, step) / Math.max(1, rampSteps);
  return final + (initial - final) * (1 - progress) ** 3;
}

/** Mask keeping the largest-magnitude weights so that `sparsity` of them are zero. */
export function magnitudeMask(weights: Float32Array, sparsity: number): Float32Array {
  const k = Math.floor(weights.length * Math.min(1, Math.max(0, sparsity)));
  const mask = new Float32Array(weights.length).fill(1);
  if (k === 0) return mask;
  const order = Array.from(weights.keys()).sort((a, b) => Math.abs(weights[a]) - Math.abs(weights[b]) || a - b);
  for (let i = 0; i < k; i++) mask[order[i]] = 0;
  return mask;
}

function layerTargets(model: FloatModel, target: number | number[]): number[] {
  return model.kernels.map((k, i) => (k ? (Array.isArray(target) ? (target[i] ?? 0) : target) : 0));
}

export function setMasks(model: FloatModel, sparsities: number[]): void {
  model.kernels.forEach((k, i) => {
    if (!k) return;
    const mask = magnitudeMask(k.dataSync() as Float32Array, sparsities[i]);
    model.masks[i]?.dispose();
    model.masks[i] = tf.tensor(mask, k.shape);
  });
  model.applyMasks();
}

export function runPruneStage(ctx: StageContext, model: FloatModel, opts: PruneStageOptions): StageReport {
  const t0 = Date.now();
  const targets = layerTargets(model, opts.targetSparsity);
  const frequency = opts.frequency ?? 20;
  let rampSteps = 0;
  trainModel(model, ctx.data.train, {
    epochs: opts.epochs,
    batchSize: opts.batchSize,
    learningRate: opts.learningRate,
    classWeights: opts.classWeights,
    augmentFlip: opts.augmentFlip,
    seed: ctx.seed + 1,
    label: 'prune',
    progress: ctx.progress,
    onStep: (step, total) => {
      if (step === 0) {
        rampSteps = Math.max(1, Math.floor(total * (opts.rampFraction ?? 0.7)));
        setMasks(
          model,
          targets.map((t) => polynomialSparsity(0, rampSteps, 0, t)),
        );
      }
      if (step % frequency === 0 || step === rampSteps) {
        setMasks(
          model,
          targets.map((t) => polynomialSparsity(step, rampSteps, 0, t)),
        );
      }
    },
  });
  // Make sure the final masks are at the target even if the schedule ended between updates.
  setMasks(model, targets);
  const m = evaluateFloat(model, ctx.data.test);
  const { params, nonzeros } = countNonzeros(model.getParams());
  ctx.log(
    `prune: sparsity ${(1 - nonzeros / params).toFixed(3)} (targets ${targets.map((t) => t.toFixed(2)).join('/')}), test accuracy ${(m.accuracy * 100).toFixed(2)} %`,
  );
  return { stage: 'prune', ...m, params, nonzeros, seconds: (Date.now() - t0) / 1000 };
}
