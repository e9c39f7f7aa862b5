/**
 * MLPerf Tiny closed-division results, transcribed from energy-sources.md §5.1 (which extracted them
 * from the submitters' results/<submitter>/{performance,energy}/results.txt in mlcommons/tiny_results_v0.5…v1.2).
 * Latency = 1000 / median throughput; energy = median µJ per inference in energy mode, measured on
 * the MCU rail only (IDD jumper removed, [S-MLP05-HOOKUP]) — so board sleep/regulator losses are not
 * in these numbers. Only the rows this library uses are carried.
 */
import type { CoreClass } from '../mcu/mcu-profiles';

export type MlperfModel = 'kws' | 'vww' | 'ic' | 'ad';
export const MLPERF_MODELS: readonly MlperfModel[] = ['kws', 'vww', 'ic', 'ad'];

/** Model files (relative to FLEET_DATA_DIR, i.e. /work/shared) that the results were measured with. */
export const MLPERF_MODEL_FILES: Readonly<Record<MlperfModel, string>> = {
  kws: 'reference-models/mlperf_tiny_kws/kws_ref_model.tflite',
  vww: 'reference-models/mlperf_tiny_vww/vww_96_int8.tflite',
  ic: 'reference-models/mlperf_tiny_ic/pretrainedResnet_quant.tflite',
  ad: 'reference-models/mlperf_tiny_ad/ad01_int8.tflite',
};

export type MlperfStack =
  | 'tflm-reference'
  | 'microtvm-cmsis-nn'
  | 'x-cube-ai-7.1'
  | 'x-cube-ai-7.3'
  | 'x-cube-ai-8.1'
  | 'x-cube-ai-9.0'
  | 'plumerai'
  | 'bosch-hale';

export type MlperfBoard = 'stm32l4r5' | 'stm32u575' | 'stm32h7a3' | 'nrf5340' | 'stm32f746' | 'psoc62' | 'stm32g0b1';

/** Core of each measured board ([S-MLP*] systems json, as listed in energy-sources.md §1/§5.1). */
export const MLPERF_BOARD_CORE: Readonly<Record<MlperfBoard, CoreClass>> = {
  stm32l4r5: 'cortex-m4',
  stm32u575: 'cortex-m33',
  stm32h7a3: 'cortex-m7',
  nrf5340: 'cortex-m33',
  stm32f746: 'cortex-m7',
  psoc62: 'cortex-m4',
  stm32g0b1: 'cortex-m0plus',
};

export interface MlperfMeasurement {
  readonly round: string;
  readonly submitter: string;
  readonly board: MlperfBoard;
  readonly clockHz: number;
  /** Supply of the measured rail; null where the doc gives none ("–"). */
  readonly supplyV: number | null;
  readonly stack: MlperfStack;
  readonly model: MlperfModel;
  readonly latencyMs: number;
  /** null = no energy run in that submission. */
  readonly energyUj: number | null;
  readonly source: string;
}

type Four = readonly [number, number, number, number];
type FourOrNull = readonly [number | null, number | null, number | null, number | null];

function rows(
  round: string,
  submitter: string,
  board: MlperfBoard,
  mhz: number,
  supplyV: number | null,
  stack: MlperfStack,
  latencyMs: Four,
  energyUj: FourOrNull,
): MlperfMeasurement[] {
  const tag = `S-MLP${round.replace(/[v.]/g, '')} [MEAS] tiny_results_${round} ${submitter} ${board} ${stack}, via energy-sources.md §5.1`;
  return MLPERF_MODELS.map((model, i) => ({
    round,
    submitter,
    board,
    clockHz: mhz * 1e6,
    supplyV,
    stack,
    model,
    latencyMs: latencyMs[i],
    energyUj: energyUj[i],
    source: tag,
  }));
}

const NONE: FourOrNull = [null, null, null, null];

