import {
  decodeDeviceManifest,
  MANIFEST_SCHEMA,
  manifestJson,
  type ArtifactManifest,
  type DeviceManifest,
} from '@tinyfleet/artifact';
import {
  createKeyPair,
  deviceManifestBytes,
  sha256Hex,
  signManifest,
  type SigningKey,
} from '@tinyfleet/artifact/verify-node';
import { inspectModel, Interpreter, loadModel } from '@tinyfleet/tinyml';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const DATA_DIR = process.env.FLEET_DATA_DIR ?? resolve(__dirname, '..', '..', '..', 'shared');

export function referenceFile(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(join(DATA_DIR, 'reference-models', ...parts)));
}

export function newSigningKey(): SigningKey {
  return createKeyPair(mkdtempSync(join(tmpdir(), 'tinyfleet-key-')));
}

export interface TestArtifact {
  manifest: ArtifactManifest;
  /** What a device receives ahead of the model (TFDM/1 bytes), and holds in its slot (decoded). */
  deviceManifestBytes: Uint8Array;
  deviceManifest: DeviceManifest;
  manifestText: string;
  model: Uint8Array;
  signatureText: string;
  /** The body of POST /api/models. */
  upload: { manifest: string; signature: string; model: string; ota?: string };
}

/**
 * A real signed artifact around a real .tflite (a TFLM reference model), with the manifest the
 * pipeline would write: sizes, arena and device memory, MACs and ops from our interpreter, and a self-test vector taken
 * from the TFLM reference input and expected output.
 */
export function signedArtifact(opts: {
  key: SigningKey;
  name: string;
  version: string;
  recipe: string;
  model: Uint8Array;
  selfTestInput: Uint8Array;
  selfTestOutput: Uint8Array;
  /** The Huffman-coded OTA form (model.tfhc), when there is one. */
  ota?: Uint8Array;
}): TestArtifact {
  const info = inspectModel(opts.model);
  const sha = sha256Hex(opts.model);
  const manifest = {
    schema: MANIFEST_SCHEMA,
    name: opts.name,
    version: opts.version,
    recipe: opts.recipe,
    description: `test artifact around a TFLM reference model (${opts.name})`,
    createdAt: '2026-11-27T00:00:00.000Z',
    seed: 1,
    quick: true,
    model: { file: 'model.tflite', sha256: sha, bytes: opts.model.length },
    ota: opts.ota
      ? { file: 'model.tfhc', sha256: sha256Hex(opts.ota), bytes: opts.ota.length, format: 'TFHC/1' }
      : { file: 'model.tfhc', sha256: sha, bytes: opts.model.length, format: 'TFHC/1' },
    sizes: {
      float32TfliteBytes: opts.model.length,
      int8TfliteBytes: opts.model.length,
      huffmanBytes: opts.ota?.length ?? opts.model.length,
    },
    arenaBytes: info.arenaBytes,
    ...(info.memory ? { memory: info.memory } : {}),
    flashBytes: info.flashBytes,
    macs: info.macs,
    ops: info.ops,
    inputs: info.inputs,
    outputs: info.outputs,
    labels: ['value'],
    labelDefinition: 'test',
    preprocessing: {
      kind: 'window',
      channels: ['x'],
      windowLength: 1,
      mean: [0],
      std: [1],
      transform: 'none',
      quantization: { scale: info.inputs[0]!.scale, zeroPoint: info.inputs[0]!.zeroPoint, dtype: 'int8' },
    },
    metrics: [],
    datasets: [],
    selfTest: {
      inputBase64: Buffer.from(opts.selfTestInput).toString('base64'),
      expectedOutputBase64: Buffer.from(opts.selfTestOutput).toString('base64'),
      toleranceLsb: 0,
      note: 'TFLM reference test vector',
    },
    minInterpreterVersion: '0.1.0',
    signing: { algorithm: 'Ed25519', keyId: opts.key.keyId },
  } as ArtifactManifest;
  const manifestText = manifestJson(manifest);
  const signatureText = JSON.stringify(signManifest(manifest, manifestText, opts.key));
  const device = deviceManifestBytes(manifest, Buffer.from(manifestText));
  return {
    manifest,
    deviceManifestBytes: device,
    deviceManifest: decodeDeviceManifest(device),
    manifestText,
    model: opts.model,
    signatureText,
    upload: {
      manifest: manifestText,
      signature: signatureText,
      model: Buffer.from(opts.model).toString('base64'),
      ...(opts.ota ? { ota: Buffer.from(opts.ota).toString('base64') } : {}),
    },
  };
}

/** hello_world_int8 with its flatbuffer description changed: different bytes (so a new sha256), same behaviour. */
export function helloWorldVariant(tag: string): Uint8Array {
  return describedVariant(referenceFile('hello_world_int8', 'hello_world_int8.tflite'), tag);
}

/**
 * hello_world_int8 as "hello" 1.0.0 and 2.0.0 for the soil recipe, signed with `key`, with TFLM's
 * x=0.77 test vector as self-test: two small artifacts that differ only in their description (`tag`
 * makes them differ from another spec's too).
 */
export function helloWorldVersions(key: SigningKey, tag: string): { v1: TestArtifact; v2: TestArtifact } {
  const base = {
    key,
    name: 'hello',
    recipe: 'soil',
    selfTestInput: referenceFile('hello_world_int8', 'test_inputs', 'x_0.77_q-96.bin'),
    selfTestOutput: referenceFile('hello_world_int8', 'expected', 'x_0.77_q-96.out.bin'),
  };
  return {
    v1: signedArtifact({ ...base, version: '1.0.0', model: helloWorldVariant(`${tag} v1`) }),
    v2: signedArtifact({ ...base, version: '2.0.0', model: helloWorldVariant(`${tag} v2`) }),
  };
}

/** A converter-made .tflite with its description string ("MLIR Converted.") replaced by `tag`. */
export function describedVariant(model: Uint8Array, tag: string): Uint8Array {
  const needle = Buffer.from('MLIR Converted.');
  const at = Buffer.from(model).indexOf(needle);
  if (at < 0) throw new Error('the model has no "MLIR Converted." description to vary');
  const out = new Uint8Array(model);
  out.set(Buffer.from(tag.padEnd(needle.length, '.').slice(0, needle.length)), at);
  return out;
}

/** One inference through our interpreter: the output bytes for `input` (a self-test vector's expected output). */
export function runOnce(model: Uint8Array, input: Uint8Array): Uint8Array {
  const it = new Interpreter(loadModel(model));
  it.allocate();
  const inp = it.input(0).data;
  new Uint8Array(inp.buffer, inp.byteOffset, inp.byteLength).set(input);
  it.invoke();
  const out = it.output(0).data;
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength).slice();
}

/** Where each int8 weight buffer sits in the file (the OTA container Huffman-codes those). */
export function weightRanges(model: Uint8Array): Array<{ offset: number; length: number; name: string }> {
  const file = Buffer.from(model);
  return loadModel(model)
    .tensors.filter((t) => t.data && t.dtype === 'int8' && t.byteLength >= 64)
    .map((t) => ({ offset: file.indexOf(Buffer.from(t.data!)), length: t.byteLength, name: t.name }))
    .filter((r) => r.offset >= 0)
    .sort((a, b) => a.offset - b.offset);
}
