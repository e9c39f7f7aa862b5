/**
 * `model package MODEL.tflite`: any TFLite (Micro) model — trained in TensorFlow and converted, say —
 * as a signed artifact the registry accepts. The model is loaded, allocated and run by our
 * interpreter (every op prepared, so an op or variant we cannot run is refused here, not on a node),
 * its device memory and MACs measured, its self-test output recorded; anything a fleet node could not
 * run is refused with the reason.
 */
import * as path from 'node:path';
import {
  encodeOtaContainer,
  decodeOtaContainer,
  MANIFEST_SCHEMA,
  roundChannelStatistics,
  seededSelfTestInput,
  type ArtifactManifest,
  type Preprocessing,
  type WeightRange,
} from '@tinyfleet/artifact';
import { sha256Hex, type SigningKey } from '@tinyfleet/artifact/verify-node';
import { InputPreprocessor } from '@tinyfleet/datasets';
import { inspectModel, Interpreter, INTERPRETER_VERSION, loadModel, type ModelInspection } from '@tinyfleet/tinyml';
import { PipelineError } from '../pipeline.types';
import { deviceRamBytes, type DeviceTarget } from '../user/device-target';
import { writeSignedArtifact } from './package.stage';

/** Any non-zero 32-bit value does; a fixed one makes repackaging the same .tflite byte-identical. */
const SELF_TEST_SEED = 1;

export class PackageRefusedError extends PipelineError {
  override name = 'PackageRefusedError';
}

export interface PackageTfliteOptions {
  file: string;
  bytes: Uint8Array;
  name: string;
  version: string;
  /** The sensor stream the model is for (the manifest's recipe; rollouts hold fresh devices to it). */
  stream: string;
  outDir: string;
  key: SigningKey;
  /** One per output element (default class_0 …). */
  labels?: string[];
  /** How raw samples become the input (e.g. a build's manifest.preprocessing); default: raw values are the input's real values. */
  preprocessing?: Preprocessing;
  selfTestInput?: Uint8Array;
  /** When given, the model must fit this device's flash and RAM. */
  target?: DeviceTarget;
  description?: string;
  labelDefinition?: string;
}

export interface PackagedTflite {
  manifest: ArtifactManifest;
  ramBytes: number;
  inspection: Omit<ModelInspection, 'layers'>;
  otaBytes: number;
}

