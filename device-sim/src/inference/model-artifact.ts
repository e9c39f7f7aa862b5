import { modelTagOf } from '@tinyfleet/wire';
import {
  deviceManifestOf,
  preprocessingOf,
  type ArtifactManifest,
  type DeviceManifest,
  type Preprocessing,
} from '@tinyfleet/artifact';
import { inferenceStrideSamples } from '@tinyfleet/datasets';
import { inspectModel, ModelInspection } from '@tinyfleet/tinyml';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A deployable model as the node sees it: the .tflite bytes plus what the manifest says about them. */
export interface ModelArtifact {
  /** `profile-name` (ModelSlotV1.modelId). */
  readonly modelId: string;
  readonly version: string;
  readonly recipe: string;
  readonly bytes: Uint8Array;
  readonly sha256: Uint8Array;
  /** First 4 bytes of sha256, big-endian (InferenceEventV1.modelTag). */
  readonly modelTag: number;
  readonly labels: readonly string[];
  readonly preprocessing: Preprocessing;
  readonly inspection: ModelInspection;
  /** Samples between inferences (a sliding window advances by this much). */
  readonly strideSamples: number;
  /** Where it was loaded from (for messages). */
  readonly source: string;
  /** The signed device manifest it came with (null for the TFLM reference model, which has none). */
  readonly deviceManifest: DeviceManifest | null;
}

export function sha256Of(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

function artifactFrom(opts: Omit<ModelArtifact, 'sha256' | 'modelTag' | 'inspection'>): ModelArtifact {
  const sha256 = sha256Of(opts.bytes);
  return { ...opts, sha256, modelTag: modelTagOf(sha256), inspection: inspectModel(opts.bytes) };
}

export const PERSON_DETECT_PATH = 'reference-models/person_detection/person_detect.tflite';
export const PERSON_DETECT_LABELS = ['no_person', 'person'];

/**
 * person_detect's input as manifest preprocessing (see loadPersonDetectArtifact). TFLM's example feeds
 * pixel − 128; with the input's scale 1/127.5 and zero point −1 that needs std 127.5, which the device
 * manifest cannot carry (5 significant bits, roundChannelStatistics). mean 127 and std 128 give
 * q = round((pixel − 127) / 128 × 127.5) − 1 = pixel − 128 for every pixel but 255 (126, 1 LSB).
 */
export function personDetectPreprocessing(model: Uint8Array): Preprocessing {
  const input = inspectModel(model).inputs[0]!;
  return {
    kind: 'image',
    transform: 'none',
    channels: ['gray'],
    windowLength: 1,
    mean: [127],
    std: [128],
    quantization: { scale: input.scale, zeroPoint: input.zeroPoint, dtype: 'int8' },
    notes: 'TFLM person_detection example: int8 input = grey pixel - 128 (255 gives 126)',
  };
}

/**
 * TFLM's person_detect.tflite as the doorbell's model until the pipeline ships a doorbell artifact:
 * int8 input [1,96,96,1] fed with pixel − 128 (TFLM's example does exactly that, our preprocessing
 * all but for pixel 255: personDetectPreprocessing), outputs [no_person, person].
 */
export function loadPersonDetectArtifact(dataDir: string): ModelArtifact {
  const file = path.join(dataDir, PERSON_DETECT_PATH);
  const bytes = new Uint8Array(fs.readFileSync(file));
  return artifactFrom({
    modelId: 'person-detect',
    version: '1.0.0',
    recipe: 'doorbell',
    bytes,
    labels: PERSON_DETECT_LABELS,
    preprocessing: personDetectPreprocessing(bytes),
    strideSamples: 1,
    source: file,
    deviceManifest: null,
  });
}

/**
 * A pipeline artifact folder (`manifest.json` + the .tflite it names). The model's sha256 must match
 * the manifest: a node never runs bytes its manifest does not describe.
 */
export function loadArtifactDir(dir: string): ModelArtifact {
  const json = fs.readFileSync(path.join(dir, 'manifest.json'));
  const manifest = JSON.parse(json.toString('utf8')) as ArtifactManifest;
  const bytes = new Uint8Array(fs.readFileSync(path.join(dir, manifest.model.file)));
  const device = deviceManifestOf(manifest, sha256Of(json));
  return artifactFromDeviceManifest(bytes, device, dir, {
    recipe: manifest.recipe,
    labels: manifest.labels,
    preprocessing: manifest.preprocessing,
  });
}

/**
 * The node's view of a .tflite and its device manifest: from an artifact folder (whose manifest.json
 * says more), or received over the air, where a node learns neither the recipe nor the label names
 * (classes are their indices) and applies the preprocessing to its own sensor channels.
 */
export function artifactFromDeviceManifest(
  bytes: Uint8Array,
  manifest: DeviceManifest,
  source: string,
  from:
    { recipe: string; labels: readonly string[]; preprocessing: Preprocessing } | { deviceChannels: readonly string[] },
): ModelArtifact {
  const known = 'recipe' in from ? from : null;
  const preprocessing = 'recipe' in from ? from.preprocessing : preprocessingOf(manifest, from.deviceChannels);
  if (!preprocessing) throw new Error(`${source}: the manifest has no preprocessing, and the node needs one`);
  const classes = manifest.outputs[0]?.shape.reduce((a, b) => a * b, 1) ?? 0;
  const art = artifactFrom({
    modelId: manifest.modelId,
    version: manifest.modelVersion,
    recipe: known?.recipe ?? 'ota',
    bytes,
    labels: known?.labels ?? Array.from({ length: classes }, (_, i) => String(i)),
    preprocessing,
    strideSamples: inferenceStrideSamples(preprocessing),
    source,
    deviceManifest: manifest,
  });
  if (!Buffer.from(art.sha256).equals(Buffer.from(manifest.modelSha256)))
    throw new Error(`${source}: model sha256 does not match its manifest`);
  return art;
}

/**
 * The newest artifact for `recipe` under the model cache (`<cacheDir>/<recipe>/**\/manifest.json`,
 * newest by mtime), or undefined when none has been built yet.
 */
export function findCachedArtifact(cacheDir: string, recipe: string): ModelArtifact | undefined {
  const root = path.join(cacheDir, recipe);
  if (!fs.existsSync(root)) return undefined;
  const manifests: { file: string; mtimeMs: number }[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && depth < 3) walk(p, depth + 1);
      else if (e.isFile() && e.name === 'manifest.json') manifests.push({ file: p, mtimeMs: fs.statSync(p).mtimeMs });
    }
  };
  walk(root, 0);
  manifests.sort((a, b) => b.mtimeMs - a.mtimeMs);
  return manifests.length ? loadArtifactDir(path.dirname(manifests[0].file)) : undefined;
}
