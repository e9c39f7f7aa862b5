import { CborError, CborFloat, decodeCbor, encodeCbor } from './cbor-lite';
import {
  channelLayoutHash,
  decodeDeviceManifest,
  DeviceManifestError,
  encodeDeviceManifest,
  preprocessingOf,
  type DeviceManifest,
} from './device-manifest';
import { encodeMeans, encodeStds } from './channel-statistics';
import { seededSelfTestInput, selfTestOutputMatches } from './self-test-input';

/** Float32 little-endian bytes, as mean and std travelled before the compact form. */
const f32 = (...values: number[]) => new Uint8Array(Float32Array.from(values).buffer);

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

/** The example of docs/ota.md "Device manifest", field by field. */
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
  selfTest: { input: { seed: 2 }, expectedOutput: bytes('2cd4'), toleranceLsb: 1 },
};

/** mean and std as they travel: [list exponent, codes] (channel-statistics.ts). */
const means = (...values: number[]) => [encodeMeans(values).exponent, encodeMeans(values).bytes];
const stds = (...values: number[]) => [encodeStds(values).exponent, encodeStds(values).bytes];

const EXAMPLE_HEX = `
  8d                                      array(13)
  01                                      version 1
  6b 736f696c2d6472796f7574               "soil-dryout"
  65 312e302e30                           "1.0.0"
  5820 ${'aa'.repeat(32)}                 model sha256
  19 0e00                                 model bytes 3584
  5820 ${'bb'.repeat(32)}                 manifest.json sha256
  65 302e312e30                           min interpreter "0.1.0"
  18 50                                   arena bytes 80
  82 09 1819                              ops [FULLY_CONNECTED = 9, SOFTMAX = 25]
  81 84 09 82 01 1840 fa3f000000 0e       inputs [[int8 = 9, [1, 64], 0.5, 14]]
  81 84 09 82 01 02 fa3b800000 387f       outputs [[int8, [1, 2], 1/256, -128]]
  8a                                      preprocessing: array(10)
    00                                      kind window
    81 63 767763                            channels ["vwc"]
    10                                      window length 16
    82 2b 42 207a                           mean [exponent -12, binary16 LE 7a20]: 50176 × 2^-12 = 12.25
    82 2e 41 f8                             std [exponent -15, code f8]: (1 + 8/16) × 2^(-15 + 15) = 1.5
    00                                      transform none
    80                                      invalid values []
    82 fa3f000000 0e                        quantization [0.5, 14]
    fa44610000                              sample interval 900.0 s
    f6                                      spectral bins: none
  83 02 42 2cd4 01                        self-test [seed 2, expected 2c d4, tolerance 1]
`;

