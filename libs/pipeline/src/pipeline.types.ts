/** Shared types of the model pipeline: prepared data, stage reports and the build context. */
import type { LabelledData } from '@tinyfleet/datasets';
import type { ModelSpec } from './graph/model-spec';
import type { ProgressSink } from './train/progress-bar';
import type { TensorData } from './train/train-loop';

export class PipelineError extends Error {
  override name = 'PipelineError';
}

/** Train / validation (held out from train, for choices such as k-means bits) / test (reported). */
export interface PreparedData {
  train: TensorData;
  val: TensorData;
  test: TensorData;
  /** Raw (unpreprocessed) test examples, for the self-test vector and a teacher's own input. */
  rawTest: LabelledData;
  rawTrain: LabelledData;
  labels: string[];
}

export interface StageReport {
  stage: string;
  accuracy: number;
  balancedAccuracy?: number;
  params: number;
  nonzeros: number;
  float32Bytes?: number;
  int8Bytes?: number;
  huffmanBytes?: number;
  compressionRatio?: number;
  macs?: number;
  /** The interpreter's device memory for this stage's model (activations + scratch + persistent, 32-bit). */
  arenaBytes?: number;
  seconds: number;
  notes?: string;
}

export interface StageContext {
  spec: ModelSpec;
  data: PreparedData;
  seed: number;
  quick: boolean;
  progress: ProgressSink;
  /** Human-readable log lines (stage effects), printed by the CLI. */
  log: (line: string) => void;
}
