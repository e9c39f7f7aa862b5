/**
 * Fuzzes decodeDeviceManifest (TFDM/1) with >= 5,000 seeded cases (testing/fuzz-harness.ts): random
 * bytes, byte damage to real encodings (the docs/ota.md example, TFLM's hello_world int8 model with
 * its own tensors and ops, a layout-hash, an image and a custom-op manifest), and changes to the
 * decoded CBOR tree — any node replaced, an array item dropped or repeated — plus field changes the
 * layout refuses. A decoded case must re-encode to exactly its bytes: TFDM/1 has one encoding per
 * manifest, so a decoder that accepts something it cannot represent fails here.
 */
import { mulberry32 } from '@tinyfleet/random';
import { inspectModel, Interpreter, loadModel } from '@tinyfleet/tinyml';
import { createHash } from 'node:crypto';
import { CborFloat, decodeCbor, encodeCbor, type CborValue } from './cbor-lite';
import {
  channelLayoutHash,
  decodeDeviceManifest,
  DeviceManifestError,
  encodeDeviceManifest,
  type DeviceManifest,
} from './device-manifest';
import { encodeMeans, encodeStds, type EncodedStatistics } from './channel-statistics';
import { seededSelfTestInput } from './self-test-input';
import { FUZZ_SEED, Fuzzer, hex, mutateBytes } from './testing/fuzz-harness';
import { helloWorldInt8 } from './testing/ota-corpus';

const sha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());

/** docs/ota.md's example, field by field (as device-manifest.spec.ts). */
const EXAMPLE: DeviceManifest = {
  modelId: 'soil-dryout',
  modelVersion: '1.0.0',
  modelSha256: new Uint8Array(32).fill(0xaa),
  modelBytes: 3584,
  manifestSha256: new Uint8Array(32).fill(0xbb),
  minInterpreterVersion: '0.1.0',
  ramBytes: 80,
  ops: ['FULLY_CONNECTED', 'SOFTMAX'],
  inputs: [{ dtype: 'int8', shape: [1, 64], scale: 0.5, zeroPoint: 14 }],
  outputs: [{ dtype: 'int8', shape: [1, 2], scale: 0.00390625, zeroPoint: -128 }],
  preprocessing: {
    kind: 'window',
    channels: ['vwc'],
    windowLength: 16,
    mean: [12.25],
    std: [1.5],
    transform: 'none',
    invalidValues: [],
    quantization: { scale: 0.5, zeroPoint: 14 },
    sampleIntervalSeconds: 900,
    spectralBins: null,
  },
  selfTest: { input: { seed: 2 }, expectedOutput: Uint8Array.of(0x2c, 0xd4), toleranceLsb: 1 },
};

/** hello_world int8 as its device manifest would carry it: its tensors, ops, hash and self-test output. */
function helloWorldManifest(): DeviceManifest {
  const model = helloWorldInt8();
  const info = inspectModel(model);
  const interpreter = new Interpreter(loadModel(model), {});
  interpreter.allocate();
  interpreter.input(0).bytes.set(seededSelfTestInput(7, [interpreter.input(0)])[0]!);
  interpreter.invoke();
  const tensor = (t: (typeof info.inputs)[number]) => ({
    dtype: t.dtype,
    shape: t.shape,
    scale: Math.fround(t.scale),
    zeroPoint: t.zeroPoint,
  });
  return {
    modelId: 'hello-world',
    modelVersion: '2.1.0-rc.1',
    modelSha256: sha256(model),
    modelBytes: model.length,
    manifestSha256: new Uint8Array(32).fill(7),
    minInterpreterVersion: '0.1.0',
    ramBytes: info.memory!.totalBytes,
    ops: Object.keys(info.ops).sort(),
    inputs: info.inputs.map(tensor),
    outputs: info.outputs.map(tensor),
    preprocessing: {
      kind: 'features',
      channels: ['x'],
      windowLength: 1,
      mean: [3.140625],
      std: [1.5],
      transform: 'signed-log1p',
      invalidValues: [-999, 0.1],
      quantization: { scale: info.inputs[0]!.scale, zeroPoint: info.inputs[0]!.zeroPoint },
      sampleIntervalSeconds: 0.5,
      spectralBins: null,
    },
    selfTest: { input: { seed: 7 }, expectedOutput: new Uint8Array(interpreter.output(0).bytes), toleranceLsb: 0 },
  };
}

