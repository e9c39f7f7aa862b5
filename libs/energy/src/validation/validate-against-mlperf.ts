import { KernelCycles, KernelKind, macsByKind, scaleKernelCycles } from '../mcu/kernel-kinds';
import { ELEMENTWISE_CYCLES } from '../mcu/kernel-cycle-tables';
import { inferenceCost } from '../mcu/inference-cost';
import type { CoreClass } from '../mcu/mcu-profiles';
import { fitKernelCycles, fitScaleFactor, predictCycles } from './calibration-fit';
import {
  MLPERF_BOARD_CORE,
  MLPERF_MEASUREMENTS,
  MLPERF_MODELS,
  MlperfBoard,
  MlperfMeasurement,
  MlperfModel,
  MlperfStack,
} from './mlperf-measurements';

/**
 * Predict MLPerf Tiny latency and energy from per-layer MACs, with calibration data kept apart from
 * validation data:
 *
 * - Kernel tables (cycles/MAC per kind) are fitted per software stack on the Nucleo-L4R5ZI (Cortex-M4)
 *   rows only. Those rows are therefore in-sample ("calibration").
 * - For the ST X-CUBE-AI rounds (v0.7 … v1.2) the U575 (M33) and H7A3 (M7) rows are predicted by
 *   leave-one-round-out: the L4R5 table of the same round, a core speed factor and an NN power fitted on
 *   the *other* three rounds of that board. No number measured in a validation row enters its prediction
 *   ("validation").
 * - Other submitters' boards (nRF5340, F746, PSoC62) are predicted from that submitter's L4R5 table and
 *   the ST-derived core factors ("cross-check", latency only — they published no energy).
 */
export type LayersByModel = Readonly<Record<MlperfModel, ReadonlyArray<{ op: string; macs: number }>>>;
type MacsByModel = Readonly<Record<MlperfModel, Readonly<Record<KernelKind, number>>>>;

export type ValidationRole = 'calibration' | 'validation' | 'cross-check';

export interface ValidationRow {
  readonly role: ValidationRole;
  readonly round: string;
  readonly submitter: string;
  readonly board: MlperfBoard;
  readonly stack: MlperfStack;
  readonly model: MlperfModel;
  readonly predictedLatencyMs: number;
  readonly measuredLatencyMs: number;
  readonly latencyErrorPct: number;
  readonly predictedEnergyUj: number | null;
  readonly measuredEnergyUj: number | null;
  readonly energyErrorPct: number | null;
  readonly source: string;
}

/** The goal set for the validation: ±20 % latency, ±25 % energy. */
export const VALIDATION_GOAL = { latencyPct: 20, energyPct: 25 } as const;

export interface ErrorStats {
  readonly latencyN: number;
  /** Rows within the goal (VALIDATION_GOAL). */
  readonly latencyWithinGoal: number;
  readonly energyWithinGoal: number;
  readonly latencyMaxAbsPct: number;
  readonly latencyMeanAbsPct: number;
  readonly energyN: number;
  readonly energyMaxAbsPct: number;
  readonly energyMeanAbsPct: number;
}

export interface MlperfCalibration {
  /** Cycles/MAC per kind, fitted per stack on its L4R5 rows (Bosch HALE: on its G0B1 rows, M0+). */
  readonly stackTables: Readonly<Partial<Record<MlperfStack, KernelCycles>>>;
  /** In-sample relative error of each stack fit, per model (KWS, VWW, IC, AD). */
  readonly stackResiduals: Readonly<Partial<Record<MlperfStack, readonly number[]>>>;
  /** Measured/predicted speed of a core class relative to the L4R5 (M4) tables (ST X-CUBE-AI rows). */
  readonly coreFactor: Readonly<Record<'cortex-m33' | 'cortex-m7', number>>;
  /** Mean energy/latency (mW) over ST energy runs, per board. */
  readonly nnPowerMw: Readonly<Record<'stm32l4r5' | 'stm32u575' | 'stm32h7a3', number>>;
}

export interface MlperfValidation {
  readonly rows: readonly ValidationRow[];
  /** Calibration on all rows (what the MCU profiles embed). */
  readonly calibration: MlperfCalibration;
  readonly summary: Readonly<Record<ValidationRole, ErrorStats>>;
}

