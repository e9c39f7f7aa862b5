import { defineMessage } from '../message';
import { list, record, refine, schemaError, uint32, uint53, unixMs } from '../schema';

/** At most this many models per report: two slots plus the models a boot ran before them. */
export const ACCURACY_MAX_MODELS = 8;

/** Inferences and how many of them matched the ground truth, for one model since boot. */
export interface ModelAccuracyV1 {
  /** uint32, first 4 bytes of the model's sha256 (as InferenceEventV1.modelTag). */
  modelTag: number;
  /** Inferences checked against a ground-truth label since boot. */
  inferences: number;
  /** Of those, how many predicted the true label (≤ inferences). */
  correct: number;
}

/**
 * up/accuracy — on-device accuracy from the device's local ground-truth log (simulated nodes know the
 * dataset's label of every sample they replay; a field device would fill it from labelled spot checks).
 * Cumulative since boot, like up/energy, so a lost or repeated report never double-counts: the
 * platform keeps the latest counts per (bootId, modelTag) and diffs them over a time window.
 */
export interface AccuracyReportV1 {
  /** uint32, the same random per-boot id as EnergySnapshotV1.bootId. */
  bootId: number;
  /** uint32, per boot, increasing. */
  seq: number;
  /** Device clock, unix ms. */
  timestampMs: number;
  /** 0..8 models, each modelTag at most once. */
  models: ModelAccuracyV1[];
}

export const ACCURACY_REPORT_V1_MAX_BYTES = 256;

const modelAccuracyV1Field = refine(
  record<ModelAccuracyV1>({ modelTag: uint32, inferences: uint53, correct: uint53 }),
  (m, path) => {
    if (m.correct > m.inferences)
      throw schemaError(`${path}.correct`, `${m.correct} exceeds inferences ${m.inferences}`);
  },
);

export const accuracyReportV1Codec = defineMessage<AccuracyReportV1>(
  'AccuracyReportV1',
  ACCURACY_REPORT_V1_MAX_BYTES,
  refine(
    record<AccuracyReportV1>({
      bootId: uint32,
      seq: uint32,
      timestampMs: unixMs,
      models: list(modelAccuracyV1Field, 0, ACCURACY_MAX_MODELS),
    }),
    (report, path) => {
      const tags = new Set(report.models.map((m) => m.modelTag));
      if (tags.size !== report.models.length) throw schemaError(`${path}.models`, 'a modelTag appears more than once');
    },
  ),
);

export function encodeAccuracyReportV1(message: AccuracyReportV1): Uint8Array {
  return accuracyReportV1Codec.encode(message);
}

export function decodeAccuracyReportV1(bytes: Uint8Array): AccuracyReportV1 {
  return accuracyReportV1Codec.decode(bytes);
}
