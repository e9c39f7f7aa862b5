import { NOT_IN_DOC, SourceMap } from '../source-map';
import { KernelCycles, scaleKernelCycles } from './kernel-kinds';
import {
  AVR_OPTIMIZED_CYCLES,
  AVR_REFERENCE_CYCLES,
  CORE_FACTOR,
  CORE_FACTOR_SOURCE,
  ELEMENTWISE_SOURCE,
  ESP32S3_OPTIMIZED_CYCLES,
  M0PLUS_OPTIMIZED_CYCLES,
  M0PLUS_REFERENCE_CYCLES,
  M4_OPTIMIZED_CYCLES,
  M4_OPTIMIZED_SOURCE,
  M4_REFERENCE_CYCLES,
  M4_REFERENCE_SOURCE,
} from './kernel-cycle-tables';

/** Core families the cycles/MAC tables distinguish. */
export type CoreClass = 'cortex-m0plus' | 'cortex-m4' | 'cortex-m33' | 'cortex-m7' | 'xtensa-lx7' | 'avr8';

export type McuId =
  'nrf52840' | 'nrf5340' | 'stm32l4r5' | 'stm32u575' | 'stm32h7a3' | 'esp32-s3' | 'rp2040' | 'atmega328p';

/**
 * A chip profile (not a board: hobby boards add mA of regulator/LED/USB current — energy-sources.md §1
 * "Key observations" — pass a board floor to the ledger instead).
 */
export interface McuProfile {
  readonly id: McuId;
  readonly label: string;
  readonly core: string;
  readonly coreClass: CoreClass;
  readonly clockHz: number;
  readonly flashBytes: number;
  readonly sramBytes: number;
  /** Supply the power figures refer to. */
  readonly supplyV: number;
  /** CPU running (datasheet run current × supplyV) unless the source says it is an NN-inference measurement. */
  readonly activePowerMw: number;
  /** NN inference draws more than a CoreMark-style run figure (doc §1: ≈2× on L4R5); energy = activePowerMw × this. */
  readonly nnActivityFactor: number;
  /** Deepest sleep that keeps an RTC running (chip only). */
  readonly sleepPowerUw: number;
  /** Energy and time to wake from that sleep to running code (boot, clocks, flash). */
  readonly wakeUj: number;
  readonly wakeMs: number;
  readonly cyclesPerMac: { readonly reference: KernelCycles; readonly optimized: KernelCycles };
  readonly sources: SourceMap<McuProfile>;
}

// L4R5: MLPerf ST runs at 1.8 V average 43.9 mW during inference vs 100 µA/MHz × 120 MHz × 1.8 V = 21.6 mW.
const NN_FACTOR_FROM_L4R5 = 2.03;
const NN_FACTOR_SOURCE =
  'S-MLP07/10/11/12 [DER] L4R5ZI: mean NN power 43.9 mW (ST X-CUBE-AI energy runs, 1.8 V) / 21.6 mW datasheet run power = 2.03 (doc §1 suggests 1.5–2.5)';
const M4_CYCLES_SOURCE = `reference: ${M4_REFERENCE_SOURCE}; optimized (CMSIS-NN class): ${M4_OPTIMIZED_SOURCE}; elementwise: ${ELEMENTWISE_SOURCE}`;
const MIB = 1024 * 1024;
const KIB = 1024;

const m4Tables = { reference: M4_REFERENCE_CYCLES, optimized: M4_OPTIMIZED_CYCLES };
const scaled = (f: number) => ({
  reference: scaleKernelCycles(M4_REFERENCE_CYCLES, f),
  optimized: scaleKernelCycles(M4_OPTIMIZED_CYCLES, f),
});

