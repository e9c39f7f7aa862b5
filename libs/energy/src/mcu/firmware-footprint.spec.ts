import { MCU_PROFILES } from './mcu-profiles';
import { modelBudget } from './firmware-footprint';

describe('modelBudget', () => {
  it('leaves an ATmega328P 20 KiB of flash and 1,280 B of RAM for a model', () => {
    expect(modelBudget(MCU_PROFILES.atmega328p)).toEqual({
      flashBytesForModel: 32 * 1024 - 12 * 1024,
      ramBytesForArena: 2048 - 768,
      firmwareFlashBytes: 12 * 1024,
      firmwareRamBytes: 768,
    });
  });

  it('counts the other A/B slot against flash, never below zero', () => {
    const nrf = MCU_PROFILES.nrf52840;
    expect(modelBudget(nrf, 300_568).flashBytesForModel).toBe(nrf.flashBytes - 128 * 1024 - 300_568);
    expect(modelBudget(MCU_PROFILES.atmega328p, 1_000_000).flashBytesForModel).toBe(0);
  });
});
