/** A recipe: data, preprocessing, model and the settings of each stage, with quick (CI) variants. */
import type { DatasetRef } from '@tinyfleet/artifact';
import type { LabelledData } from '@tinyfleet/datasets';
import type { ModelSpec } from '../graph/model-spec';
import type { PreprocessingTemplate } from '../preprocess';
import type { Teacher } from '../stages/distill.stage';

export interface RecipeGoals {
  maxFlashBytes?: number;
  /** The interpreter's device memory (activations + scratch + persistent, 32-bit), what admission checks. */
  maxRamBytes?: number;
  /** Student accuracy within this many points of the teacher (test split). */
  maxTeacherGapPts?: number;
  minCompressionRatio?: number;
  /** Final int8 accuracy loss against our own float baseline, in points. */
  maxAccuracyLossPts?: number;
}

export interface EpochPlan {
  train: number;
  prune: number;
  qat: number;
}

export interface Recipe {
  id: string;
  /** Artifact name and semver; recipes that are versions of one model share the name. */
  artifactName: string;
  version: string;
  description: string;
  labelDefinition: string;
  /** Names in libs/datasets/manifest.json (or the user's files, with their hashes), with the split used. */
  datasets: { name: string; split: string; files?: DatasetRef['files'] }[];
  /** Without `val`, every 10th training example is held out for validation. */
  load(): { train: LabelledData; test: LabelledData; val?: LabelledData };
  preprocessing: PreprocessingTemplate;
  spec: ModelSpec;
  batchSize: number;
  learningRate: number;
  epochs: EpochPlan;
  quick: { trainExamples: number; testExamples: number; epochs: EpochPlan };
  balanceClasses?: boolean;
  augmentFlip?: boolean;
  prune?: { targetSparsity: number | number[]; learningRate: number };
  distill?: {
    teacher(cacheDir?: string): Teacher;
    temperature: number;
    alpha: number;
    /** Augmented copies of each training image, labelled by the teacher (full builds only). */
    augmentCopies?: number;
  };
  share: { bits: number[]; tolerancePts: number };
  goals: RecipeGoals;
}
