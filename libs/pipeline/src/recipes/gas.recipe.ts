/** gas-fruit (SmellNet) and gas-ethylene v1/v2 (UCI gas drift, the OTA drift story). */
import { loadSmellnetWindows, loadUciGas, SMELLNET_INVALID_READING } from '@tinyfleet/datasets';
import type { Recipe } from './recipe.types';

// The first six gas channels; benzene is 2^32-1 (invalid) in ~38 % of rows, so it is left out.
const FRUIT_CHANNELS = [
  'no2_channel_raw',
  'c2h5oh_channel_raw',
  'voc_channel_raw',
  'co_channel_raw',
  'alcohol_channel_raw',
  'lpg_channel_raw',
];
const FRUIT_WINDOW = 32;

export const gasFruitRecipe: Recipe = {
  id: 'gas-fruit',
  artifactName: 'gas-fruit',
  version: '1.0.0',
  description:
    'SmellNet: classify 12 fruits from a 32 s window of six MOX gas channels (benzene excluded: invalid 2^32-1 readings).',
  labelDefinition: 'The substance of the recording (SmellNet labels), one label per window.',
  datasets: [
    {
      name: 'smellnet-fruits',
      split:
        'train: offline_training recordings (90 % of windows train, every 10th validation); test: offline_testing recordings (disjoint)',
    },
  ],
  load: () => ({
    train: loadSmellnetWindows('train', { channels: FRUIT_CHANNELS, windowSteps: FRUIT_WINDOW, strideSteps: 4 }),
    test: loadSmellnetWindows('test', { channels: FRUIT_CHANNELS, windowSteps: FRUIT_WINDOW, strideSteps: 8 }),
  }),
  preprocessing: {
    kind: 'window',
    transform: 'signed-log1p',
    sampleIntervalSeconds: 1,
    clipStd: 6,
    invalidValues: [SMELLNET_INVALID_READING],
    notes: 'benzene channel not used because of invalid readings',
  },
  spec: {
    inputShape: [FRUIT_WINDOW * FRUIT_CHANNELS.length],
    classes: 12,
    layers: [
      { kind: 'dense', units: 48, activation: 'relu' },
      { kind: 'dense', units: 12, activation: 'none' },
    ],
  },
  batchSize: 64,
  learningRate: 2e-3,
  epochs: { train: 15, prune: 6, qat: 1 },
  quick: { trainExamples: 1500, testExamples: 400, epochs: { train: 2, prune: 1, qat: 1 } },
  prune: { targetSparsity: 0.7, learningRate: 1e-3 },
  share: { bits: [4, 5], tolerancePts: 1 },
  goals: { maxAccuracyLossPts: 2 },
};

function ethyleneRecipe(version: 1 | 2): Recipe {
  const batches = version === 1 ? [1, 2, 3, 4, 5, 6] : [1, 2, 3, 4, 5, 6, 8];
  return {
    id: `gas-ethylene-v${version}`,
    artifactName: 'gas-ethylene',
    version: `${version}.0.0`,
    description: `UCI gas sensor drift: classify 6 gases (incl. ethylene) from 128 MOX array features. v${version} trains on batches ${batches.join(',')}; evaluated on batch 9 (later, drifted).`,
    labelDefinition: 'gas_id of the exposure (UCI coding: ethanol, ethylene, ammonia, acetaldehyde, acetone, toluene).',
    datasets: [
      {
        name: 'uci-gas-drift',
        split: `train: batches ${batches.join(',')} (every 10th row validation); test: batch 9`,
      },
    ],
    load: () => ({ train: loadUciGas(batches), test: loadUciGas([9]) }),
    preprocessing: {
      kind: 'features',
      transform: 'signed-log1p',
      clipStd: 6,
      notes: '128 features s01..s16 x (dR, dR_norm, ema_rise x3, ema_decay x3) in file order',
    },
    spec: {
      inputShape: [128],
      classes: 6,
      layers: [
        { kind: 'dense', units: 48, activation: 'relu' },
        { kind: 'dense', units: 6, activation: 'none' },
      ],
    },
    batchSize: 32,
    learningRate: 2e-3,
    epochs: { train: 40, prune: 10, qat: 2 },
    quick: { trainExamples: 1200, testExamples: 300, epochs: { train: 2, prune: 1, qat: 1 } },
    prune: { targetSparsity: 0.6, learningRate: 1e-3 },
    share: { bits: [4, 5], tolerancePts: 1 },
    goals: { maxAccuracyLossPts: 2 },
  };
}

export const gasEthyleneV1Recipe = ethyleneRecipe(1);
export const gasEthyleneV2Recipe = ethyleneRecipe(2);