const ST_ROUNDS = ['v0.7', 'v1.0', 'v1.1', 'v1.2'] as const;
type StBoard = 'stm32l4r5' | 'stm32u575' | 'stm32h7a3';

function elementwiseFor(stack: MlperfStack): number {
  return stack === 'tflm-reference' ? ELEMENTWISE_CYCLES.reference : ELEMENTWISE_CYCLES.optimized;
}

function isStRow(m: MlperfMeasurement): boolean {
  return m.submitter === 'ST' && m.stack.startsWith('x-cube-ai');
}

/** Fit everything the profiles need, optionally leaving one ST round out. */
export function calibrateFromMlperf(
  layersByModel: LayersByModel,
  options: { excludeStRound?: string; measurements?: readonly MlperfMeasurement[] } = {},
): MlperfCalibration {
  const all = options.measurements ?? MLPERF_MEASUREMENTS;
  const macs = toMacs(layersByModel);
  const stackTables: Partial<Record<MlperfStack, KernelCycles>> = {};
  const stackResiduals: Partial<Record<MlperfStack, readonly number[]>> = {};
  const stacks = [...new Set(all.map((m) => m.stack))];
  for (const stack of stacks) {
    const board: MlperfBoard = stack === 'bosch-hale' ? 'stm32g0b1' : 'stm32l4r5';
    const points = all.filter((m) => m.stack === stack && m.board === board && m.submitter !== 'Krai');
    if (points.length === 0) continue;
    const fit = fitKernelCycles(
      points.map((m) => ({ macs: macs[m.model], cycles: (m.latencyMs / 1000) * m.clockHz })),
      elementwiseFor(stack),
    );
    stackTables[stack] = fit.table;
    stackResiduals[stack] = fit.residuals;
  }
  const stRows = all.filter((m) => isStRow(m) && m.round !== options.excludeStRound);
  const factorFor = (board: MlperfBoard) =>
    fitScaleFactor(
      stRows
        .filter((m) => m.board === board)
        .map((m) => ({
          predicted: (predictCycles(macs[m.model], stackTables[m.stack]!) / m.clockHz) * 1000,
          measured: m.latencyMs,
        })),
    );
  const powerFor = (board: MlperfBoard) => {
    const withEnergy = stRows.filter((m) => m.board === board && m.energyUj !== null);
    return withEnergy.reduce((s, m) => s + m.energyUj! / m.latencyMs, 0) / withEnergy.length;
  };
  return {
    stackTables,
    stackResiduals,
    coreFactor: { 'cortex-m33': factorFor('stm32u575'), 'cortex-m7': factorFor('stm32h7a3') },
    nnPowerMw: { stm32l4r5: powerFor('stm32l4r5'), stm32u575: powerFor('stm32u575'), stm32h7a3: powerFor('stm32h7a3') },
  };
}

export function validateAgainstMlperf(
  layersByModel: LayersByModel,
  measurements: readonly MlperfMeasurement[] = MLPERF_MEASUREMENTS,
): MlperfValidation {
  const calibration = calibrateFromMlperf(layersByModel, { measurements });
  const rows: ValidationRow[] = [];
  const predict = (
    m: MlperfMeasurement,
    role: ValidationRole,
    table: KernelCycles,
    coreFactor: number,
    nnPowerMw: number | null,
  ) => {
    const cost = inferenceCost(
      {
        clockHz: m.clockHz,
        activePowerMw: nnPowerMw ?? 0,
        nnActivityFactor: 1,
        cyclesPerMac: { reference: table, optimized: table },
      },
      layersByModel[m.model],
      { kernels: scaleKernelCycles(table, coreFactor) },
    );
    const energy = nnPowerMw === null || m.energyUj === null ? null : cost.energyUj;
    rows.push({
      role,
      round: m.round,
      submitter: m.submitter,
      board: m.board,
      stack: m.stack,
      model: m.model,
      predictedLatencyMs: cost.latencyMs,
      measuredLatencyMs: m.latencyMs,
      latencyErrorPct: pct(cost.latencyMs, m.latencyMs),
      predictedEnergyUj: energy,
      measuredEnergyUj: m.energyUj,
      energyErrorPct: energy === null ? null : pct(energy, m.energyUj!),
      source: m.source,
    });
  };

  // ST rounds, leave-one-round-out.
  for (const round of ST_ROUNDS) {
    const held = calibrateFromMlperf(layersByModel, { excludeStRound: round, measurements });
    for (const m of measurements.filter((x) => isStRow(x) && x.round === round)) {
      const board = m.board as StBoard;
      const table = calibration.stackTables[m.stack]!; // fitted on this round's L4R5 rows only
      if (board === 'stm32l4r5') predict(m, 'calibration', table, 1, held.nnPowerMw.stm32l4r5);
      else
        predict(
          m,
          'validation',
          table,
          held.coreFactor[MLPERF_BOARD_CORE[board] as 'cortex-m33' | 'cortex-m7'],
          held.nnPowerMw[board],
        );
    }
  }
  // Other stacks: L4R5 (and G0B1) rows are the calibration; other boards are cross-checks.
  for (const m of measurements.filter((x) => !isStRow(x))) {
    const table = calibration.stackTables[m.stack];
    if (!table) continue;
    const core = MLPERF_BOARD_CORE[m.board];
    const fitBoard = m.stack === 'bosch-hale' ? 'stm32g0b1' : 'stm32l4r5';
    if (m.board === fitBoard && m.submitter !== 'Krai') {
      const power = m.board === 'stm32l4r5' && m.supplyV === 1.8 ? calibration.nnPowerMw.stm32l4r5 : null;
      predict(m, 'calibration', table, 1, power);
    } else {
      predict(m, 'cross-check', table, coreFactorOf(core, calibration), null);
    }
  }
  return { rows, calibration, summary: summarise(rows) };
}

