/**
 * The device manifest (TFDM/1): the part of an artifact a device receives and verifies, as compact
 * CBOR (cbor-lite.ts) — what it needs to check, run and self-test one model, and nothing for people
 * (stage reports, datasets, descriptions stay in manifest.json). The signature covers exactly these
 * bytes (signedMessage), and they name the sha256 of the .tflite and of manifest.json, so one
 * signature vouches for all three. Layout: docs/ota.md "Device manifest".
 */
import { BUILTIN_CUSTOM, BUILTIN_OPERATOR_NAMES, DTYPE_BY_CODE } from '@tinyfleet/tinyml/schema/tflite-schema';
import { createHash } from 'node:crypto';
import { CborError, CborFloat, decodeCbor, encodeCbor, type CborValue } from './cbor-lite';
import {
  ChannelStatisticsError,
  decodeMeans,
  decodeStds,
  encodeMeans,
  encodeStds,
  type EncodedStatistics,
} from './channel-statistics';
import { deviceRamBytes, type ArtifactManifest, type Preprocessing } from './manifest.types';
import { OTA_MODEL_BYTES_LIMIT } from './ota-limits';

/**
 * Still 1 after mean/std became [exponent, codes]: no device can take one layout for the other (the
 * fields went from a byte string to an array, which every CBOR decoder tells apart), no device had
 * shipped the earlier one, and this decoder refuses it by name.
 */
export const DEVICE_MANIFEST_VERSION = 1;

export interface DeviceTensorSpec {
  dtype: string;
  shape: number[];
  scale: number;
  zeroPoint: number;
}

export interface DeviceSelfTest {
  /** A xorshift32 seed (seededSelfTestInput) or the input bytes themselves, all inputs concatenated. */
  input: { seed: number } | { bytes: Uint8Array };
  /** Every output tensor's bytes, concatenated in output order. */
  expectedOutput: Uint8Array;
  /** Per output element: quantized steps (integer outputs) or float32 ULPs that may differ. */
  toleranceLsb: number;
}

export interface DevicePreprocessing {
  kind: Preprocessing['kind'];
  /**
   * The sensor channels the model takes, in order: their names, or — for long lists, where names would
   * dominate the manifest — a layout hash (channelLayoutHash): then the model takes every channel of
   * the device's own list, in its order, and the device checks the hash of that list.
   */
  channels: string[] | { layoutHash: Uint8Array };
  windowLength: number;
  /** Per channel (an image: 1 or per colour): values roundChannelStatistics gives, which travel exactly. */
  mean: number[];
  std: number[];
  transform: Preprocessing['transform'];
  invalidValues: number[];
  quantization: { scale: number; zeroPoint: number };
  sampleIntervalSeconds: number | null;
  /** Preprocessing.spectralBins: the window becomes this many DFT-magnitude bins per channel. */
  spectralBins: number | null;
}

export interface DeviceManifest {
  modelId: string;
  modelVersion: string;
  modelSha256: Uint8Array;
  modelBytes: number;
  manifestSha256: Uint8Array;
  minInterpreterVersion: string;
  /** RAM the interpreter needs for this model, bytes (activations + scratch + persistent, 32-bit pointers). */
  ramBytes: number;
  /** Operators, as names (`FULLY_CONNECTED`, `CUSTOM:SignalWindow`); on the wire builtin codes or custom names. */
  ops: string[];
  inputs: DeviceTensorSpec[];
  outputs: DeviceTensorSpec[];
  preprocessing: DevicePreprocessing | null;
  selfTest: DeviceSelfTest;
}

export class DeviceManifestError extends Error {
  override name = 'DeviceManifestError';
}

const KINDS = ['window', 'features', 'image'] as const;
/** Channel names longer than this in total (UTF-8 bytes) travel as their layout hash. */
export const CHANNEL_NAMES_MAX_BYTES = 96;
const TRANSFORMS = ['none', 'signed-log1p'] as const;
const DTYPE_CODE = new Map([...DTYPE_BY_CODE].map(([code, { dtype }]) => [dtype, code]));
const CUSTOM_PREFIX = 'CUSTOM:';

