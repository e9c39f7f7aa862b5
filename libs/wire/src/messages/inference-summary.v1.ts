import { defineMessage } from '../message';
import { int, list, record, refine, schemaError, uint32, uint53, uint8, unixMs } from '../schema';

/** At most this many models per summary: the active slot, and the one it replaced during the window. */
export const SUMMARY_MAX_MODELS = 2;
/** Class counts are sent for models with up to this many classes. */
export const SUMMARY_MAX_CLASSES = 32;
/** Input statistics for up to this many preprocessed channels (an image model has one). */
export const SUMMARY_MAX_CHANNELS = 16;
/** The winning score's histogram: 16 bins over the int8 scale, bin = (scoreQ + 128) >> 4. */
export const SCORE_HISTOGRAM_BINS = 16;

/** Sums over one preprocessed input channel's quantized (int8) values: mean and variance follow. */
export interface ChannelStatsV1 {
  /** How many values were summed (inferences × the values per inference of this channel). */
  count: number;
  /** Σ q, an integer (|Σ| ≤ 2^53−1). */
  sum: number;
  /** Σ q², an integer. */
  sumSquares: number;
}

/** What one model concluded during the window: the label-free signals a drift check needs. */
export interface ModelSummaryV1 {
  /** uint32, as InferenceEventV1.modelTag. */
  modelTag: number;
  /** Inferences in the window (every inference, whether or not it became an event). */
  inferences: number;
  /** Per class (index = label), how often it won; one entry per class of the model; sums to `inferences`. */
  classCounts: number[];
  /** The winning class's int8 score in SCORE_HISTOGRAM_BINS bins; sums to `inferences`. */
  scoreHistogram: number[];
  /** Inferences whose winner beat the runner-up by fewer than `marginQ` int8 steps (≤ inferences). */
  lowMargin: number;
  /** Per preprocessed input channel, in the model's channel order. */
  inputStats: ChannelStatsV1[];
}

/**
 * up/summary — a periodic, compact account of what the device's models concluded and what their
 * inputs looked like, with no ground truth and no raw data: enough for the platform to notice a
 * model going wrong in the field (class mix, confidence and input distribution drifting away from
 * the model's reference). Counts cover the window since the previous summary of the same boot
 * (`seq` + 1), so a summary is small on air; `(deviceId, bootId, seq)` dedups a re-delivery, and a
 * gap in `seq` tells the platform a window is missing.
 */
export interface InferenceSummaryV1 {
  /** uint32, the same random per-boot id as EnergySnapshotV1.bootId. */
  bootId: number;
  /** uint32, per boot, increasing by one per summary. */
  seq: number;
  /** Device clock at the end of the window, unix ms. */
  timestampMs: number;
  /** uint32, how long the window was, ms. */
  windowMs: number;
  /** The low-margin threshold the device used, int8 steps (0..255). */
  marginQ: number;
  /** 0..2 models. */
  models: ModelSummaryV1[];
}

export const INFERENCE_SUMMARY_V1_MAX_BYTES = 2048;

const channelStatsV1Field = record<ChannelStatsV1>({
  count: uint53,
  sum: int(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  sumSquares: uint53,
});

const modelSummaryV1Field = refine(
  record<ModelSummaryV1>({
    modelTag: uint32,
    inferences: uint32,
    classCounts: list(uint32, 1, SUMMARY_MAX_CLASSES),
    scoreHistogram: list(uint32, SCORE_HISTOGRAM_BINS, SCORE_HISTOGRAM_BINS),
    lowMargin: uint32,
    inputStats: list(channelStatsV1Field, 0, SUMMARY_MAX_CHANNELS),
  }),
  (m, path) => {
    const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    if (total(m.classCounts) !== m.inferences)
      throw schemaError(`${path}.classCounts`, `sum ${total(m.classCounts)} is not inferences ${m.inferences}`);
    if (total(m.scoreHistogram) !== m.inferences)
      throw schemaError(`${path}.scoreHistogram`, `sum ${total(m.scoreHistogram)} is not inferences ${m.inferences}`);
    if (m.lowMargin > m.inferences)
      throw schemaError(`${path}.lowMargin`, `${m.lowMargin} exceeds inferences ${m.inferences}`);
  },
);

export const inferenceSummaryV1Codec = defineMessage<InferenceSummaryV1>(
  'InferenceSummaryV1',
  INFERENCE_SUMMARY_V1_MAX_BYTES,
  refine(
    record<InferenceSummaryV1>({
      bootId: uint32,
      seq: uint32,
      timestampMs: unixMs,
      windowMs: uint32,
      marginQ: uint8,
      models: list(modelSummaryV1Field, 0, SUMMARY_MAX_MODELS),
    }),
    (s, path) => {
      if (new Set(s.models.map((m) => m.modelTag)).size !== s.models.length)
        throw schemaError(`${path}.models`, 'a modelTag appears more than once');
    },
  ),
);

export function encodeInferenceSummaryV1(message: InferenceSummaryV1): Uint8Array {
  return inferenceSummaryV1Codec.encode(message);
}

export function decodeInferenceSummaryV1(bytes: Uint8Array): InferenceSummaryV1 {
  return inferenceSummaryV1Codec.decode(bytes);
}
