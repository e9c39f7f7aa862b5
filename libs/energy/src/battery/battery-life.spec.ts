import { batteryLifeDays } from './battery-life';
import { BATTERY_PROFILES, usableEnergyJ } from './battery-profiles';

const perDayToUw = (jPerDay: number) => (jPerDay / 86_400) * 1e6;

describe('battery life', () => {
  it('usable energy: CR2032 225 mAh × 3 V × 80 % = 1944 J; 2×AA 2.3 Ah × 3 V × 70 % = 17388 J (doc §8)', () => {
    expect(usableEnergyJ(BATTERY_PROFILES.cr2032)).toBeCloseTo(1944, 6);
    expect(usableEnergyJ(BATTERY_PROFILES['aa-alkaline-2s'])).toBeCloseTo(17_388, 6);
  });

  it('reproduces doc §8: nRF52840 + BLE raw streaming 0.540 J/day on a CR2032 ≈ 9.0 years', () => {
    // self-discharge 1 %/yr of 1944 J = 0.0532 J/day → 1944 / 0.5932 = 3277 d
    const life = batteryLifeDays(BATTERY_PROFILES.cr2032, perDayToUw(0.54), 6.4);
    expect(life.days).toBeCloseTo(1944 / (0.54 + (1944 * 0.01) / 365.25), 6);
    expect(life.years).toBeCloseTo(8.97, 2);
    expect(life.feasible).toBe(true);
    expect(life.limitedBy).toBe('energy');
  });

  it('reproduces doc §8: ESP32 Wi-Fi raw, 54.2 J/day on 2×AA ≈ 313 days', () => {
    const life = batteryLifeDays(BATTERY_PROFILES['aa-alkaline-2s'], perDayToUw(54.2), 368);
    expect(life.days).toBeCloseTo(17_388 / (54.2 + (17_388 * 0.03) / 365.25), 6); // 312.6 d
    expect(Math.round(life.days)).toBe(313);
    expect(life.pulseLimitExceeded).toBe(false);
  });

  it('flags Wi-Fi (368 mA peaks) on a CR2032 (15 mA pulse limit) as infeasible', () => {
    const life = batteryLifeDays(BATTERY_PROFILES.cr2032, perDayToUw(5.25), 368);
    expect(life.pulseLimitExceeded).toBe(true);
    expect(life.feasible).toBe(false);
  });

  it('flags an average draw above the continuous rating (1 mW from a CR2032 is 0.33 mA: fine; 12 mW is 4 mA: not)', () => {
    expect(batteryLifeDays(BATTERY_PROFILES.cr2032, 1000).continuousLimitExceeded).toBe(false);
    expect(batteryLifeDays(BATTERY_PROFILES.cr2032, 12_000).continuousLimitExceeded).toBe(true);
    // doc §6 claim 2: 1 mW lasts ≈ 28 days on 2.4 kJ; with our 1944 J usable: 1944 / 86.4 J/day ≈ 22.5 d
    expect(batteryLifeDays(BATTERY_PROFILES.cr2032, 1000).days).toBeCloseTo(1944 / (86.4 + 0.0532), 1);
  });

  it('caps at shelf life when the load is tiny', () => {
    const life = batteryLifeDays(BATTERY_PROFILES['li-socl2-aa'], 0);
    expect(life.limitedBy).toBe('shelf-life');
    expect(life.years).toBeCloseTo(20, 9);
  });
});