/** The device manifest of an artifact, from its full manifest and the sha256 of manifest.json's bytes. */
export function deviceManifestOf(m: ArtifactManifest, manifestSha256: Uint8Array): DeviceManifest {
  const tensor = (t: ArtifactManifest['inputs'][number]): DeviceTensorSpec => ({
    dtype: t.dtype,
    shape: [...t.shape],
    scale: t.scale,
    zeroPoint: t.zeroPoint,
  });
  const p = m.preprocessing;
  const st = m.selfTest;
  return {
    modelId: m.name,
    modelVersion: m.version,
    modelSha256: hexBytes(m.model.sha256),
    modelBytes: m.model.bytes,
    manifestSha256,
    minInterpreterVersion: m.minInterpreterVersion,
    ramBytes: deviceRamBytes(m),
    ops: Object.keys(m.ops).sort(),
    inputs: m.inputs.map(tensor),
    outputs: m.outputs.map(tensor),
    preprocessing: p
      ? {
          kind: p.kind,
          channels:
            new TextEncoder().encode(p.channels.join('')).length > CHANNEL_NAMES_MAX_BYTES
              ? { layoutHash: channelLayoutHash(p.channels) }
              : [...p.channels],
          windowLength: p.windowLength,
          mean: [...p.mean],
          std: [...p.std],
          transform: p.transform,
          invalidValues: [...(p.invalidValues ?? [])],
          quantization: { scale: p.quantization.scale, zeroPoint: p.quantization.zeroPoint },
          sampleIntervalSeconds: p.sampleIntervalSeconds ?? null,
          spectralBins: p.spectralBins ?? null,
        }
      : null,
    selfTest: {
      input: st.seed !== undefined ? { seed: st.seed } : { bytes: base64Bytes(st.inputBase64 ?? '') },
      expectedOutput: base64Bytes(st.expectedOutputBase64),
      toleranceLsb: st.toleranceLsb ?? 0,
    },
  };
}

/**
 * The first 8 bytes of sha256 over the channel names, each followed by a newline (UTF-8): what a
 * device compares with its own channel list when a manifest sends the layout instead of the names.
 */
export function channelLayoutHash(channels: readonly string[]): Uint8Array {
  return sha256(new TextEncoder().encode(channels.map((c) => `${c}\n`).join(''))).subarray(0, 8);
}

/**
 * The manifest's preprocessing as a device with these sensor channels applies it, in the type
 * preprocessing code takes; a layout hash that does not match the device's channels is refused, and
 * so is a mean/std count that is not one per channel of the list the hash stands for.
 */
export function preprocessingOf(d: DeviceManifest, deviceChannels: readonly string[]): Preprocessing | null {
  const p = d.preprocessing;
  if (!p) return null;
  let channels: string[];
  if (Array.isArray(p.channels)) channels = p.channels;
  else if (equalBytes(p.channels.layoutHash, channelLayoutHash(deviceChannels))) channels = [...deviceChannels];
  else
    throw new DeviceManifestError(
      `the model takes a channel layout (${hex(p.channels.layoutHash)}) that is not this device's ${deviceChannels.length} channels (${hex(channelLayoutHash(deviceChannels))})`,
    );
  // Only now is the channel count known for a layout hash (names were checked when decoded).
  checkPerChannel(p.kind, p.mean.length, channels.length);
  return {
    kind: p.kind,
    channels,
    windowLength: p.windowLength,
    mean: p.mean,
    std: p.std,
    transform: p.transform,
    ...(p.invalidValues.length ? { invalidValues: p.invalidValues } : {}),
    quantization: { ...p.quantization, dtype: 'int8' },
    ...(p.sampleIntervalSeconds !== null ? { sampleIntervalSeconds: p.sampleIntervalSeconds } : {}),
    ...(p.spectralBins !== null ? { spectralBins: p.spectralBins } : {}),
  };
}