/** Byte ranges of the int8 weight buffers in the file (what the OTA container Huffman-codes). */
function weightRanges(bytes: Uint8Array): WeightRange[] {
  const file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const taken: [number, number][] = [];
  const out: WeightRange[] = [];
  const tensors = loadModel(bytes)
    .tensors.filter((t) => t.data && t.dtype === 'int8' && t.byteLength >= 64)
    .sort((a, b) => b.byteLength - a.byteLength);
  for (const t of tensors) {
    const needle = Buffer.from(t.data!);
    // The reader copies buffers, so find each in the file; identical buffers take successive places.
    for (let at = file.indexOf(needle); at >= 0; at = file.indexOf(needle, at + 1)) {
      if (taken.some(([a, b]) => at < b && at + needle.length > a)) continue;
      taken.push([at, at + needle.length]);
      out.push({ offset: at, length: needle.length, name: t.name });
      break;
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
}

function refuse(file: string, why: string): never {
  throw new PackageRefusedError(`${file}: ${why}`);
}

export function packageTflite(o: PackageTfliteOptions): PackagedTflite {
  let interpreter: Interpreter;
  let info: ModelInspection;
  try {
    interpreter = new Interpreter(loadModel(o.bytes), {});
    interpreter.allocate();
    info = inspectModel(o.bytes);
  } catch (err) {
    refuse(o.file, `the interpreter cannot run it: ${(err as Error).message}`);
  }
  if (info.inputs.length !== 1 || info.outputs.length !== 1)
    refuse(
      o.file,
      `${info.inputs.length} inputs and ${info.outputs.length} outputs; a node feeds one input and reads one output`,
    );
  const input = interpreter.input(0);
  const output = interpreter.output(0);
  if (input.dtype !== 'int8')
    refuse(
      o.file,
      `input is ${input.dtype}; nodes feed int8 (convert with full integer quantization, int8 input and output)`,
    );
  if (output.dtype !== 'int8') refuse(o.file, `output is ${output.dtype}; nodes report int8 scores`);
  const classes = output.data.length;
  const labels = o.labels ?? Array.from({ length: classes }, (_, k) => `class_${k}`);
  if (labels.length !== classes) refuse(o.file, `${labels.length} labels for ${classes} outputs`);
  const ramBytes = deviceRamBytes(interpreter);
  if (o.target) {
    if (info.flashBytes > o.target.maxFlashBytes)
      refuse(
        o.file,
        `flash ${info.flashBytes} B does not fit ${o.target.mcu.id} (${o.target.maxFlashBytes} B per model slot)`,
      );
    if (ramBytes > o.target.maxRamBytes)
      refuse(o.file, `device memory ${ramBytes} B does not fit ${o.target.mcu.id} (${o.target.maxRamBytes} B)`);
  }
  const shape = info.inputs[0].shape;
  const preprocessing: Preprocessing = o.preprocessing ?? {
    kind: shape.length === 4 ? 'image' : 'features',
    transform: 'none',
    channels:
      shape.length === 4
        ? shape[3] === 3
          ? ['r', 'g', 'b']
          : ['gray']
        : Array.from({ length: input.data.length }, (_, k) => `in${k}`),
    windowLength: 1,
    mean: shape.length === 4 ? [0] : new Array<number>(input.data.length).fill(0),
    std: shape.length === 4 ? [1] : new Array<number>(input.data.length).fill(1),
    quantization: { scale: input.scale, zeroPoint: input.zeroPoint, dtype: 'int8' },
    notes:
      "identity: raw values are the input tensor's real values (pass --preprocessing to describe the real mapping)",
  };
  const q = preprocessing.quantization;
  if (Math.fround(q.scale) !== Math.fround(input.scale) || q.zeroPoint !== input.zeroPoint)
    refuse(
      o.file,
      `preprocessing quantizes with scale ${q.scale}, zero point ${q.zeroPoint}; the model's input has ${input.scale}, ${input.zeroPoint}`,
    );
  // A hand-written preprocessing file is not refitted: its constants must be ones the device manifest
  // carries exactly (roundChannelStatistics), or the device would compute another input than this file says.
  const carried = roundChannelStatistics(preprocessing.mean, preprocessing.std);
  if (
    carried.mean.some((v, i) => v !== preprocessing.mean[i]) ||
    carried.std.some((v, i) => v !== preprocessing.std[i])
  )
    refuse(
      o.file,
      `preprocessing mean/std are not values the device manifest carries exactly (binary16 × 2^E means, 5-significant-bit stds); the nearest are mean [${carried.mean.join(', ')}], std [${carried.std.join(', ')}]`,
    );
  let pre: InputPreprocessor;
  try {
    pre = new InputPreprocessor(
      preprocessing,
      preprocessing.channels,
      preprocessing.kind === 'image' ? input.data.length : undefined,
    );
  } catch (err) {
    refuse(o.file, `preprocessing: ${(err as Error).message}`);
  }
  if (pre.inputLength !== input.data.length)
    refuse(o.file, `preprocessing makes ${pre.inputLength} input values, the model takes ${input.data.length}`);

  // Self-test: the given input (sent with the manifest), or a seeded one (4 bytes on air).
  const seed = SELF_TEST_SEED;
  const selfTestInput = o.selfTestInput ?? seededSelfTestInput(seed, [input])[0]!;
  if (selfTestInput.length !== input.data.byteLength)
    refuse(o.file, `self-test input has ${selfTestInput.length} bytes, the input tensor ${input.data.byteLength}`);
  new Uint8Array(input.data.buffer, input.data.byteOffset, input.data.byteLength).set(selfTestInput);
  interpreter.invoke();
  const expected = new Uint8Array(output.data.buffer, output.data.byteOffset, output.data.byteLength).slice();

  const ota = encodeOtaContainer(o.bytes, weightRanges(o.bytes)).bytes;
  const back = decodeOtaContainer(ota);
  if (back.length !== o.bytes.length || back.some((b, i) => b !== o.bytes[i]))
    throw new PipelineError('Huffman round trip does not reproduce the .tflite bytes');
  const { layers, ...inspection } = info;
  void layers;
  const manifest: ArtifactManifest = {
    schema: MANIFEST_SCHEMA,
    name: o.name,
    version: o.version,
    recipe: o.stream,
    description: o.description ?? `${o.name}: a user-supplied TFLite model (${path.basename(o.file)})`,
    createdAt: new Date().toISOString(),
    seed: 0,
    quick: false,
    model: { file: 'model.tflite', sha256: sha256Hex(o.bytes), bytes: o.bytes.length },
    ota: { file: 'model.tfhc', sha256: sha256Hex(ota), bytes: ota.length, format: 'TFHC/1' },
    sizes: { float32TfliteBytes: o.bytes.length, int8TfliteBytes: o.bytes.length, huffmanBytes: ota.length },
    arenaBytes: interpreter.arenaBytes,
    memory: {
      activationsBytes: interpreter.memory.activationsBytes,
      scratchBytes: interpreter.memory.scratchBytes,
      persistentBytes: interpreter.memory.persistentBytes,
      totalBytes: interpreter.memory.totalBytes,
    },
    flashBytes: info.flashBytes,
    macs: info.macs,
    ops: info.ops,
    inputs: info.inputs,
    outputs: info.outputs,
    labels,
    labelDefinition: o.labelDefinition ?? 'given by the model author',
    preprocessing,
    metrics: [],
    datasets: [],
    selfTest: {
      ...(o.selfTestInput ? { inputBase64: Buffer.from(selfTestInput).toString('base64') } : { seed }),
      expectedOutputBase64: Buffer.from(expected).toString('base64'),
      toleranceLsb: 1,
      note: o.selfTestInput
        ? 'the given self-test input; expected output from libs/tinyml'
        : 'input from seededSelfTestInput(seed); expected output from libs/tinyml',
    },
    minInterpreterVersion: INTERPRETER_VERSION,
    signing: { algorithm: 'Ed25519', keyId: o.key.keyId },
  };
  writeSignedArtifact(o.outDir, { model: o.bytes, ota, manifest, key: o.key });
  return { manifest, ramBytes, inspection, otaBytes: ota.length };
}
