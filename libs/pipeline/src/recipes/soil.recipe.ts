/** soil: will calibrated VWC drop below the authors' 11 % irrigation threshold in the next 6 h? */
import { loadSoilWindows, VWC_THRESHOLD_PCT } from '@tinyfleet/datasets';
import type { Recipe } from './recipe.types';

const CHANNELS = ['vwc_pct', 'raw_capacitive_adc_counts', 'sensor_board_temp_degC', 'atm_temp_degC'];
const WINDOW_STEPS = 16; // 4 h of 15-minute readings
const HORIZON_STEPS = 24; // 6 h ahead

export const soilRecipe: Recipe = {
  id: 'soil',
  artifactName: 'soil-dryout',
  version: '1.0.0',
  description:
    'EcoIrrigate (Kolkata, 2 farms, 15 min): from the last 4 h of readings, forecast whether soil VWC drops below 11 % within 6 h. Tiny dense model.',
  labelDefinition: `Derived from the real future readings: label 1 if calibrated vwc_pct < ${VWC_THRESHOLD_PCT} at any of the next ${HORIZON_STEPS} readings (6 h), else 0. Windows whose last reading is already below ${VWC_THRESHOLD_PCT} % are not used (the answer is known). Threshold = VWC_THRESHOLD in the authors' scheduling simulation; the dataset has no irrigation log.`,
  datasets: [
    {
      name: 'soil-moisture',
      split:
        'train: 2025-01-05..03-31 (90 % train, every 10th window validation); test: 2025-04-01..04-25 (temporal hold-out, both farms)',
    },
  ],
  load: () => ({
    train: loadSoilWindows('train', { windowSteps: WINDOW_STEPS, horizonSteps: HORIZON_STEPS, channels: CHANNELS }),
    test: loadSoilWindows('test', { windowSteps: WINDOW_STEPS, horizonSteps: HORIZON_STEPS, channels: CHANNELS }),
  }),
  preprocessing: {
    kind: 'window',
    transform: 'none',
    sampleIntervalSeconds: 900,
    clipStd: 6,
    notes: 'window rows oldest first; only windows whose newest vwc_pct >= 11 are scored',
  },
  spec: {
    inputShape: [WINDOW_STEPS * CHANNELS.length],
    classes: 2,
    layers: [
      { kind: 'dense', units: 16, activation: 'relu' },
      { kind: 'dense', units: 8, activation: 'relu' },
      { kind: 'dense', units: 2, activation: 'none' },
    ],
  },
  batchSize: 64,
  learningRate: 3e-3,
  epochs: { train: 20, prune: 8, qat: 2 },
  quick: { trainExamples: 1500, testExamples: 600, epochs: { train: 2, prune: 1, qat: 1 } },
  balanceClasses: true,
  prune: { targetSparsity: 0.5, learningRate: 1e-3 },
  share: { bits: [4, 5], tolerancePts: 0.5 },
  goals: { maxAccuracyLossPts: 2 },
};
