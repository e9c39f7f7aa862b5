/** The artifact manifest: everything a device and the registry need to know about one model build. */

/** The RAM a model needs on a device: the full figure when the manifest has it, else its planned activations. */
export function deviceRamBytes(m: Pick<ArtifactManifest, 'arenaBytes' | 'memory'>): number {
  return m.memory?.totalBytes ?? m.arenaBytes;
}

/** v2: signed through the device manifest (device-manifest.ts), which names this file's sha256. */
export const MANIFEST_SCHEMA = 'tinyfleet.artifact/v2';
export const MODEL_FILE = 'model.tflite';
export const OTA_FILE = 'model.tfhc';
export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'signature.json';

export interface TensorSpec {
  name: string;
  dtype: string;
  shape: number[];
  scale: number;
  zeroPoint: number;
}

/**
 * Declarative preprocessing from raw sensor samples to the input tensor, applied in this order:
 * pick `channels` from each sample, apply `transform`, stack the last `windowLength` samples (oldest first, row-major
 * [time][channel]), optionally replace invalid readings, x = (raw - mean[c]) / std[c] per channel
 * (or per pixel offset for images), then q = clamp(round(x / scale) + zeroPoint, -128, 127).
 */
export interface Preprocessing {
  kind: 'window' | 'features' | 'image';
  channels: string[];
  windowLength: number;
  /** Per channel (length = channels.length); for images a single value. */
  mean: number[];
  std: number[];
  /** Applied to raw values before normalisation: 'signed-log1p' = sign(v) * ln(1 + |v|). */
  transform: 'none' | 'signed-log1p';
  /** Readings equal to one of these are treated as missing and replaced by the channel mean. */
  invalidValues?: number[];
  /** Extra features appended per window, e.g. per-channel slope; described in words. */
  derivedFeatures?: string;
  /**
   * Windows only: after standardisation each channel's window is replaced by `bins` spectral bins, the
   * mean DFT magnitude (|X_k| / windowLength) over equal groups of k = 0..windowLength/2; input
   * layout [bin][channel]. Implemented once in @tinyfleet/datasets (input-preprocessor.ts).
   */
  spectralBins?: number;
  quantization: { scale: number; zeroPoint: number; dtype: 'int8' };
  sampleIntervalSeconds?: number;
  notes?: string;
}

export interface StageMetrics {
  stage: string;
  accuracy: number;
  params: number;
  nonzeros: number;
  float32Bytes?: number;
  int8Bytes?: number;
  huffmanBytes?: number;
  compressionRatio?: number;
  macs?: number;
  arenaBytes?: number;
  notes?: string;
}

export interface DatasetRef {
  name: string;
  files: { path: string; sha256: string; bytes: number }[];
  split: string;
}

export interface ArtifactManifest {
  schema: typeof MANIFEST_SCHEMA;
  name: string;
  version: string;
  recipe: string;
  description: string;
  createdAt: string;
  seed: number;
  quick: boolean;
  model: { file: string; sha256: string; bytes: number };
  ota: { file: string; sha256: string; bytes: number; format: 'TFHC/1' };
  sizes: { float32TfliteBytes: number; int8TfliteBytes: number; huffmanBytes: number };
  /** Planned activations only (the tensor arena's activation part); `memory` has the whole device figure. */
  arenaBytes: number;
  /**
   * What the device's interpreter needs in RAM for this model (libs/tinyml `interpreter.memory`, 32-bit
   * pointers): activations + scratch + persistent (runtime structs, kernel data, variable tensors).
   * Admission and the nodes' model fit use `totalBytes`.
   */
  memory?: { activationsBytes: number; scratchBytes: number; persistentBytes: number; totalBytes: number };
  flashBytes: number;
  macs: number;
  ops: Record<string, number>;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  labels: string[];
  /** How the labels were obtained (e.g. derived from future readings). */
  labelDefinition: string;
  preprocessing: Preprocessing;
  metrics: StageMetrics[];
  datasets: DatasetRef[];
  /**
   * Run by the device before it switches to the model: the input is either seeded (seededSelfTestInput,
   * 4 bytes on air) or given (`inputBase64`, every input's bytes concatenated); every output element must
   * be within `toleranceLsb` of the expected bytes.
   */
  selfTest: {
    seed?: number;
    inputBase64?: string;
    expectedOutputBase64: string;
    toleranceLsb: number;
    note: string;
  };
  minInterpreterVersion: string;
  signing: { algorithm: 'Ed25519'; keyId: string };
  /**
   * What the model's `up/summary` signals look like on data it was validated on: the reference a
   * label-free drift check compares the fleet's windows with (@tinyfleet/drift). Absent for a model
   * packaged without data; the platform then takes its cohort's first window after the rollout.
   */
  monitoring?: {
    marginQ: number;
    reference: {
      inferences: number;
      classCounts: number[];
      scoreHistogram: number[];
      lowMargin: number;
      inputStats: { count: number; sum: number; sumSquares: number }[];
    };
    /** Where the reference comes from, e.g. "validation split, 412 windows, int8 model on libs/tinyml". */
    source: string;
  };
}

export interface SignatureFile {
  algorithm: 'Ed25519';
  keyId: string;
  /** base64 Ed25519 signature over signedMessage(device manifest bytes). */
  signature: string;
}
