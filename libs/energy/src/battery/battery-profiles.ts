import { SourceMap } from '../source-map';

export type BatteryId = 'cr2032' | 'aa-alkaline-2s' | 'li-socl2-aa';

export interface BatteryProfile {
  readonly id: BatteryId;
  readonly label: string;
  readonly nominalV: number;
  readonly capacityMah: number;
  /** Fraction of nominal energy deliverable at the load's cutoff, pulse loads and temperature. */
  readonly usableFraction: number;
  /** Highest short pulse the cell supports without collapsing (feasibility check for radios). */
  readonly pulseLimitMa: number;
  /** Highest continuous drain. */
  readonly continuousLimitMa: number;
  /** Fraction of the usable energy lost per year on the shelf. */
  readonly selfDischargePerYear: number;
  /** Lifetimes are capped here (shelf life / chemistry ageing). */
  readonly shelfLifeYears: number;
  readonly sources: SourceMap<BatteryProfile>;
}

export const BATTERY_PROFILES: Readonly<Record<BatteryId, BatteryProfile>> = {
  cr2032: {
    id: 'cr2032',
    label: 'CR2032 Li-MnO2 coin cell',
    nominalV: 3.0,
    capacityMah: 225,
    usableFraction: 0.8,
    pulseLimitMa: 15,
    continuousLimitMa: 3,
    selfDischargePerYear: 0.01,
    shelfLifeYears: 10,
    sources: {
      nominalV: 'S-WIKI-CR2032 [DS] 3.0 V nominal, cutoff 2.0 V (doc §4)',
      capacityMah: 'S-WIKI-CR2032/S-ENCYC [DS] 225 mAh typical (Energizer 235 mAh to 2.0 V on 15 kΩ)',
      usableFraction: '[ASSUME] doc §8: 80 % derating (doc §4 suggests 70–85 % for pulse loads, cold, cutoff)',
      pulseLimitMa:
        'S-COOK [2nd] max pulse 15 mA (Energizer allows 2-s pulses of 6.8 mA); internal resistance 10–40 Ω [S-SV-CR]',
      continuousLimitMa: 'S-COOK [2nd] max continuous 3 mA (standard drain 0.19–0.2 mA)',
      selfDischargePerYear: '[ASSUME] doc §4: ≈1 %/yr (shelf life 5–10 y, S-ZHS)',
      shelfLifeYears: 'S-ZHS [2nd] shelf life 5–10 y → 10 y cap (doc §8)',
    },
  },
  'aa-alkaline-2s': {
    id: 'aa-alkaline-2s',
    label: '2 × AA alkaline in series',
    nominalV: 3.0,
    capacityMah: 2300,
    usableFraction: 0.7,
    pulseLimitMa: 1000,
    continuousLimitMa: 500,
    selfDischargePerYear: 0.03,
    shelfLifeYears: 10,
    sources: {
      nominalV: 'S-RIGHTBATT [DS] 2 × 1.5 V (1.5–1.6 V OCV per cell)',
      capacityMah:
        'S-RIGHTBATT [DS] Duracell Procell ≈2.3 Ah per cell at 250 mA (2.9 Ah @50 mA, 2.0 Ah @500 mA); doc §8 uses 2.3 Ah',
      usableFraction: '[ASSUME] doc §8: 70 % (ESP32 brown-out ≈2.3 V leaves charge in the cells)',
      pulseLimitMa: 'S-RIGHTBATT/S-E91 [DS] ">1 A short term" (doc §4)',
      continuousLimitMa: 'S-RIGHTBATT [DS] 500 mA duty-cycle test point',
      selfDischargePerYear: '[ASSUME] doc §4/§8: "a few %/yr" → 3 %/yr',
      shelfLifeYears: '[ASSUME] doc §8: lifetimes capped at 10 years (alkaline shelf life binds first)',
    },
  },
  'li-socl2-aa': {
    id: 'li-socl2-aa',
    label: 'Li-SOCl2 bobbin AA (Saft LS14500 class)',
    nominalV: 3.6,
    capacityMah: 2600,
    usableFraction: 0.85,
    pulseLimitMa: 100,
    continuousLimitMa: 50,
    selfDischargePerYear: 0.01,
    shelfLifeYears: 20,
    sources: {
      nominalV: 'S-SAFT-LS26500 [DS] 3.6 V',
      capacityMah: 'S-LS14500-USE [2nd] LS14500 3.6 V 2600 mAh',
      usableFraction: '[ASSUME] 85 %, top of the doc §4 70–85 % derating range (flat discharge curve)',
      pulseLimitMa:
        '[ASSUME] gap in the doc ("max current not retrieved; pulses need a buffer capacitor"): 100 mA tunable',
      continuousLimitMa: '[ASSUME] gap in the doc: 50 mA tunable (low-rate bobbin cell)',
      selfDischargePerYear: 'S-SAFT-LS26500 [DS] "<1 % after 1 year at +20 °C" → 1 %/yr',
      shelfLifeYears: '[ASSUME] 20 y cap (bobbin Li-SOCl2 shelf life; not in the doc)',
    },
  },
};

export function batteryProfile(id: BatteryId): BatteryProfile {
  const p = BATTERY_PROFILES[id];
  if (!p) throw new RangeError(`unknown battery profile ${id}`);
  return p;
}

/** Usable energy in J: capacity × nominal V × usable fraction (CR2032: 225 mAh × 3 V × 0.8 = 1944 J). */
export function usableEnergyJ(b: Pick<BatteryProfile, 'capacityMah' | 'nominalV' | 'usableFraction'>): number {
  return (b.capacityMah / 1000) * 3600 * b.nominalV * b.usableFraction;
}
