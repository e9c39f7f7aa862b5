import type { CoreClass, McuProfile } from './mcu-profiles';

/**
 * What the firmware itself occupies before any model: code (RTOS, network stack, MQTT client, the
 * interpreter) in flash, and stacks, heap and network buffers in RAM. [ASSUME] figures for a small
 * TFLM + MQTT firmware; an AVR firmware is a bare-metal loop with a tiny interpreter. Tunable.
 */
export const FIRMWARE_FOOTPRINT: Readonly<Record<CoreClass, { flashBytes: number; ramBytes: number }>> = {
  'cortex-m0plus': { flashBytes: 96 * 1024, ramBytes: 24 * 1024 },
  'cortex-m4': { flashBytes: 128 * 1024, ramBytes: 32 * 1024 },
  'cortex-m33': { flashBytes: 128 * 1024, ramBytes: 32 * 1024 },
  'cortex-m7': { flashBytes: 128 * 1024, ramBytes: 32 * 1024 },
  // ESP-IDF with Wi-Fi is large.
  'xtensa-lx7': { flashBytes: 768 * 1024, ramBytes: 96 * 1024 },
  avr8: { flashBytes: 12 * 1024, ramBytes: 768 },
};

export interface ModelBudget {
  /** Flash left for the new model when the other A/B slot holds `otherSlotBytes`. */
  flashBytesForModel: number;
  /** RAM left for the tensor arena. */
  ramBytesForArena: number;
  firmwareFlashBytes: number;
  firmwareRamBytes: number;
}

/**
 * The room a part has for a model in one slot of an A/B pair: the old model stays in the other slot
 * until the new one is confirmed, so both must fit next to the firmware.
 */
export function modelBudget(mcu: McuProfile, otherSlotBytes = 0): ModelBudget {
  const fw = FIRMWARE_FOOTPRINT[mcu.coreClass];
  return {
    flashBytesForModel: Math.max(0, mcu.flashBytes - fw.flashBytes - otherSlotBytes),
    ramBytesForArena: Math.max(0, mcu.sramBytes - fw.ramBytes),
    firmwareFlashBytes: fw.flashBytes,
    firmwareRamBytes: fw.ramBytes,
  };
}
