import { BatteryProfile, usableEnergyJ } from './battery-profiles';

export interface BatteryLife {
  /** Projected days until the usable energy is spent (capped at shelf life). */
  readonly days: number;
  readonly years: number;
  readonly limitedBy: 'energy' | 'shelf-life';
  /** Average self-discharge expressed as a power, µW. */
  readonly selfDischargeUw: number;
  /** Peak current above the cell's pulse limit: the node browns out (e.g. Wi-Fi on a CR2032). */
  readonly pulseLimitExceeded: boolean;
  /** Average current above the cell's continuous rating. */
  readonly continuousLimitExceeded: boolean;
  /** Days if the load could be met; `days` is still reported when a limit is exceeded, but is not achievable. */
  readonly feasible: boolean;
}

const SECONDS_PER_DAY = 86_400;
const DAYS_PER_YEAR = 365.25;

/**
 * lifetime = usable energy / (average load + self-discharge), capped at shelf life
 * (energy-sources.md §7). Self-discharge is a constant fraction of the usable energy per year. Check
 * against doc §8: nRF52840 + BLE raw streaming at 0.540 J/day on a CR2032 (1944 J, 1 %/yr) →
 * 1944 / (0.540 + 0.0532) = 3277 d ≈ 9.0 y.
 */
export function batteryLifeDays(battery: BatteryProfile, averagePowerUw: number, peakCurrentMa?: number): BatteryLife {
  if (!(averagePowerUw >= 0)) throw new RangeError('averagePowerUw must be ≥ 0');
  const energyJ = usableEnergyJ(battery);
  const selfDischargeUw = ((energyJ * battery.selfDischargePerYear) / (DAYS_PER_YEAR * SECONDS_PER_DAY)) * 1e6;
  const drainJPerDay = ((averagePowerUw + selfDischargeUw) / 1e6) * SECONDS_PER_DAY;
  const energyDays = drainJPerDay > 0 ? energyJ / drainJPerDay : Number.POSITIVE_INFINITY;
  const shelfDays = battery.shelfLifeYears * DAYS_PER_YEAR;
  const days = Math.min(energyDays, shelfDays);
  const averageCurrentMa = averagePowerUw / 1000 / battery.nominalV;
  const pulseLimitExceeded = peakCurrentMa !== undefined && peakCurrentMa > battery.pulseLimitMa;
  const continuousLimitExceeded = averageCurrentMa > battery.continuousLimitMa;
  return {
    days,
    years: days / DAYS_PER_YEAR,
    limitedBy: energyDays <= shelfDays ? 'energy' : 'shelf-life',
    selfDischargeUw,
    pulseLimitExceeded,
    continuousLimitExceeded,
    feasible: !pulseLimitExceeded && !continuousLimitExceeded,
  };
}