function coreFactorOf(core: CoreClass, c: MlperfCalibration): number {
  if (core === 'cortex-m33' || core === 'cortex-m7') return c.coreFactor[core];
  return 1; // same core class as the board the table was fitted on
}

function toMacs(layersByModel: LayersByModel): MacsByModel {
  const out = {} as Record<MlperfModel, Record<KernelKind, number>>;
  for (const model of MLPERF_MODELS) {
    const layers = layersByModel[model];
    if (!layers || layers.length === 0) throw new RangeError(`no layers for MLPerf model ${model}`);
    out[model] = macsByKind(layers);
  }
  return out;
}

function pct(predicted: number, measured: number): number {
  return (predicted / measured - 1) * 100;
}

function summarise(rows: readonly ValidationRow[]): Record<ValidationRole, ErrorStats> {
  const stats = (role: ValidationRole): ErrorStats => {
    const r = rows.filter((x) => x.role === role);
    const lat = r.map((x) => Math.abs(x.latencyErrorPct));
    const en = r.filter((x) => x.energyErrorPct !== null).map((x) => Math.abs(x.energyErrorPct!));
    const max = (a: number[]) => (a.length ? Math.max(...a) : 0);
    const mean = (a: number[]) => (a.length ? a.reduce((s, v) => s + v, 0) / a.length : 0);
    return {
      latencyN: lat.length,
      latencyWithinGoal: lat.filter((v) => v <= VALIDATION_GOAL.latencyPct).length,
      energyWithinGoal: en.filter((v) => v <= VALIDATION_GOAL.energyPct).length,
      latencyMaxAbsPct: max(lat),
      latencyMeanAbsPct: mean(lat),
      energyN: en.length,
      energyMaxAbsPct: max(en),
      energyMeanAbsPct: mean(en),
    };
  };
  return { calibration: stats('calibration'), validation: stats('validation'), 'cross-check': stats('cross-check') };
}

/** Markdown table of predicted vs measured, for test output and the README. */
export function formatValidationTable(v: MlperfValidation): string {
  const f = (x: number | null, d = 1) => (x === null ? '–' : x.toFixed(d));
  const s = (x: number | null) => (x === null ? '–' : `${x >= 0 ? '+' : ''}${x.toFixed(1)} %`);
  const lines = [
    '| role | round | board | stack | model | latency pred / meas ms | err | energy pred / meas µJ | err |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of v.rows) {
    lines.push(
      `| ${r.role} | ${r.round} ${r.submitter} | ${r.board} | ${r.stack} | ${r.model.toUpperCase()} | ` +
        `${f(r.predictedLatencyMs, 2)} / ${f(r.measuredLatencyMs, 2)} | ${s(r.latencyErrorPct)} | ` +
        `${f(r.predictedEnergyUj)} / ${f(r.measuredEnergyUj)} | ${s(r.energyErrorPct)} |`,
    );
  }
  return lines.join('\n');
}