export function encodeDeviceManifest(d: DeviceManifest): Uint8Array {
  const f = (v: number) => new CborFloat(v);
  const tensor = (t: DeviceTensorSpec): CborValue => [dtypeCode(t.dtype), t.shape, f(t.scale), t.zeroPoint];
  const p = d.preprocessing;
  return encodeCbor([
    DEVICE_MANIFEST_VERSION,
    d.modelId,
    d.modelVersion,
    d.modelSha256,
    d.modelBytes,
    d.manifestSha256,
    d.minInterpreterVersion,
    d.ramBytes,
    d.ops.map(opCode),
    d.inputs.map(tensor),
    d.outputs.map(tensor),
    p
      ? [
          KINDS.indexOf(p.kind),
          Array.isArray(p.channels) ? p.channels : p.channels.layoutHash,
          p.windowLength,
          statistics(() => encodeMeans(p.mean)),
          statistics(() => encodeStds(p.std)),
          TRANSFORMS.indexOf(p.transform),
          p.invalidValues.map(f),
          [f(p.quantization.scale), p.quantization.zeroPoint],
          p.sampleIntervalSeconds === null ? null : f(p.sampleIntervalSeconds),
          p.spectralBins,
        ]
      : null,
    [
      'seed' in d.selfTest.input ? d.selfTest.input.seed : d.selfTest.input.bytes,
      d.selfTest.expectedOutput,
      d.selfTest.toleranceLsb,
    ],
  ]);
}

/** Decodes and validates a device manifest; any deviation from the layout is a DeviceManifestError. */
export function decodeDeviceManifest(bytes: Uint8Array): DeviceManifest {
  let root: CborValue;
  try {
    root = decodeCbor(bytes);
  } catch (err) {
    if (err instanceof CborError) throw new DeviceManifestError(`not TFDM/1 CBOR: ${err.message}`);
    throw err;
  }
  const top = arr(root, 'manifest', 13);
  if (top[0] !== DEVICE_MANIFEST_VERSION) throw new DeviceManifestError(`unknown device manifest version ${top[0]}`);
  const tensors = (v: CborValue, what: string) =>
    nonEmpty(arr(v, what), what).map((t, i) => {
      const [dtype, shape, scale, zeroPoint] = arr(t, `${what}[${i}]`, 4);
      return {
        dtype: dtypeName(uint(dtype, `${what}[${i}].dtype`)),
        shape: arr(shape, `${what}[${i}].shape`).map((s, k) => uint(s, `${what}[${i}].shape[${k}]`)),
        scale: float(scale, `${what}[${i}].scale`),
        zeroPoint: int(zeroPoint, `${what}[${i}].zeroPoint`),
      };
    });
  const [input, expectedOutput, toleranceLsb] = arr(top[12], 'selfTest', 3);
  return {
    modelId: text(top[1], 'modelId'),
    modelVersion: text(top[2], 'modelVersion'),
    modelSha256: sha(top[3], 'modelSha256'),
    modelBytes: bounded(uint(top[4], 'modelBytes'), 1, OTA_MODEL_BYTES_LIMIT, 'modelBytes'),
    manifestSha256: sha(top[5], 'manifestSha256'),
    minInterpreterVersion: text(top[6], 'minInterpreterVersion'),
    ramBytes: uint(top[7], 'ramBytes'),
    ops: arr(top[8], 'ops').map((o, i) => opName(o, `ops[${i}]`)),
    inputs: tensors(top[9], 'inputs'),
    outputs: tensors(top[10], 'outputs'),
    preprocessing: top[11] === null ? null : preprocessing(top[11]!),
    selfTest: {
      input:
        input instanceof Uint8Array
          ? { bytes: input }
          : { seed: bounded(uint(input ?? null, 'selfTest.input'), 1, 0xffffffff, 'selfTest.seed') },
      expectedOutput: bstr(expectedOutput ?? null, 'selfTest.expectedOutput'),
      toleranceLsb: bounded(uint(toleranceLsb ?? null, 'selfTest.toleranceLsb'), 0, 255, 'selfTest.toleranceLsb'),
    },
  };
}

