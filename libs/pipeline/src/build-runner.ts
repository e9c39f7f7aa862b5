/**
 * `model build`: runs the stages of a recipe in order (train or distill, prune, quantize, share +
 * Huffman, export, package) and collects one report per stage. Each stage is also usable alone
 * (see stages/); this file only wires them.
 */
import * as path from 'node:path';
import type { ArtifactManifest } from '@tinyfleet/artifact';
import type { SigningKey } from '@tinyfleet/artifact/verify-node';
import { strided, subset, type LabelledData } from '@tinyfleet/datasets';
import { inspectModel, Interpreter, loadModel } from '@tinyfleet/tinyml';
import { countNonzeros, type FloatParams } from './graph/float-params';
import { modelMacs } from './graph/model-spec';
import type { PreparedData, StageContext, StageReport } from './pipeline.types';
import { applyPreprocessing, fitPreprocessing, inputQuant } from './preprocess';
import type { Recipe } from './recipes/recipe.types';
import { exportFloat } from './export/tflite-export';
import { classCounts, confusionMatrix, evaluateInt8 } from './stages/evaluate';
import { deviceRamBytes } from './user/device-target';
import { runDistillStage } from './stages/distill.stage';
import { runExportStage, type ExportResult } from './stages/export.stage';
import { chooseWeightSharing, huffmanEncodeModel } from './stages/huffman.stage';
import { runPackageStage } from './stages/package.stage';
import { monitoringReference } from './stages/reference.stage';
import { runPruneStage } from './stages/prune.stage';
import { runQuantizeStage } from './stages/quantize.stage';
import { balancedClassWeights, runTrainStage } from './stages/train.stage';
import { silentProgress, type ProgressSink } from './train/progress-bar';
import { initTf } from './train/tf-backend';
import { augmentImages } from './train/image-augment';
import {
  concatLabelled,
  fieldEvidenceExamples,
  readEvidenceExport,
  type FieldEvidence,
} from './evidence/evidence-data';

export interface BuildOptions {
  recipe: Recipe;
  outDir: string;
  quick: boolean;
  seed: number;
  key: SigningKey;
  progress?: ProgressSink;
  log?: (line: string) => void;
  /** Where teacher outputs are cached between builds. */
  cacheDir?: string;
  /** A labelled-evidence export (tinyfleet evidence export DIR): its windows join the training split. */
  evidenceDir?: string;
}

export interface GoalResult {
  goal: string;
  value: number;
  target: number;
  met: boolean;
}

export interface BuildResult {
  manifest: ArtifactManifest;
  reports: StageReport[];
  /** Examples per class in each split. */
  classBalance: { train: number[]; val: number[]; test: number[] };
  /** Test split, final int8 model: confusion[true][predicted]. */
  confusion: number[][];
  goals: GoalResult[];
  backend: string;
  floatBaselineAccuracy: number;
  finalAccuracy: number;
  teacherAccuracy?: number;
  exported: ExportResult;
  /** The field evidence appended to the training split, when --add-evidence was given. */
  evidence: { dir: string; windows: number; perLabel: Record<string, number> } | null;
}

function interpreterFor(bytes: Uint8Array): Interpreter {
  return new Interpreter(loadModel(bytes), {});
}

/** Validation = every 10th training example (deterministic, spread over time/classes). */
function splitTrainVal(raw: LabelledData): { train: LabelledData; val: LabelledData } {
  const tr: number[] = [];
  const va: number[] = [];
  for (let i = 0; i < raw.n; i++) (i % 10 === 9 ? va : tr).push(i);
  return { train: subset(raw, tr), val: subset(raw, va) };
}

export function prepareData(
  recipe: Recipe,
  quick: boolean,
  seed = 1,
  evidenceDir?: string,
): { data: PreparedData; preprocessing: ReturnType<typeof fitPreprocessing>; evidence: FieldEvidence | null } {
  const loaded = recipe.load();
  let { train, test } = loaded;
  if (quick) {
    train = strided(train, recipe.quick.trainExamples);
    test = strided(test, recipe.quick.testExamples);
  }
  const split = loaded.val ? { train, val: loaded.val } : splitTrainVal(train);
  // Field evidence joins the training split only (after the validation split, never the test split).
  let evidence: FieldEvidence | null = null;
  if (evidenceDir) {
    const read = readEvidenceExport(evidenceDir);
    evidence = fieldEvidenceExamples(read.export, read.file, split.train);
    split.train = concatLabelled(split.train, evidence.data);
  }
  // Teacher-labelled augmented copies (after the validation split, so validation stays real frames).
  if (recipe.distill?.augmentCopies && !quick)
    split.train = augmentImages(split.train, recipe.distill.augmentCopies, seed + 100);
  const preprocessing = fitPreprocessing(recipe.preprocessing, split.train);
  const flat = (d: LabelledData) => applyPreprocessing(preprocessing, d);
  return {
    preprocessing,
    evidence,
    data: {
      train: flat(split.train),
      val: flat(split.val),
      test: flat(test),
      rawTrain: split.train,
      rawTest: test,
      labels: train.labels,
    },
  };
}

