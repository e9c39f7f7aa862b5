import { KernelCycles, KernelKind, kernelKindOf } from './kernel-kinds';
import type { McuProfile } from './mcu-profiles';

export type KernelLibrary = 'reference' | 'optimized';

/** The parts of an MCU profile the compute model needs (validation passes board descriptors too). */
export type InferenceMcu = Pick<McuProfile, 'clockHz' | 'activePowerMw' | 'nnActivityFactor' | 'cyclesPerMac'>;

export interface InferenceCost {
  readonly latencyMs: number;
  readonly energyUj: number;
  readonly cycles: number;
  readonly cyclesByKind: Readonly<Record<KernelKind, number>>;
}

/**
 * Whole-inference compute cost: cycles = Σ macs × cycles/MAC(kind); latency = cycles / f;
 * energy = latency × P_nn with P_nn = activePowerMw × nnActivityFactor (energy-sources.md §7).
 * The cycles/MAC figures are whole-inference figures calibrated on MLPerf Tiny (§2), so they already
 * include memory traffic, requantisation and framework overhead — no separate per-op term is added.
 * Units: ms × mW = µJ.
 */
export function inferenceCost(
  mcu: InferenceMcu,
  layers: ReadonlyArray<{ op: string; macs: number }>,
  options: { kernels: KernelLibrary | KernelCycles },
): InferenceCost {
  const table = typeof options.kernels === 'string' ? mcu.cyclesPerMac[options.kernels] : options.kernels;
  const cyclesByKind: Record<KernelKind, number> = { conv: 0, depthwise: 0, 'fully-connected': 0, elementwise: 0 };
  for (const layer of layers) {
    if (!(layer.macs >= 0)) throw new RangeError(`layer ${layer.op}: macs must be a non-negative number`);
    const kind = kernelKindOf(layer.op);
    cyclesByKind[kind] += layer.macs * table[kind];
  }
  const cycles =
    cyclesByKind.conv + cyclesByKind.depthwise + cyclesByKind['fully-connected'] + cyclesByKind.elementwise;
  const latencyMs = (cycles / mcu.clockHz) * 1000;
  const energyUj = latencyMs * mcu.activePowerMw * mcu.nnActivityFactor;
  return { latencyMs, energyUj, cycles, cyclesByKind };
}