describe('device manifest (TFDM/1)', () => {
  it('encodes the documented example byte for byte, and decodes it back', () => {
    const golden = bytes(EXAMPLE_HEX.replace(/^\s*(\S[^\n]*?)\s{2,}.*$/gm, '$1'));
    expect(hex(encodeDeviceManifest(EXAMPLE))).toBe(hex(golden));
    expect(decodeDeviceManifest(golden)).toEqual(EXAMPLE);
  });

  it('sends a long channel list as its layout hash, which a device checks against its own channels', () => {
    const names = Array.from({ length: 40 }, (_, i) => `sensor_${i}`);
    const m: DeviceManifest = {
      ...EXAMPLE,
      preprocessing: {
        ...EXAMPLE.preprocessing!,
        channels: { layoutHash: channelLayoutHash(names) },
        mean: names.map(() => 12.25),
        std: names.map(() => 1.5),
      },
    };
    const back = decodeDeviceManifest(encodeDeviceManifest(m));
    expect(preprocessingOf(back, names)?.channels).toEqual(names);
    expect(() => preprocessingOf(back, names.slice(1))).toThrow(DeviceManifestError);
    // The channel count behind a hash is known only here: one mean for the 40 channels it stands for.
    const oneMean = decodeDeviceManifest(
      encodeDeviceManifest({ ...m, preprocessing: { ...m.preprocessing!, mean: [0], std: [1] } }),
    );
    expect(() => preprocessingOf(oneMean, names)).toThrow(
      /preprocessing.mean: expected 40 values \(one per channel\), got 1/,
    );
    // sha256("vwc\n")[0..8]: the rule is documented, so a device can compute it.
    expect(hex(channelLayoutHash(['vwc']))).toBe('0a6b3083df7f4647');
  });

  it('takes one mean/std per channel, or a single pair for all of an image’s colour channels', () => {
    const image = (mean: number[]) => ({
      ...EXAMPLE,
      preprocessing: { ...EXAMPLE.preprocessing!, kind: 'image' as const, channels: ['r', 'g', 'b'], mean, std: mean },
    });
    expect(decodeDeviceManifest(encodeDeviceManifest(image([128]))).preprocessing?.mean).toEqual([128]);
    expect(decodeDeviceManifest(encodeDeviceManifest(image([1, 2, 3]))).preprocessing?.mean).toEqual([1, 2, 3]);
    expect(() => decodeDeviceManifest(encodeDeviceManifest(image([1, 2])))).toThrow(/expected 3 values/);
    const window = { ...EXAMPLE, preprocessing: { ...EXAMPLE.preprocessing!, channels: ['a', 'b'] } };
    expect(() => decodeDeviceManifest(encodeDeviceManifest(window))).toThrow(
      /preprocessing.mean: expected 2 values \(one per channel\), got 1/,
    );
    const utf8 = { ...EXAMPLE, modelId: 'é'.repeat(32) }; // 64 bytes: the most a text64 holds
    expect(decodeDeviceManifest(encodeDeviceManifest(utf8)).modelId).toBe(utf8.modelId);
  });

  it('refuses the float32 mean/std layout it replaced with words that say so, and never encodes a value it would round', () => {
    const items = decodeCbor(encodeDeviceManifest(EXAMPLE)) as unknown[];
    const p = items[11] as unknown[];
    p[3] = f32(12.25);
    p[4] = f32(1.5);
    expect(() => decodeDeviceManifest(encodeCbor(items as never))).toThrow(
      /preprocessing.mean: expected \[exponent, codes\] \(a byte string of float32 values is the superseded layout: rebuild the model\), got bytes/,
    );
    const fitted = (mean: number[], std: number[]) => ({
      ...EXAMPLE,
      preprocessing: { ...EXAMPLE.preprocessing!, mean, std },
    });
    expect(() => encodeDeviceManifest(fitted([Math.fround(12.3)], [1.5]))).toThrow(
      /preprocessing.mean\[0\] = 12.300000190734863 is not binary16 × 2\^-12 \(fitPreprocessing rounds with roundChannelStatistics\)/,
    );
    expect(() => encodeDeviceManifest(fitted([12.25], [127.5]))).toThrow(DeviceManifestError);
  });

  it.each([
    ['wrong version', (a: unknown[]) => (a[0] = 2)],
    ['short sha256', (a: unknown[]) => (a[3] = new Uint8Array(31))],
    ['unknown dtype code', (a: unknown[]) => ((a[9] as unknown[][])[0]![0] = 99)],
    ['CUSTOM as a builtin code', (a: unknown[]) => ((a[8] as unknown[])[0] = 32)],
    ['an integer where a float goes', (a: unknown[]) => ((a[9] as unknown[][])[0]![2] = 1)],
    ['mean codes of an odd length', (a: unknown[]) => ((a[11] as unknown[])[3] = [-12, new Uint8Array(3)])],
    ['mean as float32 bytes (the superseded layout)', (a: unknown[]) => ((a[11] as unknown[])[3] = f32(12.25))],
    ['std as float32 bytes (the superseded layout)', (a: unknown[]) => ((a[11] as unknown[])[4] = f32(1.5))],
    // 1.5 × 2^0 and 0.75: values, but the largest code is not in the top binade (another encoding of a value).
    [
      'a mean exponent not the largest mean’s',
      (a: unknown[]) => ((a[11] as unknown[])[3] = [0, Uint8Array.of(0x00, 0x3e)]),
    ],
    ['a std exponent not the largest std’s', (a: unknown[]) => ((a[11] as unknown[])[4] = [-15, Uint8Array.of(0xe8)])],
    ['a binary16 NaN mean', (a: unknown[]) => ((a[11] as unknown[])[3] = [-12, Uint8Array.of(0x01, 0x7e)])],
    ['seed 0', (a: unknown[]) => ((a[12] as unknown[])[0] = 0)],
    ['12 fields', (a: unknown[]) => a.pop()],
    ['a model id of 33 × é (33 UTF-16 units, 66 UTF-8 bytes)', (a: unknown[]) => (a[1] = 'é'.repeat(33))],
    ['a custom op name of 65 bytes', (a: unknown[]) => ((a[8] as unknown[])[0] = 'x'.repeat(65))],
    ['no inputs', (a: unknown[]) => (a[9] = [])],
    ['no outputs', (a: unknown[]) => (a[10] = [])],
    ['model bytes 0', (a: unknown[]) => (a[4] = 0)],
    ['model bytes above 16 MiB', (a: unknown[]) => (a[4] = 16 * 1024 * 1024 + 1)],
    ['RAM bytes of 2^32', (a: unknown[]) => (a[7] = 2 ** 32)],
    ['a zero point beyond int32', (a: unknown[]) => ((a[9] as unknown[][])[0]![3] = 2 ** 31)],
    ['no channels', (a: unknown[]) => ((a[11] as unknown[])[1] = [])],
    ['two means for one channel', (a: unknown[]) => ((a[11] as unknown[])[3] = means(12.25, 1))],
    ['std of another count than mean', (a: unknown[]) => ((a[11] as unknown[])[4] = stds(1.5, 1))],
    ['window length 0', (a: unknown[]) => ((a[11] as unknown[])[2] = 0)],
    ['quantization scale 0', (a: unknown[]) => (((a[11] as unknown[])[7] as unknown[])[0] = new CborFloat(0))],
  ])('refuses %s with a DeviceManifestError', (_what, mutate) => {
    const items = decodeCbor(encodeDeviceManifest(EXAMPLE)) as unknown[];
    mutate(items);
    expect(() => decodeDeviceManifest(encodeCbor(items as never))).toThrow(DeviceManifestError);
  });

  it('fuzz: 5,000 mutated encodings decode to a manifest or fail with a DeviceManifestError, nothing else', () => {
    const valid = encodeDeviceManifest(EXAMPLE);
    let seed = 12345;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    for (let i = 0; i < 5000; i++) {
      const b = new Uint8Array(rnd(4) === 0 ? valid.subarray(0, rnd(valid.length)) : valid);
      for (let k = 0, n = 1 + rnd(4); k < n; k++) b[rnd(b.length)] = rnd(256);
      try {
        decodeDeviceManifest(b);
      } catch (err) {
        if (!(err instanceof DeviceManifestError)) throw new Error(`case ${i}: ${String(err)}`, { cause: err });
      }
    }
  });
});