export async function buildRecipe(opts: BuildOptions): Promise<BuildResult> {
  const { recipe, quick, seed } = opts;
  const log = opts.log ?? (() => {});
  const backend = await initTf();
  log(
    `recipe ${recipe.id} (${recipe.artifactName}@${recipe.version}), seed ${seed}, ${quick ? 'quick' : 'full'} build, tf backend ${backend}`,
  );
  const { data, preprocessing, evidence } = prepareData(recipe, quick, seed, opts.evidenceDir);
  if (evidence)
    log(
      `evidence: ${evidence.data.n} labelled field windows from ${evidence.file.path} appended to the training split (${Object.entries(
        evidence.perLabel,
      )
        .map(([l, n]) => `${l} ${n}`)
        .join(', ')})`,
    );
  log(`data: ${data.train.n} train / ${data.val.n} validation / ${data.test.n} test examples`);
  const recipeOf = evidence
    ? {
        ...recipe,
        datasets: [
          ...recipe.datasets,
          {
            name: 'field-evidence',
            split: `train only: ${evidence.data.n} labelled windows requested from the fleet`,
            files: [
              { path: path.basename(evidence.file.path), sha256: evidence.file.sha256, bytes: evidence.file.bytes },
            ],
          },
        ],
      }
    : recipe;
  const ctx: StageContext = { spec: recipe.spec, data, seed, quick, progress: opts.progress ?? silentProgress, log };
  const epochs = quick ? recipe.quick.epochs : recipe.epochs;
  const classWeights = recipe.balanceClasses ? balancedClassWeights(data.train.y, recipe.spec.classes) : undefined;
  const reports: StageReport[] = [];
  const description = `tinyfleet ${recipe.artifactName}@${recipe.version} (${recipe.id})`;

  // 1/3. Train from labels, or distill from a teacher.
  let teacherAccuracy: number | undefined;
  const first = recipe.distill
    ? (() => {
        const d = recipe.distill!;
        const teacher = d.teacher(opts.cacheDir);
        const r = runDistillStage(ctx, teacher, {
          temperature: d.temperature,
          alpha: d.alpha,
          epochs: epochs.train,
          batchSize: recipe.batchSize,
          learningRate: recipe.learningRate,
          augmentFlip: recipe.augmentFlip,
        });
        teacherAccuracy = r.teacherReport.accuracy;
        reports.push(r.teacherReport);
        return r;
      })()
    : runTrainStage(ctx, {
        epochs: epochs.train,
        batchSize: recipe.batchSize,
        learningRate: recipe.learningRate,
        classWeights,
        augmentFlip: recipe.augmentFlip,
      });
  const model = first.model;
  const baseline: FloatParams = model.getParams();
  const float32 = exportFloat(recipe.spec, baseline, description);
  reports.push({ ...first.report, float32Bytes: float32.bytes.length });

  // 2. Prune.
  if (recipe.prune && epochs.prune > 0) {
    reports.push(
      runPruneStage(ctx, model, {
        targetSparsity: recipe.prune.targetSparsity,
        epochs: epochs.prune,
        batchSize: recipe.batchSize,
        learningRate: recipe.prune.learningRate,
        classWeights,
        augmentFlip: recipe.augmentFlip,
      }),
    );
  }

  // 4. Quantize (PTQ, then QAT if it helps on validation).
  const q = runQuantizeStage(ctx, model, {
    inputQ: inputQuant(preprocessing),
    calibrationExamples: 1000,
    qatEpochs: epochs.qat,
    batchSize: recipe.batchSize,
    learningRate: (recipe.prune?.learningRate ?? recipe.learningRate) / 2,
    classWeights,
    augmentFlip: recipe.augmentFlip,
  });
  for (const r of q.reports) reports.push(r);

  // 5. Weight sharing where it wins, then Huffman.
  const t5 = Date.now();
  const share = chooseWeightSharing(ctx, q.qm, recipe.share.bits, recipe.share.tolerancePts, description);
  const exported = runExportStage(recipe.spec, share.qm, model.getParams(), data.test, description);
  const huffman = huffmanEncodeModel(exported.int8);
  const finalMetrics = evaluateInt8(share.qm, data.test, recipe.spec.classes);
  // Device memory and MACs of every stage: float stages run the float32 .tflite, int8 stages the int8 one.
  const floatDevice = {
    macs: inspectModel(float32.bytes).macs,
    arenaBytes: deviceRamBytes(interpreterFor(float32.bytes)),
  };
  const int8Device = {
    macs: exported.inspection.macs,
    arenaBytes: deviceRamBytes(interpreterFor(exported.int8.bytes)),
  };
  for (const r of reports) {
    if (r.stage.startsWith('teacher')) continue;
    Object.assign(r, r.stage.startsWith('quantize') ? int8Device : floatDevice);
  }
  const nz = countNonzeros(model.getParams());
  const ratio = float32.bytes.length / huffman.bytes.length;
  reports.push({
    stage: `huffman${share.bits === null ? '' : ` (+${share.bits}-bit sharing)`}`,
    ...finalMetrics,
    params: nz.params,
    nonzeros: nz.nonzeros,
    float32Bytes: float32.bytes.length,
    int8Bytes: exported.int8.bytes.length,
    huffmanBytes: huffman.bytes.length,
    compressionRatio: ratio,
    ...int8Device,
    seconds: (Date.now() - t5) / 1000,
    notes: `sparse index: ${huffman.records.filter((r) => r.mode === 'sparse').length}/${huffman.records.length} layers; skeleton ${huffman.skeletonBytes} B`,
  });
  log(
    `huffman: ${exported.int8.bytes.length} B int8 .tflite -> ${huffman.bytes.length} B (${ratio.toFixed(1)}x vs float32 .tflite ${float32.bytes.length} B); round trip exact`,
  );

  // 6. Export (tinyml inspection and parity).
  const ins = exported.inspection;
  reports.push({
    stage: 'export (tinyml)',
    ...finalMetrics,
    params: ins.params,
    nonzeros: nz.nonzeros,
    int8Bytes: exported.int8.bytes.length,
    ...int8Device,
    seconds: 0,
    notes: `flash ${ins.flashBytes} B; tinyml vs integer simulation on ${exported.parity.examples} inputs: intermediates ${exported.parity.maxIntermediateDiff} LSB, softmax ${exported.parity.maxOutputDiff} LSB`,
  });
  log(
    `export: flash ${ins.flashBytes} B, arena ${ins.arenaBytes} B, ${ins.macs} MACs (model spec: ${modelMacs(recipe.spec)})`,
  );

  // 7. Package and sign.
  const manifest = runPackageStage({
    recipe: recipeOf,
    outDir: opts.outDir,
    seed,
    quick,
    exported,
    huffmanBytes: huffman.bytes,
    preprocessing,
    reports,
    key: opts.key,
    labels: data.labels,
    monitoring: monitoringReference(exported.int8.bytes, data.val.n > 0 ? data.val : data.test, preprocessing),
  });
  log(`package: ${path.resolve(opts.outDir)} signed with key ${opts.key.keyId}`);
  model.dispose();

  const floatBaselineAccuracy = first.report.accuracy;
  const goals: GoalResult[] = [];
  const g = recipe.goals;
  if (g.maxFlashBytes !== undefined)
    goals.push({
      goal: 'flash bytes <=',
      value: ins.flashBytes,
      target: g.maxFlashBytes,
      met: ins.flashBytes <= g.maxFlashBytes,
    });
  if (g.maxRamBytes !== undefined)
    goals.push({
      goal: 'device RAM bytes <=',
      value: int8Device.arenaBytes,
      target: g.maxRamBytes,
      met: int8Device.arenaBytes <= g.maxRamBytes,
    });
  if (g.maxTeacherGapPts !== undefined && teacherAccuracy !== undefined) {
    const gap = (teacherAccuracy - finalMetrics.accuracy) * 100;
    goals.push({
      goal: 'points below teacher <=',
      value: gap,
      target: g.maxTeacherGapPts,
      met: gap <= g.maxTeacherGapPts,
    });
  }
  if (g.minCompressionRatio !== undefined)
    goals.push({
      goal: 'compression ratio >=',
      value: ratio,
      target: g.minCompressionRatio,
      met: ratio >= g.minCompressionRatio,
    });
  if (g.maxAccuracyLossPts !== undefined) {
    const loss = (floatBaselineAccuracy - finalMetrics.accuracy) * 100;
    goals.push({
      goal: 'accuracy loss vs float (pts) <=',
      value: loss,
      target: g.maxAccuracyLossPts,
      met: loss <= g.maxAccuracyLossPts,
    });
  }
  return {
    manifest,
    reports,
    classBalance: {
      train: classCounts(data.train.y, data.labels.length),
      val: classCounts(data.val.y, data.labels.length),
      test: classCounts(data.test.y, data.labels.length),
    },
    confusion: confusionMatrix(share.qm, data.test, recipe.spec.classes),
    goals,
    backend,
    floatBaselineAccuracy,
    finalAccuracy: finalMetrics.accuracy,
    teacherAccuracy,
    exported,
    evidence: evidence && { dir: opts.evidenceDir!, windows: evidence.data.n, perLabel: evidence.perLabel },
  };
}