const forty = Array.from({ length: 40 }, (_, i) => `sensor_${i}`);
const CORPUS: DeviceManifest[] = [
  EXAMPLE,
  helloWorldManifest(),
  {
    ...EXAMPLE,
    preprocessing: {
      ...EXAMPLE.preprocessing!,
      channels: { layoutHash: channelLayoutHash(forty) },
      mean: forty.map((_, i) => i / 4),
      std: forty.map(() => 2),
      spectralBins: 4,
    },
  },
  {
    ...EXAMPLE,
    ops: ['CONV_2D', 'CUSTOM:SignalWindow', 'DEPTHWISE_CONV_2D'],
    inputs: [{ dtype: 'int8', shape: [1, 4, 4, 3], scale: 0.0078125, zeroPoint: 0 }],
    preprocessing: {
      ...EXAMPLE.preprocessing!,
      kind: 'image',
      channels: ['r', 'g', 'b'],
      windowLength: 1,
      mean: [128],
      std: [128],
      sampleIntervalSeconds: null,
    },
    selfTest: {
      input: { bytes: Uint8Array.from({ length: 48 }, (_, i) => i) },
      expectedOutput: Uint8Array.of(1, 2),
      toleranceLsb: 255,
    },
  },
  {
    ...EXAMPLE,
    outputs: [{ dtype: 'float32', shape: [3], scale: 0, zeroPoint: 0 }],
    preprocessing: null,
    selfTest: { input: { seed: 0xffffffff }, expectedOutput: new Uint8Array(12), toleranceLsb: 4 },
  },
];

type Path = number[];
function paths(v: CborValue, at: Path = []): Path[] {
  return Array.isArray(v) ? [at, ...v.flatMap((x, i) => paths(x, [...at, i]))] : [at];
}
/** The node at `p`, or null where the tree has none. */
function get(v: CborValue, p: Path): CborValue {
  return p.reduce<CborValue>((x, i) => (Array.isArray(x) ? (x[i] ?? null) : null), v);
}
/** A copy of the tree with the node at `p` (not the root) replaced by what `replace` gives: none drops it, two repeat it. */
function edit(v: CborValue, p: Path, replace: (old: CborValue) => CborValue[]): CborValue {
  const items = [...(v as CborValue[])];
  const [i, ...rest] = p;
  if (rest.length === 0) items.splice(i!, 1, ...replace(items[i!]!));
  else items[i!] = edit(items[i!]!, rest, replace);
  return items;
}
/** n float32 values as one byte string: how mean and std travelled before the compact form. */
const float32Bytes = (n: number, v = 1) => {
  const b = new Uint8Array(4 * n);
  for (let i = 0; i < n; i++) new DataView(b.buffer).setFloat32(4 * i, v, true);
  return b;
};
/** mean and std of n values as they travel: [list exponent, codes]. */
const statistics = (e: EncodedStatistics): CborValue => [e.exponent, e.bytes];
const meansOf = (n: number) => statistics(encodeMeans(Array.from({ length: n }, (_, i) => i + 1)));
const stdsOf = (n: number) => statistics(encodeStds(Array.from({ length: n }, (_, i) => i + 1)));