describe('cbor-lite: one encoding per value', () => {
  it.each([
    ['non-shortest head', '1817'],
    ['indefinite array', '9fff'],
    ['map', 'a0'],
    ['tag', 'c000'],
    ['float16', 'f93c00'],
    ['float64 that float32 holds', 'fb3ff0000000000000'],
    ['NaN', 'fa7fc00000'],
    ['-0.0', 'fa80000000'],
    ['undefined', 'f7'],
    ['trailing byte', '0000'],
    ['truncated string', '43aabb'],
    ['invalid UTF-8', '62c328'],
  ])('refuses %s', (_what, h) => {
    expect(() => decodeCbor(bytes(h))).toThrow(CborError);
  });

  it('writes floats in the shortest exact width and integers as integers', () => {
    expect(hex(encodeCbor([new CborFloat(0.5), new CborFloat(0.1), 1, -1]))).toBe('84fa3f000000fb3fb999999999999a0120');
    expect(() => encodeCbor(0.5)).toThrow(/wrap floats/);
  });
});

describe('self-test input', () => {
  it('is xorshift32 from the seed, 4 bytes little-endian per step', () => {
    // seed 1: the steps are 270369 (0x00042021) and 67634689 (0x04080601).
    expect(hex(seededSelfTestInput(1, [{ dtype: 'int8', shape: [1, 7] }])[0]!)).toBe('21200400010608');
    const [a, b] = seededSelfTestInput(1, [
      { dtype: 'int8', shape: [4] },
      { dtype: 'int16', shape: [2] },
    ]);
    expect(hex(a!)).toBe('21200400');
    expect(hex(b!)).toBe('01060804'); // the second input continues the same stream
    const [f] = seededSelfTestInput(1, [{ dtype: 'float32', shape: [1] }]);
    expect(new DataView(f!.buffer).getFloat32(0, true)).toBe((270369 >>> 8) / 2 ** 23 - 1);
  });

  it('accepts outputs within the tolerance, element by element', () => {
    const out = [{ dtype: 'int8', shape: [2] }];
    expect(selfTestOutputMatches(bytes('2cd4'), bytes('2cd4'), out, 0)).toBe(true);
    expect(selfTestOutputMatches(bytes('2dd3'), bytes('2cd4'), out, 1)).toBe(true);
    expect(selfTestOutputMatches(bytes('2ed4'), bytes('2cd4'), out, 1)).toBe(false);
    expect(selfTestOutputMatches(bytes('2c'), bytes('2cd4'), out, 1)).toBe(false);
  });
});