export const MCU_PROFILES: Readonly<Record<McuId, McuProfile>> = {
  nrf52840: {
    id: 'nrf52840',
    label: 'Nordic nRF52840 (Arduino Nano 33 BLE Sense)',
    core: 'Cortex-M4F',
    coreClass: 'cortex-m4',
    clockHz: 64e6,
    flashBytes: 1 * MIB,
    sramBytes: 256 * KIB,
    supplyV: 3.0,
    activePowerMw: 3.3 * 3.0,
    nnActivityFactor: NN_FACTOR_FROM_L4R5,
    sleepPowerUw: 1.5 * 3.0,
    wakeUj: 5,
    wakeMs: 0.5,
    cyclesPerMac: m4Tables,
    sources: {
      core: 'S-ZEPH-NRF [DS] Zephyr nrf52840dk board doc: Cortex-M4F',
      coreClass: 'S-ZEPH-NRF [DS]',
      clockHz: 'S-ZEPH-NRF [DS] 64 MHz',
      flashBytes: 'S-ZEPH-NRF [DS] 1 MB flash',
      sramBytes: 'S-ZEPH-NRF [DS] 256 KB RAM',
      supplyV: 'S-NRF-RADIO [DS] current tables given at 3 V, DC/DC',
      activePowerMw:
        'S-FS-NRF [2nd] ≈52 µA/MHz ≈3.3 mA @64 MHz CoreMark from flash, DC/DC, × 3.0 V (Nordic "CPU running" page not read — doc §9 gap)',
      nnActivityFactor: `${NN_FACTOR_SOURCE}; [ASSUME] transfers from L4R5 (same core class)`,
      sleepPowerUw:
        'S-EMBEDWISE [2nd] System ON, RAM retained, RTC ≈1.5 µA × 3.0 V; board-level can be ~260 µA [MEAS S-XIAO]',
      wakeUj: '[ASSUME] doc §8: wake 5 µJ per sample (doc §7: "nRF52 ≈ µJ")',
      wakeMs: '[ASSUME] 0.5 ms (HFXO start); timings not retrieved, doc §9',
      cyclesPerMac: `${M4_CYCLES_SOURCE}; [ASSUME] same M4 core factor 1.0 as L4R5 (doc §1: "use M4/M33 CMSIS-NN range 3–4")`,
    },
  },
  nrf5340: {
    id: 'nrf5340',
    label: 'Nordic nRF5340 application core (nRF5340-DK)',
    core: 'Cortex-M33',
    coreClass: 'cortex-m33',
    clockHz: 128e6,
    flashBytes: 1 * MIB,
    sramBytes: 512 * KIB,
    supplyV: 3.0,
    activePowerMw: (2.7 / 64) * 128 * 3.0,
    nnActivityFactor: NN_FACTOR_FROM_L4R5,
    sleepPowerUw: 1.5 * 3.0,
    wakeUj: 5,
    wakeMs: 0.5,
    cyclesPerMac: scaled(CORE_FACTOR['cortex-m33']),
    sources: {
      core: 'S-MLP10 [DS] systems json via doc §1: Cortex-M33 app core',
      coreClass: 'S-MLP10 [DS]',
      clockHz: 'S-MLP10 [DS] 128 MHz',
      flashBytes: 'S-MLP10 [DS] 1 MB',
      sramBytes: 'S-MLP10 [DS] 512 KB',
      supplyV: '[ASSUME] 3.0 V as nRF52840',
      activePowerMw:
        'S-NRF9160-CPU [DS] proxy: nRF9160 M33 2.7 mA @64 MHz from flash scaled to 128 MHz × 3.0 V (nRF5340 app-core figure not retrieved — doc gap)',
      nnActivityFactor: `${NN_FACTOR_SOURCE}; [ASSUME] transfers`,
      sleepPowerUw: `${NOT_IN_DOC} taken equal to nRF52840 System ON 1.5 µA × 3.0 V`,
      wakeUj: '[ASSUME] as nRF52840 (doc §8: 5 µJ)',
      wakeMs: '[ASSUME] 0.5 ms',
      cyclesPerMac: `${M4_CYCLES_SOURCE}; × M33 factor ${CORE_FACTOR['cortex-m33']} (${CORE_FACTOR_SOURCE})`,
    },
  },
  stm32l4r5: {
    id: 'stm32l4r5',
    label: 'ST STM32L4R5 (Nucleo-L4R5ZI, MLPerf reference board)',
    core: 'Cortex-M4F',
    coreClass: 'cortex-m4',
    clockHz: 120e6,
    flashBytes: 2 * MIB,
    sramBytes: 640 * KIB,
    supplyV: 1.8,
    activePowerMw: 0.1 * 120 * 1.8,
    nnActivityFactor: NN_FACTOR_FROM_L4R5,
    sleepPowerUw: 0.13 * 1.8,
    wakeUj: 0.1 * 120 * 1.8 * 1,
    wakeMs: 1,
    cyclesPerMac: m4Tables,
    sources: {
      core: 'S-ZEPH-L4R5 [DS] Cortex-M4F',
      coreClass: 'S-ZEPH-L4R5 [DS]',
      clockHz: 'S-ZEPH-L4R5 [DS] 120 MHz',
      flashBytes: 'S-ZEPH-L4R5 [DS] 2 MB; MLPerf systems json',
      sramBytes: 'S-ZEPH-L4R5 [DS] 640 KB; MLPerf systems json',
      supplyV: 'S-MLP05-HOOKUP [MEAS] MLPerf energy runs at 1.8 V',
      activePowerMw: 'S-ZEPH-L4R5 [DS] 100 µA/MHz × 120 MHz × 1.8 V = 21.6 mW',
      nnActivityFactor: NN_FACTOR_SOURCE,
      sleepPowerUw: 'S-ZEPH-L476 [DS] Standby 130 nA (doc §1 row "as above") × 1.8 V; Standby loses SRAM',
      wakeUj: `${NOT_IN_DOC} 1 ms reboot from Standby at run power (21.6 µJ)`,
      wakeMs: `${NOT_IN_DOC} 1 ms`,
      cyclesPerMac: M4_CYCLES_SOURCE,
    },
  },
  stm32u575: {
    id: 'stm32u575',
    label: 'ST STM32U575 (Nucleo-U575ZI-Q)',
    core: 'Cortex-M33',
    coreClass: 'cortex-m33',
    clockHz: 160e6,
    flashBytes: 2 * MIB,
    sramBytes: 768 * KIB,
    supplyV: 1.8,
    activePowerMw: 25.3,
    nnActivityFactor: 1,
    sleepPowerUw: 0.13 * 1.8,
    wakeUj: 25.3 * 1,
    wakeMs: 1,
    cyclesPerMac: scaled(CORE_FACTOR['cortex-m33']),
    sources: {
      core: 'S-MLP07 [DS] systems json via doc §1: Cortex-M33',
      coreClass: 'S-MLP07 [DS]',
      clockHz: 'S-MLP07 [DS] 160 MHz',
      flashBytes: 'S-MLP07 [DS] 2 MB',
      sramBytes: 'S-MLP07 [DS] 768 KB',
      supplyV: 'S-MLP07 [MEAS] 1.8 V SMPS',
      activePowerMw:
        'S-MLP07/10/11/12 [DER] mean energy/latency of ST energy runs = NN-inference power at 1.8 V SMPS (no datasheet run current in the doc — gap)',
      nnActivityFactor: '[DER] 1: activePowerMw is already a measured NN-inference power',
      sleepPowerUw: `${NOT_IN_DOC} doc §1 has "–"; taken equal to L4R5 Standby 130 nA × 1.8 V`,
      wakeUj: `${NOT_IN_DOC} 1 ms reboot from Standby at activePowerMw`,
      wakeMs: `${NOT_IN_DOC} 1 ms`,
      cyclesPerMac: `${M4_CYCLES_SOURCE}; × M33 factor ${CORE_FACTOR['cortex-m33']} (${CORE_FACTOR_SOURCE})`,
    },
  },
  stm32h7a3: {
    id: 'stm32h7a3',
    label: 'ST STM32H7A3 (Nucleo-H7A3ZI-Q)',
    core: 'Cortex-M7',
    coreClass: 'cortex-m7',
    clockHz: 280e6,
    flashBytes: 2 * MIB,
    sramBytes: Math.round(1.19 * MIB),
    supplyV: 3.0,
    activePowerMw: 140.1,
    nnActivityFactor: 1,
    sleepPowerUw: 3 * 3.0,
    wakeUj: 140.1 * 1,
    wakeMs: 1,
    cyclesPerMac: scaled(CORE_FACTOR['cortex-m7']),
    sources: {
      core: 'S-MLP07 [DS] systems json via doc §1: Cortex-M7',
      coreClass: 'S-MLP07 [DS]',
      clockHz: 'S-MLP07 [DS] 280 MHz',
      flashBytes: 'S-MLP07 [DS] 2 MB',
      sramBytes: 'S-MLP07 [DS] 1.19 MB',
      supplyV: 'S-MLP07/11/12 [MEAS] 3.0 V SMPS (v1.0 ran at 3.3 V)',
      activePowerMw:
        'S-MLP07/10/11/12 [DER] mean energy/latency of ST energy runs (122–167 mW across rounds) = NN-inference power (no datasheet figure in the doc — gap)',
      nnActivityFactor: '[DER] 1: activePowerMw is already a measured NN-inference power',
      sleepPowerUw: `${NOT_IN_DOC} doc §1 has "–"; 3 µA × 3.0 V, H7-class standby leakage, tunable`,
      wakeUj: `${NOT_IN_DOC} 1 ms reboot from Standby at activePowerMw`,
      wakeMs: `${NOT_IN_DOC} 1 ms`,
      cyclesPerMac: `${M4_CYCLES_SOURCE}; × M7 factor ${CORE_FACTOR['cortex-m7']} (${CORE_FACTOR_SOURCE})`,
    },
  },
  'esp32-s3': {
    id: 'esp32-s3',
    label: 'Espressif ESP32-S3',
    core: '2× Xtensa LX7 with vector extension',
    coreClass: 'xtensa-lx7',
    clockHz: 240e6,
    flashBytes: 4 * MIB,
    sramBytes: 512 * KIB,
    supplyV: 3.3,
    activePowerMw: 68 * 3.3,
    nnActivityFactor: 1,
    sleepPowerUw: 7 * 3.3,
    wakeUj: 11_000,
    wakeMs: 70,
    cyclesPerMac: { reference: M4_REFERENCE_CYCLES, optimized: ESP32S3_OPTIMIZED_CYCLES },
    sources: {
      core: 'S-ESPMATRIX [DS] 2× LX7, vector ext.',
      coreClass: 'S-ESPMATRIX [DS]',
      clockHz: 'S-ESPMATRIX [DS] 240 MHz',
      flashBytes: '[ASSUME] external QSPI flash, 4 MB typical module (doc §1 ESP32 row)',
      sramBytes: 'S-ESPMATRIX [DS] 512 KB SRAM',
      supplyV: '[ASSUME] 3.3 V (doc: 3.0–3.6 V)',
      activePowerMw:
        'S-ESP32-DS [DS] ESP32 proxy (S3 figure not retrieved): modem-sleep 240 MHz dual-core 30–68 mA, upper end × 3.3 V',
      nnActivityFactor: '[ASSUME] 1: the upper end of the modem-sleep range stands in for a busy NN core',
      sleepPowerUw: 'S-CSDN-ESP [2nd] deep-sleep ≈7 µA × 3.3 V',
      wakeUj:
        'S-GLENN20 [MEAS] ESP32 boot from deep sleep to _boot.py, 3.32 mC ≈ 11 mJ at 3.3 V (ESP32 as S3 proxy; a full firmware start-up can take ≈270 ms, S-VONEICKEN)',
      wakeMs: 'S-GLENN20 [MEAS] 70 ms (fast-boot build)',
      cyclesPerMac: `reference: ${M4_REFERENCE_SOURCE} [ASSUME] same as M4; optimized: [ASSUME] doc §1 "1–4 (SIMD)" → 0.6 × M4 CMSIS-NN table`,
    },
  },
  rp2040: {
    id: 'rp2040',
    label: 'Raspberry Pi RP2040 (Pico)',
    core: '2× Cortex-M0+',
    coreClass: 'cortex-m0plus',
    clockHz: 133e6,
    flashBytes: 2 * MIB,
    sramBytes: 264 * KIB,
    supplyV: 3.3,
    activePowerMw: 9.4 * 3.3,
    nnActivityFactor: 1.5,
    sleepPowerUw: 180 * 3.3,
    wakeUj: 9.4 * 3.3 * 1,
    wakeMs: 1,
    cyclesPerMac: { reference: M0PLUS_REFERENCE_CYCLES, optimized: M0PLUS_OPTIMIZED_CYCLES },
    sources: {
      core: 'S-RP2040 [DS] 2× Cortex-M0+',
      coreClass: 'S-RP2040 [DS]',
      clockHz: 'S-RP2040 [DS] 133 MHz',
      flashBytes: 'S-RP2040 [DS] external QSPI, 2 MB on Pico',
      sramBytes: 'S-RP2040 [DS] 264 KB',
      supplyV: '[DER] 3.3 V into the on-chip linear regulator (DVDD 1.1 V): battery current = DVDD current',
      activePowerMw: 'S-RP2040 [DS] Table 637 BOOTSEL-active DVDD 9.4 mA typ, × 3.3 V input (linear regulator)',
      nnActivityFactor: '[ASSUME] 1.5 (doc §1 range 1.5–2.5, low end: M0+ has no DSP/SIMD datapath to light up)',
      sleepPowerUw:
        'S-RP2040 [DS] DORMANT 0.18 mA DVDD typ × 3.3 V (Pico board lightsleep 0.9–1.5 mA [MEAS S-MPY-RP2])',
      wakeUj: `${NOT_IN_DOC} 1 ms XOSC restart from DORMANT at run power`,
      wakeMs: `${NOT_IN_DOC} 1 ms`,
      cyclesPerMac: `optimized: S-MLP12 [DER] per-kind fit to Bosch HALE int8 on Nucleo-G0B1RE (M0+, 64 MHz), doc §1 M0+ proxy 7.8–12.1; reference: [ASSUME] × M4 reference/optimised ratio per kind`,
    },
  },
  atmega328p: {
    id: 'atmega328p',
    label: 'Microchip ATmega328P (Arduino Uno)',
    core: '8-bit AVR',
    coreClass: 'avr8',
    clockHz: 16e6,
    flashBytes: 32 * KIB,
    sramBytes: 2 * KIB,
    supplyV: 5.0,
    activePowerMw: 10 * 5.0,
    nnActivityFactor: 1,
    sleepPowerUw: 0.1 * 5.0,
    wakeUj: 10 * 5.0 * 1,
    wakeMs: 1,
    cyclesPerMac: { reference: AVR_REFERENCE_CYCLES, optimized: AVR_OPTIMIZED_CYCLES },
    sources: {
      core: 'S-M328 [DS] 8-bit AVR',
      coreClass: 'S-M328 [DS]',
      clockHz: 'S-M328 [DS] 16 MHz on Uno (20 MHz max @4.5–5.5 V)',
      flashBytes: 'S-M328 [DS] 32 KB',
      sramBytes: 'S-M328 [DS] 2 KB (rules out all four MLPerf models)',
      supplyV: 'S-M328 [DS] Uno runs at 5 V',
      activePowerMw:
        'S-ARDFORUM [2nd] <10 mA @16 MHz, 5 V (datasheet fig. 34-2, quoted), upper bound; Uno board idle 46.5 mA [MEAS S-GADGET]',
      nnActivityFactor: '[ASSUME] 1: activePowerMw is already the upper bound',
      sleepPowerUw:
        'S-M328 [DS] power-down 0.1 µA (quoted at 1.8 V) × 5 V [ASSUME voltage-independent]; Uno board asleep 34.4 mA [MEAS S-GADGET]',
      wakeUj: `${NOT_IN_DOC} 16K-cycle oscillator start-up ≈1 ms at 16 MHz, at run power`,
      wakeMs: `${NOT_IN_DOC} 1 ms`,
      cyclesPerMac:
        '[ASSUME] not published (doc §1): AVR MUL 2 + 32-bit add 4 + 2×LD 2 + loop ≈4 → 16 optimised, 40 C reference',
    },
  },
};

export function mcuProfile(id: McuId): McuProfile {
  const p = MCU_PROFILES[id];
  if (!p) throw new RangeError(`unknown MCU profile ${id}`);
  return p;
}

/** NN-inference power (mW) = activePowerMw × nnActivityFactor. */
export function nnPowerMw(mcu: Pick<McuProfile, 'activePowerMw' | 'nnActivityFactor'>): number {
  return mcu.activePowerMw * mcu.nnActivityFactor;
}
