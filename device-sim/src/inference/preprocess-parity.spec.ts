import type { Preprocessing } from '@tinyfleet/artifact';
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
 * #17: the bytes a node feeds its interpreter equal the inputs the pipeline measured test accuracy on,
 * example for example, on each recipe's (quick) test split — windows, log transform, per-exposure
 * features, images, and spectral bins.
 */
describe('preprocessing parity: pipeline test split = node input', () => {
  it.each(['soil', 'gas-fruit', 'gas-ethylene', 'mnist-lenet300'])('%s', (id) => {
    const { data, preprocessing } = prepareData(findRecipe(id), true);
    const r = mismatches(preprocessing, data.rawTest, data.test.x);
    expect(r.checked).toBeGreaterThan(50);
    expect(r.bad).toBe(0);
  });

  it('gas-fruit with spectral bins', () => {
    const recipe = findRecipe('gas-fruit');
    const { data } = prepareData(recipe, true);
    const p = fitPreprocessing({ ...recipe.preprocessing, spectralBins: 6 }, data.rawTrain);
    const test = applyPreprocessing(p, data.rawTest);
    expect(test.x.length / test.n).toBe(6 * p.channels.length);
    const r = mismatches(p, data.rawTest, test.x);
    expect(r.bad).toBe(0);
  });
});
