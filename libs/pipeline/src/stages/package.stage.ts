/**
 * Stage 7, package and sign: model.tflite + model.tfhc (OTA form) + manifest.json (sorted keys) +
 * signature.json (Ed25519 over the device manifest, which names both files' sha256). The written
 * folder is verified with the same code the registry and devices use before the stage reports success.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Interpreter, INTERPRETER_VERSION, loadModel } from '@tinyfleet/tinyml';
import {
  MANIFEST_FILE,
  MANIFEST_SCHEMA,
  manifestJson,
  MODEL_FILE,
  OTA_FILE,
  seededSelfTestInput,
  SIGNATURE_FILE,
  type ArtifactManifest,
  type DatasetRef,
  type StageMetrics,
} from '@tinyfleet/artifact';
import {
  loadTrustedKeys,
  sha256Hex,
  signManifest,
  verifyArtifactDir,
  type SigningKey,
} from '@tinyfleet/artifact/verify-node';
import { datasetRef } from '@tinyfleet/datasets';
import type { Preprocessing } from '@tinyfleet/artifact';
import type { Recipe } from '../recipes/recipe.types';
import { PipelineError, type StageReport } from '../pipeline.types';
import type { ExportResult } from './export.stage';

export interface PackageInput {
  recipe: Recipe;
  outDir: string;
  seed: number;
  quick: boolean;
  exported: ExportResult;
  huffmanBytes: Uint8Array;
  preprocessing: Preprocessing;
  reports: StageReport[];
  key: SigningKey;
  labels: string[];
  monitoring?: ArtifactManifest['monitoring'];
}

function toMetrics(r: StageReport): StageMetrics {
  const { seconds, balancedAccuracy, ...rest } = r;
  void seconds;
  return {
    ...rest,
    ...(balancedAccuracy !== undefined
      ? { notes: [rest.notes, `balanced accuracy ${balancedAccuracy.toFixed(4)}`].filter(Boolean).join('; ') }
      : {}),
  };
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Any non-zero 32-bit value does; derived from the build seed so a rebuild is byte-identical. */
function selfTestSeed(buildSeed: number): number {
  return ((buildSeed >>> 0) % 0xffffffff) + 1;
}

export function runPackageStage(p: PackageInput): ArtifactManifest {
  const model = p.exported.int8.bytes;
  const ins = p.exported.inspection;
  const seed = selfTestSeed(p.seed);
  const interpreter = new Interpreter(loadModel(model), {});
  seededSelfTestInput(seed, ins.inputs).forEach((bytes, i) => interpreter.input(i).bytes.set(bytes));
  interpreter.invoke();
  const expected = new Uint8Array(interpreter.output(0).bytes);
  const datasets: DatasetRef[] = p.recipe.datasets.map((d) => ({
    name: d.name,
    split: d.split,
    files: (d.files ?? datasetRef(d.name).files).map((f) => ({ path: f.path, sha256: f.sha256, bytes: f.bytes })),
  }));
  const manifest: ArtifactManifest = {
    schema: MANIFEST_SCHEMA,
    name: p.recipe.artifactName,
    version: p.recipe.version,
    recipe: p.recipe.id,
    description: p.recipe.description,
    createdAt: new Date().toISOString(),
    seed: p.seed,
    quick: p.quick,
    model: { file: MODEL_FILE, sha256: sha256Hex(model), bytes: model.length },
    ota: { file: OTA_FILE, sha256: sha256Hex(p.huffmanBytes), bytes: p.huffmanBytes.length, format: 'TFHC/1' },
    sizes: {
      float32TfliteBytes: p.exported.float32.bytes.length,
      int8TfliteBytes: model.length,
      huffmanBytes: p.huffmanBytes.length,
    },
    arenaBytes: ins.arenaBytes,
    ...(ins.memory ? { memory: ins.memory } : {}),
    flashBytes: ins.flashBytes,
    macs: ins.macs,
    ops: ins.ops,
    inputs: ins.inputs,
    outputs: ins.outputs,
    labels: p.labels,
    labelDefinition: p.recipe.labelDefinition,
    preprocessing: p.preprocessing,
    metrics: p.reports.map(toMetrics),
    datasets,
    selfTest: {
      seed,
      expectedOutputBase64: b64(expected),
      toleranceLsb: 1,
      note: 'input from seededSelfTestInput(seed); expected output from libs/tinyml (bit-exact with TFLM reference kernels; 1 LSB allows an optimised kernel library to round differently)',
    },
    minInterpreterVersion: INTERPRETER_VERSION,
    signing: { algorithm: 'Ed25519', keyId: p.key.keyId },
    ...(p.monitoring ? { monitoring: p.monitoring } : {}),
  };
  writeSignedArtifact(p.outDir, {
    model,
    ota: p.huffmanBytes,
    float32: p.exported.float32.bytes,
    manifest,
    key: p.key,
  });
  return manifest;
}

/**
 * The one place an artifact folder is written: model, OTA form, manifest and signature (through
 * libs/artifact's serialisation and signing), then verified with the code the registry and devices use.
 */
export function writeSignedArtifact(
  outDir: string,
  a: { model: Uint8Array; ota: Uint8Array; float32?: Uint8Array; manifest: ArtifactManifest; key: SigningKey },
): void {
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, MODEL_FILE), a.model);
  fs.writeFileSync(path.join(outDir, OTA_FILE), a.ota);
  if (a.float32) fs.writeFileSync(path.join(outDir, 'model.float32.tflite'), a.float32);
  const json = manifestJson(a.manifest);
  fs.writeFileSync(path.join(outDir, MANIFEST_FILE), json);
  fs.writeFileSync(
    path.join(outDir, SIGNATURE_FILE),
    `${JSON.stringify(signManifest(a.manifest, json, a.key), null, 2)}\n`,
  );
  const trusted = loadTrustedKeys([]);
  trusted.set(a.key.keyId, a.key.publicKey);
  const v = verifyArtifactDir(outDir, trusted);
  if (!v.ok) throw new PipelineError(`written artifact does not verify: ${v.reason}`);
}