function preprocessing(v: CborValue): DevicePreprocessing {
  const p = arr(v, 'preprocessing', 10);
  const [scale, zeroPoint] = arr(p[7]!, 'preprocessing.quantization', 2);
  const kind = oneOf(KINDS, p[0]!, 'preprocessing.kind');
  const channels =
    p[1] instanceof Uint8Array
      ? { layoutHash: p[1].length === 8 ? p[1] : fail('preprocessing.channels', '8 bytes', `${p[1].length} bytes`) }
      : nonEmpty(arr(p[1]!, 'preprocessing.channels'), 'preprocessing.channels').map((c, i) =>
          text(c, `preprocessing.channels[${i}]`),
        );
  const mean = fromStatistics(p[3]!, 'preprocessing.mean', decodeMeans);
  const std = fromStatistics(p[4]!, 'preprocessing.std', decodeStds);
  if (mean.length !== std.length) fail('preprocessing.std', `${mean.length} values, as mean`, `${std.length}`);
  // A layout hash hides the channel count until the device resolves it: preprocessingOf checks it then.
  if (Array.isArray(channels)) checkPerChannel(kind, mean.length, channels.length);
  return {
    kind,
    channels,
    windowLength: bounded(uint(p[2]!, 'preprocessing.windowLength'), 1, 0xffffffff, 'preprocessing.windowLength'),
    mean,
    std,
    transform: oneOf(TRANSFORMS, p[5]!, 'preprocessing.transform'),
    invalidValues: arr(p[6]!, 'preprocessing.invalidValues').map((x, i) =>
      float(x, `preprocessing.invalidValues[${i}]`),
    ),
    quantization: {
      scale: positive(float(scale!, 'quantization.scale'), 'quantization.scale'),
      zeroPoint: int(zeroPoint!, 'quantization.zeroPoint'),
    },
    sampleIntervalSeconds:
      p[8] === null
        ? null
        : positive(float(p[8]!, 'preprocessing.sampleIntervalSeconds'), 'preprocessing.sampleIntervalSeconds'),
    spectralBins: p[9] === null ? null : bounded(uint(p[9]!, 'preprocessing.spectralBins'), 1, 4096, 'spectralBins'),
  };
}

/** One mean/std per channel; an image may use one pair for every colour channel. */
function checkPerChannel(kind: DevicePreprocessing['kind'], values: number, channels: number): void {
  if (values === channels || (kind === 'image' && values === 1)) return;
  fail('preprocessing.mean', `${channels} values (one per channel${kind === 'image' ? ', or 1' : ''})`, values);
}

