import {
  decodeDeviceManifest,
  encodeDeviceManifest,
  preprocessingOf,
  type DeviceManifest,
  type Preprocessing,
} from '@tinyfleet/artifact';
import { featureSize, type LabelledData } from '@tinyfleet/datasets';
import { findRecipe, fitPreprocessing, applyPreprocessing, prepareData, quantizeValue } from '@tinyfleet/pipeline';
import type { SensorStream } from '../streams/sensor-stream';
import { Preprocessor } from './preprocess';

/**
 * A recipe's test split replayed as a node's stream: example i's samples are stream samples
 * i·L … i·L+L−1, so the node's window ending at i·L+L−1 is exactly that example.
 */
function streamOf(raw: LabelledData, windowLength: number): SensorStream {
  const sampleSize = featureSize(raw) / windowLength;
  const samples = raw.n * windowLength;
  return {
    id: 'split',
    sensor: 'gas',
    recipe: 'split',
    channels: raw.featureShape.length === 3 ? ['gray'] : raw.channels,
    labels: raw.labels,
    length: samples,
    rawSampleBytes: 4,
    values: (j) => raw.x.subarray(j * sampleSize, (j + 1) * sampleSize),
    groundTruth: (j) => raw.y[Math.floor(j / windowLength)],
    nextIntervalMs: () => 1000,
    describe: (j) => `example ${Math.floor(j / windowLength)}`,
  };
}

/** Count of examples whose node input differs from what the pipeline evaluated the int8 model on. */
function mismatches(p: Preprocessing, rawTest: LabelledData, testX: Float32Array): { checked: number; bad: number } {
  const stream = streamOf(rawTest, p.windowLength);
  const pre = new Preprocessor(p, stream);
  const input = new Int8Array(pre.inputLength);
  const f = testX.length / rawTest.n;
  expect(f).toBe(pre.inputLength);
  let bad = 0;
  for (let i = 0; i < rawTest.n; i++) {
    pre.fill(input, i * pre.windowLength + pre.windowLength - 1);
    for (let k = 0; k < f; k++) {
      // evaluateInt8 quantizes the preprocessed float test tensor exactly like this.
      if (input[k] !== quantizeValue(testX[i * f + k], p.quantization)) {
        bad++;
        break;
      }
    }
  }
  return { checked: rawTest.n, bad };
}

/**
 * The preprocessing as a device gets it: through the signed device manifest's bytes (mean and std in
 * their 3-byte form) and back; the tensors and hashes around it do not matter here.
 */
function throughDeviceManifest(p: Preprocessing): Preprocessing {
  const tensor = { dtype: 'int8', shape: [1], scale: 1, zeroPoint: 0 };
  const d: DeviceManifest = {
    modelId: 'parity',
    modelVersion: '1.0.0',
    modelSha256: new Uint8Array(32),
    modelBytes: 1,
    manifestSha256: new Uint8Array(32),
    minInterpreterVersion: '0.1.0',
    ramBytes: 0,
    ops: [],
    inputs: [tensor],
    outputs: [tensor],
    preprocessing: {
      kind: p.kind,
      channels: p.channels,
      windowLength: p.windowLength,
      mean: p.mean,
      std: p.std,
      transform: p.transform,
      invalidValues: p.invalidValues ?? [],
      quantization: { scale: p.quantization.scale, zeroPoint: p.quantization.zeroPoint },
      sampleIntervalSeconds: p.sampleIntervalSeconds ?? null,
      spectralBins: p.spectralBins ?? null,
    },
    selfTest: { input: { seed: 1 }, expectedOutput: new Uint8Array(1), toleranceLsb: 0 },
  };
  const received = preprocessingOf(decodeDeviceManifest(encodeDeviceManifest(d)), p.channels)!;
  // Bit-identical constants: what the pipeline fitted is what the device decodes.
  expect({ mean: received.mean, std: received.std }).toEqual({ mean: p.mean, std: p.std });
  return { ...p, ...received };
}

/**
 * #17: the bytes a node feeds its interpreter equal the inputs the pipeline measured test accuracy on,
 * example for example, on each recipe's (quick) test split — windows, log transform, per-exposure
 * features, images, and spectral bins — with the preprocessing the node decoded from the device manifest.
 */
describe('preprocessing parity: pipeline test split = node input', () => {
  it.each(['soil', 'gas-fruit', 'gas-ethylene', 'mnist-lenet300'])('%s', (id) => {
    const { data, preprocessing } = prepareData(findRecipe(id), true);
    const r = mismatches(throughDeviceManifest(preprocessing), data.rawTest, data.test.x);
    expect(r.checked).toBeGreaterThan(50);
    expect(r.bad).toBe(0);
  });

  it('gas-fruit with spectral bins', () => {
    const recipe = findRecipe('gas-fruit');
    const { data } = prepareData(recipe, true);
    const p = fitPreprocessing({ ...recipe.preprocessing, spectralBins: 6 }, data.rawTrain);
    const test = applyPreprocessing(p, data.rawTest);
    expect(test.x.length / test.n).toBe(6 * p.channels.length);
    const r = mismatches(throughDeviceManifest(p), data.rawTest, test.x);
    expect(r.bad).toBe(0);
  });
});
