import { KernelCycles, scaleKernelCycles } from './kernel-kinds';

/**
 * Cycles per MAC by kernel kind — the static constants the MCU profiles embed. They are the output of
 * `calibrateFromMlperf` (validation/validate-against-mlperf.ts) on the MLPerf Tiny rows of
 * energy-sources.md §5.1, with per-kind MAC totals of the four reference models; the MLPerf spec checks
 * that re-fitting from the real model files (via @tinyfleet/tinyml) reproduces them.
 *
 * Per-kind fit on Nucleo-L4R5ZI (Cortex-M4F, 120 MHz): conv is pinned by IC (pure conv), FC by AD
 * (pure FC), depthwise by the KWS/VWW remainder. In-sample errors: TFLM reference +7.6/−9.0/+0.1/0.0 %,
 * CMSIS-NN +3.6/−3.9/+0.1/0.0 % (KWS/VWW/IC/AD).
 */

/** Held, not fitted: element-wise work is < 1 % of every MLPerf model's cycles, so MLPerf cannot pin it. */
export const ELEMENTWISE_CYCLES = { reference: 20, optimized: 6 } as const;
export const ELEMENTWISE_SOURCE =
  '[ASSUME] tunable: 20 cycles/element with reference kernels (int8 requantise per element), 6 with optimised; not identifiable from MLPerf (<1 % of cycles)';

/** TFLM 2.3.1 reference kernels on Cortex-M4 [DER from S-MLP05 reference L4R5ZI, 120 MHz]. */
export const M4_REFERENCE_CYCLES: KernelCycles = {
  conv: 6.71,
  depthwise: 25.8,
  'fully-connected': 4.56,
  elementwise: ELEMENTWISE_CYCLES.reference,
};
export const M4_REFERENCE_SOURCE =
  'S-MLP05 [DER] per-kind least-squares fit to MLPerf v0.5 reference (TFLM 2.3.1) L4R5ZI latencies, energy-sources.md §2/§5.1';

/**
 * CMSIS-NN-class optimised kernels (what a TFLM-compatible interpreter links on Arm) on Cortex-M4
 * [DER from S-MLP10 OctoML microTVM + CMSIS-NN on L4R5ZI]. Cross-check: TFLM + CMSIS-NN person_detection
 * on F413ZH (M4, 100 MHz) measured ≈5.4 cycles/MAC whole-model [S-ONE-7598]; this table gives ≈4.9 (350 vs 386.6 ms, −9 %).
 */
export const M4_OPTIMIZED_CYCLES: KernelCycles = {
  conv: 3.73,
  depthwise: 12.3,
  'fully-connected': 3.91,
  elementwise: ELEMENTWISE_CYCLES.optimized,
};
export const M4_OPTIMIZED_SOURCE =
  'S-MLP10 [DER] per-kind least-squares fit to MLPerf v1.0 OctoML microTVM+CMSIS-NN L4R5ZI latencies, energy-sources.md §5.1';

/**
 * Core speed relative to the M4 tables, fitted on the ST X-CUBE-AI rounds v0.7–v1.2 (same stack on
 * L4R5/U575/H7A3, 48 measurements) [DER]. Independent cross-checks on other stacks: nRF5340 vs L4R5 with
 * microTVM+CMSIS-NN 0.82 (M33); F746 vs L4R5 with Plumerai 0.69 (M7).
 */
export const CORE_FACTOR = { 'cortex-m4': 1, 'cortex-m33': 0.84, 'cortex-m7': 0.58 } as const;
export const CORE_FACTOR_SOURCE =
  'S-MLP07/10/11/12 [DER] geometric-mean speed of U575 (M33) / H7A3 (M7) vs L4R5 (M4) over ST X-CUBE-AI 7.1–9.0 runs';

/** Cortex-M0+ optimised: Bosch HALE int8 on Nucleo-G0B1RE, 64 MHz [DER from S-MLP12]; doc §1 uses it as the RP2040 proxy. */
export const M0PLUS_OPTIMIZED_CYCLES: KernelCycles = {
  conv: 7.78,
  depthwise: 44.5,
  'fully-connected': 9.91,
  elementwise: ELEMENTWISE_CYCLES.optimized,
};
/** [ASSUME] M0+ reference kernels: the M0+ optimised table × the M4 reference/optimised ratio per kind. */
export const M0PLUS_REFERENCE_CYCLES: KernelCycles = {
  conv: round3((M0PLUS_OPTIMIZED_CYCLES.conv * M4_REFERENCE_CYCLES.conv) / M4_OPTIMIZED_CYCLES.conv),
  depthwise: round3(
    (M0PLUS_OPTIMIZED_CYCLES.depthwise * M4_REFERENCE_CYCLES.depthwise) / M4_OPTIMIZED_CYCLES.depthwise,
  ),
  'fully-connected': round3(
    (M0PLUS_OPTIMIZED_CYCLES['fully-connected'] * M4_REFERENCE_CYCLES['fully-connected']) /
      M4_OPTIMIZED_CYCLES['fully-connected'],
  ),
  elementwise: ELEMENTWISE_CYCLES.reference * 1.5,
};

/** ESP32-S3 (LX7 + 128-bit SIMD): no MLPerf entry. Doc §1 range "[ASSUME] 1–4"; we take 0.6 × the M4 CMSIS-NN table (conv ≈2.2). */
export const ESP32S3_OPTIMIZED_CYCLES: KernelCycles = scaleKernelCycles(M4_OPTIMIZED_CYCLES, 0.6);

/**
 * ATmega328P: "not published" (doc §1). [ASSUME] from the AVR instruction set: MUL 2 cycles, 32-bit
 * accumulate 4, two LD 2 each, loop/pointer ≈4 → ≈14–16 cycles per int8 MAC hand-optimised; C reference ≈2.5×.
 */
export const AVR_OPTIMIZED_CYCLES: KernelCycles = { conv: 16, depthwise: 20, 'fully-connected': 16, elementwise: 12 };
export const AVR_REFERENCE_CYCLES: KernelCycles = { conv: 40, depthwise: 50, 'fully-connected': 40, elementwise: 30 };

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