function fail(what: string, expected: string, got: CborValue | undefined): never {
  const shown = got instanceof CborFloat ? `float ${got.value}` : got instanceof Uint8Array ? 'bytes' : String(got);
  throw new DeviceManifestError(`${what}: expected ${expected}, got ${shown}`);
}
function arr(v: CborValue, what: string, length?: number): CborValue[] {
  if (!Array.isArray(v)) fail(what, 'an array', v);
  if (length !== undefined && v.length !== length) fail(what, `${length} items`, `${v.length} items`);
  return v;
}
/** Every integer field fits a uint32_t or int32_t (docs/ota.md): a device need not hold more, and ours refuses more. */
function uint(v: CborValue, what: string): number {
  return typeof v === 'number' && v >= 0 && v <= 0xffffffff ? v : fail(what, 'an unsigned 32-bit integer', v);
}
function int(v: CborValue, what: string): number {
  return typeof v === 'number' && v >= -0x80000000 && v <= 0x7fffffff ? v : fail(what, 'a 32-bit integer', v);
}
function positive(x: number, what: string): number {
  return x > 0 ? x : fail(what, 'a positive float', x);
}
function nonEmpty(items: CborValue[], what: string): CborValue[] {
  return items.length > 0 ? items : fail(what, 'at least one item', 'none');
}
function float(v: CborValue, what: string): number {
  return v instanceof CborFloat ? v.value : fail(what, 'a float', v);
}
/** text64: 1..64 bytes of UTF-8 (CDDL's .size counts bytes), not UTF-16 code units. */
function isText64(v: CborValue): v is string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 64) return false; // a code unit is >= 1 byte
  return new TextEncoder().encode(v).length <= 64;
}
function text(v: CborValue, what: string): string {
  return isText64(v) ? v : fail(what, 'a text string of 1..64 UTF-8 bytes', v);
}
function bstr(v: CborValue, what: string): Uint8Array {
  return v instanceof Uint8Array ? v : fail(what, 'a byte string', v);
}
function sha(v: CborValue, what: string): Uint8Array {
  const b = bstr(v, what);
  return b.length === 32 ? b : fail(what, '32 bytes', `${b.length} bytes`);
}
function bounded(n: number, lo: number, hi: number, what: string): number {
  return n >= lo && n <= hi ? n : fail(what, `${lo}..${hi}`, n);
}
function oneOf<T extends string>(names: readonly T[], v: CborValue, what: string): T {
  const n = uint(v, what);
  return n < names.length ? names[n]! : fail(what, `0..${names.length - 1}`, n);
}

/** mean or std as [list exponent, codes] (channel-statistics.ts); a value the form cannot hold is refused. */
function statistics(encode: () => EncodedStatistics): CborValue {
  const { exponent, bytes } = asManifestError(encode);
  return [exponent, bytes];
}
function fromStatistics(v: CborValue, what: string, decode: (e: EncodedStatistics) => number[]): number[] {
  // Before the compact form these were one byte string of float32 values: refused with its own words.
  if (v instanceof Uint8Array)
    fail(what, '[exponent, codes] (a byte string of float32 values is the superseded layout: rebuild the model)', v);
  const [exponent, bytes] = arr(v, what, 2);
  const e = { exponent: int(exponent!, `${what}.exponent`), bytes: bstr(bytes!, `${what}.codes`) };
  return asManifestError(() => decode(e));
}
function asManifestError<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof ChannelStatisticsError) throw new DeviceManifestError(`preprocessing.${err.message}`);
    throw err;
  }
}

function opCode(name: string): number | string {
  if (name.startsWith(CUSTOM_PREFIX)) return name.slice(CUSTOM_PREFIX.length);
  const code = BUILTIN_OPERATOR_NAMES.indexOf(name);
  if (code < 0 || code === BUILTIN_CUSTOM) throw new DeviceManifestError(`unknown builtin operator ${name}`);
  return code;
}
function opName(v: CborValue, what: string): string {
  if (typeof v === 'string') return CUSTOM_PREFIX + text(v, what);
  const code = uint(v, what);
  if (code === BUILTIN_CUSTOM || code >= BUILTIN_OPERATOR_NAMES.length) fail(what, 'a builtin operator code', code);
  return BUILTIN_OPERATOR_NAMES[code]!;
}
function dtypeCode(dtype: string): number {
  const code = DTYPE_CODE.get(dtype as never);
  if (code === undefined) throw new DeviceManifestError(`unknown tensor dtype ${dtype}`);
  return code;
}
function dtypeName(code: number): string {
  return DTYPE_BY_CODE.get(code)?.dtype ?? fail('dtype', 'a TFLite TensorType code', code);
}

function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function hexBytes(hex: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new DeviceManifestError(`not a sha256: ${hex}`);
  return Uint8Array.from(hex.match(/../g)!.map((b) => parseInt(b, 16)));
}
function base64Bytes(b64: string): Uint8Array {
  const bin = atob(b64);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}
