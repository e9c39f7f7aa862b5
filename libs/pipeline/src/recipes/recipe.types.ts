/** A recipe: data, preprocessing, model and the settings of each stage, with quick (CI) variants. */
import type { LabelledData } from '@tinyfleet/datasets';
import type { ModelSpec } from '../graph/model-spec';
import type { PreprocessingTemplate } from '../preprocess';

export interface RecipeGoals {
  maxFlashBytes?: number;
  maxArenaBytes?: number;
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
  /** Names in libs/datasets/manifest.json, with the split used. */
  datasets: { name: string; split: string }[];
  load(): { train: LabelledData; test: LabelledData };
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
    teacherPath: string;
    teacherName: string;
    temperature: number;
    alpha: number;
    teacherInput: (raw: Float32Array) => Int8Array;
    /** Augmented copies of each training image, labelled by the teacher (full builds only). */
    augmentCopies?: number;
  };
  share: { bits: number[]; tolerancePts: number };
  goals: RecipeGoals;
}