//                                                                    KWS     VWW     IC      AD
export const MLPERF_MEASUREMENTS: readonly MlperfMeasurement[] = [
  ...rows(
    'v0.5',
    'reference',
    'stm32l4r5',
    120,
    1.8,
    'tflm-reference',
    [181.9, 600.6, 704.2, 10.05],
    [7374, 24313, 29207, 416.3],
  ),
  ...rows(
    'v0.7',
    'ST',
    'stm32l4r5',
    120,
    1.8,
    'x-cube-ai-7.1',
    [97.65, 254.6, 252.8, 9.67],
    [4636, 12293, 12298, 431.2],
  ),
  ...rows('v0.7', 'ST', 'stm32u575', 160, 1.8, 'x-cube-ai-7.1', [54.81, 151.6, 158.1, 5.73], [1482, 4031, 4151, 152.6]),
  ...rows(
    'v0.7',
    'ST',
    'stm32h7a3',
    280,
    3.0,
    'x-cube-ai-7.1',
    [22.29, 64.38, 70.36, 2.28],
    [3713, 10488, 11200, 349.0],
  ),
  ...rows(
    'v1.0',
    'OctoML',
    'stm32l4r5',
    120,
    null,
    'microtvm-cmsis-nn',
    [99.81, 301.2, 389.6, 8.61],
    [5230, 15531, 20236, 443.2],
  ),
  ...rows('v1.0', 'OctoML', 'nrf5340', 128, null, 'microtvm-cmsis-nn', [76.09, 232.0, 316.2, 6.27], NONE),
  ...rows(
    'v1.0',
    'ST',
    'stm32l4r5',
    120,
    1.8,
    'x-cube-ai-7.3',
    [75.06, 230.5, 226.9, 7.58],
    [3372, 10067, 10682, 323.0],
  ),
  ...rows('v1.0', 'ST', 'stm32u575', 160, 1.8, 'x-cube-ai-7.3', [44.23, 133.4, 139.7, 4.85], [1139, 3364, 3642, 119.1]),
  ...rows('v1.0', 'ST', 'stm32h7a3', 280, 3.3, 'x-cube-ai-7.3', [16.76, 50.71, 54.35, 1.83], [2722, 7978, null, 266.5]),
  ...rows('v1.1', 'ST', 'stm32l4r5', 120, 1.8, 'x-cube-ai-8.1', [62.87, 118.7, 214.0, 6.86], [2833, 5618, 7019, 293.9]),
  ...rows('v1.1', 'ST', 'stm32u575', 160, 1.8, 'x-cube-ai-8.1', [38.58, 71.56, 128.2, 4.85], [1004, 1921, 3384, 121.4]),
  ...rows('v1.1', 'ST', 'stm32h7a3', 280, 3.0, 'x-cube-ai-8.1', [15.35, 29.63, 51.95, 1.82], [1869, 3699, 6311, 221.2]),
  ...rows('v1.1', 'Krai', 'nrf5340', 128, null, 'microtvm-cmsis-nn', [76.49, 233.3, 317.9, 6.29], NONE),
  ...rows('v1.1', 'Plumerai', 'stm32l4r5', 120, null, 'plumerai', [47.78, 98.76, 167.8, 4.05], NONE),
  ...rows('v1.1', 'Plumerai', 'stm32f746', 216, null, 'plumerai', [17.75, 34.08, 62.88, 1.71], NONE),
  ...rows('v1.1', 'Plumerai', 'psoc62', 150, null, 'plumerai', [54.06, 108.3, 189.0, 4.46], NONE),
  ...rows('v1.2', 'ST', 'stm32l4r5', 120, 1.8, 'x-cube-ai-9.0', [43.19, 88.93, 165.1, 5.26], [1820, 3895, 6919, 203.4]),
  ...rows('v1.2', 'ST', 'stm32u575', 160, 1.8, 'x-cube-ai-9.0', [29.06, 59.28, 111.1, 3.43], [656.2, 1355, 2579, 81.9]),
  ...rows('v1.2', 'ST', 'stm32h7a3', 280, 3.0, 'x-cube-ai-9.0', [11.32, 23.8, 40.84, 1.23], [1376, 2965, 5090, 165.7]),
  ...rows('v1.2', 'Bosch', 'stm32g0b1', 64, null, 'bosch-hale', [474.6, 1414, 1522, 40.89], NONE),
];