describe('TFDM/1 decoder fuzz', () => {
  const valid = CORPUS.map((m) => encodeDeviceManifest(m));

  it('fuzzes from manifests that decode to what was encoded', () => {
    valid.forEach((b, i) => expect(decodeDeviceManifest(b)).toEqual(CORPUS[i]));
  });

  it('decodes every case to a manifest that re-encodes to its bytes, or refuses it with a DeviceManifestError', () => {
    const f = new Fuzzer('TFDM/1', FUZZ_SEED, (e) => e instanceof DeviceManifestError);
    const run = (kind: string, input: Uint8Array, mustRefuse = false) =>
      f.run({
        kind,
        input,
        decode: () => decodeDeviceManifest(input),
        boundBytes: input.length, // byte strings are copies of the input's; nothing else is a buffer
        mustRefuse,
        check: (m) => (hex(encodeDeviceManifest(m)) === hex(input) ? null : 'decoded to a manifest of other bytes'),
      });
    const r = mulberry32(FUZZ_SEED ^ 0x3c3c);
    for (let i = 0; i < 600; i++)
      run(
        'random bytes',
        Uint8Array.from({ length: 1 + Math.floor(r() * 80) }, (_, k) =>
          k === 0 && r() < 0.7 ? 0x8d : Math.floor(r() * 256),
        ),
      );
    for (let i = 0; i < 1500; i++) run('byte damage', mutateBytes(f, f.pick(valid)));
    for (let i = 0; i < 300; i++) {
      const b = f.pick(valid);
      run('truncated', b.subarray(0, f.int(b.length)), true);
      run('trailing bytes', Uint8Array.from([...b, f.int(256)]), true);
    }
    const randomValue = (): CborValue =>
      f.pick<() => CborValue>([
        () => f.pick([0, 1, 23, 24, 255, 256, 65535, 65536, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1]),
        () => f.pick([-1, -24, -25, -129, -(2 ** 31), -(2 ** 31) - 1]),
        () => new CborFloat(f.pick([0, 0.5, -1.5, 1e-30, 3.4e38, 1e300, 0.1])),
        () => f.pick(['', 'a', 'FULLY_CONNECTED', 'x'.repeat(64), 'x'.repeat(65), 'é'.repeat(32), 'é'.repeat(33)]),
        () => new Uint8Array(f.pick([0, 1, 4, 8, 31, 32, 33])),
        () => null,
        () => Array.from({ length: f.int(4) }, () => f.int(30)),
      ])();
    for (let i = 0; i < 2000; i++) {
      const tree = decodeCbor(f.pick(valid));
      const p = f.pick(paths(tree).filter((x) => x.length > 0));
      const op = f.int(4);
      const out =
        op === 0
          ? edit(tree, p, () => [])
          : op === 1
            ? edit(tree, p, (old) => [old, old])
            : edit(tree, p, () => [randomValue()]);
      run(op === 0 ? 'tree: item dropped' : op === 1 ? 'tree: item repeated' : 'tree: node replaced', encodeCbor(out));
    }
    // Changes the layout refuses wherever they land.
    const refused: { kind: string; path: (t: CborValue) => Path[]; value: () => CborValue }[] = [
      {
        kind: 'text64 of 65..66 UTF-8 bytes',
        path: (t) => [[1], [2], [6], ...(Array.isArray(get(t, [11, 1])) ? [[11, 1, 0]] : [])],
        value: () => f.pick(['é'.repeat(33), '€'.repeat(22), 'x'.repeat(65)]),
      },
      { kind: 'empty text', path: () => [[1], [2], [6]], value: () => '' },
      { kind: 'no inputs or outputs', path: () => [[9], [10]], value: () => [] },
      {
        kind: 'model bytes 0 or above 16 MiB',
        path: () => [[4]],
        value: () => f.pick([0, 16 * 1024 * 1024 + 1, 2 ** 32]),
      },
      { kind: 'integer above 32 bits', path: () => [[7], [9, 0, 1, 0]], value: () => 2 ** 32 },
      {
        kind: 'zero point outside int32',
        path: () => [
          [9, 0, 3],
          [10, 0, 3],
        ],
        value: () => f.pick([2 ** 31, -(2 ** 31) - 1]),
      },
      {
        kind: 'mean or std as float32 bytes (the superseded layout)',
        path: (t) =>
          get(t, [11]) === null
            ? []
            : [
                [11, 3],
                [11, 4],
              ],
        value: () => float32Bytes(1, f.pick([0, 1.5, 12.25])),
      },
      {
        kind: 'mean or std list exponent out of range',
        path: (t) =>
          get(t, [11]) === null
            ? []
            : [
                [11, 3, 0],
                [11, 4, 0],
              ],
        value: () => f.pick([-127, 113, 2 ** 31, -(2 ** 31) - 1]),
      },
      {
        kind: 'mean code infinity, NaN or −0',
        path: (t) => (get(t, [11]) === null ? [] : [[11, 3, 1]]),
        value: () =>
          f.pick([
            Uint8Array.of(0x00, 0x7c),
            Uint8Array.of(0x00, 0xfc),
            Uint8Array.of(0x01, 0x7e),
            Uint8Array.of(0x00, 0x80),
          ]),
      },
      {
        kind: 'mean or std codes whose largest is not in the top binade',
        path: (t) =>
          get(t, [11]) === null
            ? []
            : [
                [11, 3],
                [11, 4],
              ],
        value: () =>
          f.pick([
            [0, Uint8Array.of(0x00, 0x3e)],
            [-15, Uint8Array.of(0xe8)],
            [0, Uint8Array.of(0x01)],
          ]),
      },
      {
        kind: 'quantization scale not positive',
        path: (t) => (get(t, [11]) === null ? [] : [[11, 7, 0]]),
        value: () => new CborFloat(f.pick([0, -0.5])),
      },
      { kind: 'window length 0', path: (t) => (get(t, [11]) === null ? [] : [[11, 2]]), value: () => 0 },
    ];
    for (let i = 0; i < 700; i++) {
      const rule = f.pick(refused);
      const tree = decodeCbor(f.pick(valid));
      const where = rule.path(tree);
      if (where.length === 0) continue;
      run(`refused: ${rule.kind}`, encodeCbor(edit(tree, f.pick(where), () => [rule.value()])), true);
    }
    // mean and std of a count other than one per named channel (an image may have 1).
    for (let i = 0; i < 300; i++) {
      const k = f.int(valid.length);
      const tree = decodeCbor(valid[k]!);
      const channels = get(tree, [11, 1] as Path);
      if (!Array.isArray(channels)) continue;
      const counts = [0, 1, 2, channels.length - 1, channels.length + 1].filter(
        (n) => n >= 0 && n !== channels.length && !(n === 1 && get(tree, [11, 0]) === 2),
      );
      const n = f.pick(counts);
      const both =
        n === 0
          ? edit(
              edit(tree, [11, 3], () => [[0, new Uint8Array(0)]]),
              [11, 4],
              () => [[0, new Uint8Array(0)]],
            )
          : edit(
              edit(tree, [11, 3], () => [meansOf(n)]),
              [11, 4],
              () => [stdsOf(n)],
            );
      run('refused: mean/std not one per channel', encodeCbor(both), true);
    }
    if (process.env.FUZZ_REPORT) console.log(f.report());
    expect(f.cases).toBeGreaterThanOrEqual(5000);
    expect(f.tally('tree: node replaced').decoded).toBeGreaterThan(0);
    expect(f.tally('tree: node replaced').refused).toBeGreaterThan(0);
  });
});
