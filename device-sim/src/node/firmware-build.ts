import type { McuId, McuProfile } from '@tinyfleet/energy';
import { encodeOpSetBytes, OP_SET_BUILDS } from '@tinyfleet/tinyml';

/**
 * The interpreter build each simulated part's firmware links (libs/tinyml OP_SET_BUILDS), as a firmware
 * engineer would choose it for that part's flash and the models it is meant for:
 * - ATmega328P (32 KB flash, 2 KB SRAM, 8-bit AVR): only the int8 kernels a small dense classifier needs.
 * - Cortex-M0+/M4/M33 parts (rp2040, nrf52840, nrf5340, stm32l4r5, stm32u575): every int8 network kernel
 *   (CMSIS-NN covers int8, so int8 is what such a build ships) and no float.
 * - stm32h7a3 (Cortex-M7, 2 MB flash) and esp32-s3 (8 MB flash): the full build, float included.
 */
export const MCU_FIRMWARE_BUILDS: Readonly<Record<McuId, string>> = {
  atmega328p: 'atmega328p-dense',
  rp2040: 'cortex-m-int8',
  nrf52840: 'cortex-m-int8',
  nrf5340: 'cortex-m-int8',
  stm32l4r5: 'cortex-m-int8',
  stm32u575: 'cortex-m-int8',
  stm32h7a3: 'full',
  'esp32-s3': 'full',
};

/** The build of a part; a profile outside the table (a user's own part) gets the full build. */
export function firmwareBuildFor(mcu: McuProfile): string {
  return (MCU_FIRMWARE_BUILDS as Record<string, string>)[mcu.id] ?? 'full';
}

/** The op-set bytes the node reports in up/capabilities. */
export function opSetBytesFor(mcu: McuProfile): Uint8Array {
  return encodeOpSetBytes(OP_SET_BUILDS[firmwareBuildFor(mcu)]);
}
