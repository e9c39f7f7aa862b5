import { featureSize } from '@tinyfleet/datasets';
import { prepareData } from '../build-runner';
import { findRecipe } from '../recipes/recipe-registry';
import type { StageContext } from '../pipeline.types';
import { paramCount } from '../graph/model-spec';
import { initTf } from '../train/tf-backend';
import { runDistillStage, TfjsTeacher } from './distill.stage';
import { magnitudeMask, polynomialSparsity, runPruneStage } from './prune.stage';
import { runTrainStage } from './train.stage';
import { applyPreprocessing } from '../preprocess';

describe('pruning schedule', () => {
  it('follows the cubic Zhu & Gupta curve from s_i to s_f', () => {
    expect(polynomialSparsity(0, 100, 0, 0.9)).toBe(0);
    expect(polynomialSparsity(50, 100, 0, 0.9)).toBeCloseTo(0.9 - 0.9 * 0.125, 10);
    expect(polynomialSparsity(100, 100, 0, 0.9)).toBe(0.9);
    expect(polynomialSparsity(500, 100, 0, 0.9)).toBe(0.9);
  });

  it('magnitude masks remove exactly the smallest weights', () => {
    const w = Float32Array.from([0.5, -0.1, 0.3, -0.9, 0.05, 0.2, -0.4, 0.7, 0.01, -0.6]);
    expect(Array.from(magnitudeMask(w, 0.3))).toEqual([1, 0, 1, 1, 0, 1, 1, 1, 0, 1]);
  });
});

describe('stages on real data (gas-ethylene quick subset)', () => {
  const recipe = findRecipe('gas-ethylene', '1');
  let ctx: StageContext;
  let preprocessing: ReturnType<typeof prepareData>['preprocessing'];
  beforeAll(async () => {
    await initTf();
    const prepared = prepareData(recipe, true);
    const data = prepared.data;
    preprocessing = prepared.preprocessing;
    ctx = { spec: recipe.spec, data, seed: 1, quick: true, progress: { update() {}, epochEnd() {} }, log: () => {} };
  });

  it('prune reaches the target sparsity on each layer and keeps it after fine-tuning', () => {
    const { model } = runTrainStage(ctx, { epochs: 1, batchSize: 32, learningRate: 2e-3 });
    const report = runPruneStage(ctx, model, { targetSparsity: 0.8, epochs: 2, batchSize: 32, learningRate: 1e-3 });
    const p = model.getParams();
    for (const k of p.kernels.filter((x): x is Float32Array => x !== null)) {
      const zeros = k.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);
      expect(zeros / k.length).toBeCloseTo(0.8, 2);
    }
    expect(report.nonzeros).toBeLessThan(report.params * 0.25);
    model.dispose();
  });

  it('distills a student from a tfjs teacher (soft targets + labels)', () => {
    const { model: teacherModel } = runTrainStage(ctx, { epochs: 2, batchSize: 32, learningRate: 2e-3 });
    const prep = (raw: Parameters<typeof applyPreprocessing>[1]) => applyPreprocessing(preprocessing, raw);
    const teacher = new TfjsTeacher('float teacher', teacherModel, prep);
    const probs = teacher.probabilities(ctx.data.rawTest);
    expect(probs.length).toBe(ctx.data.rawTest.n * 6);
    for (let i = 0; i < 5; i++) expect(probs.subarray(i * 6, i * 6 + 6).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const studentSpec = {
      ...recipe.spec,
      layers: [
        { kind: 'dense' as const, units: 12, activation: 'relu' as const },
        { kind: 'dense' as const, units: 6, activation: 'none' as const },
      ],
    };
    const { model, report, teacherReport } = runDistillStage({ ...ctx, spec: studentSpec }, teacher, {
      temperature: 3,
      alpha: 0.7,
      epochs: 2,
      batchSize: 32,
      learningRate: 3e-3,
    });
    expect(report.params).toBeLessThan(paramCount(recipe.spec) / 3);
    expect(teacherReport.accuracy).toBeGreaterThan(0.3);
    expect(report.accuracy).toBeGreaterThan(0.3);
    expect(featureSize(ctx.data.rawTest)).toBe(128);
    model.dispose();
    teacherModel.dispose();
  });
});
