import { NOT_IN_DOC, SourceMap } from '../source-map';

export type SensorStreamId = 'soil' | 'gas' | 'doorbell';

/**
 * Energy to take one sample of a sensor stream (sensor power-up, settle/heat, conversion), excluding
 * MCU sleep. `rawSampleBytes` is what the counterfactual raw-streaming node would send per sample.
 */
export interface SensorProfile {
  readonly id: SensorStreamId;
  readonly label: string;
  readonly energyPerSampleUj: number;
  /** Time the node is awake for the sample (not charged as sleep). */
  readonly sampleDurationMs: number;
  readonly rawSampleBytes: number;
  readonly sources: SourceMap<SensorProfile>;
}

export const SENSOR_PROFILES: Readonly<Record<SensorStreamId, SensorProfile>> = {
  soil: {
    id: 'soil',
    label: 'capacitive soil-moisture probe + MCU ADC',
    energyPerSampleUj: 50,
    sampleDurationMs: 10,
    rawSampleBytes: 10,
    sources: {
      energyPerSampleUj: '[ASSUME] doc §8: sensor read + ADC E_sense = 50 µJ per sample (tunable)',
      sampleDurationMs: `${NOT_IN_DOC} 10 ms probe power-up and settle`,
      rawSampleBytes: '[ASSUME] doc §8: raw mode sends ≈10 B per sample',
    },
  },
  gas: {
    id: 'gas',
    label: 'MOX gas sensor, pulsed heater',
    energyPerSampleUj: 40_000,
    sampleDurationMs: 1_000,
    rawSampleBytes: 8,
    sources: {
      energyPerSampleUj: `${NOT_IN_DOC} heater ≈40 mW for a 1 s heat-and-read pulse = 40 mJ (pulsed-heater MOX parts draw tens of mW); the dominant sensing cost — tunable`,
      sampleDurationMs: `${NOT_IN_DOC} 1 s heater pulse`,
      rawSampleBytes: `${NOT_IN_DOC} resistance + temperature/humidity compensation ≈8 B`,
    },
  },
  doorbell: {
    id: 'doorbell',
    label: 'OV7675-class camera, one 96×96 greyscale frame',
    energyPerSampleUj: 7_000,
    sampleDurationMs: 100,
    rawSampleBytes: 96 * 96,
    sources: {
      energyPerSampleUj: `${NOT_IN_DOC} ≈70 mW camera active × 100 ms (power-up, exposure settle, one frame at 30 fps, downscale) = 7 mJ — tunable`,
      sampleDurationMs: `${NOT_IN_DOC} 100 ms capture window`,
      rawSampleBytes: '[DER] 96 × 96 × 1 B greyscale = 9216 B (doc §6 uses the same frame for BLE streaming)',
    },
  },
};

export function sensorProfile(id: SensorStreamId): SensorProfile {
  const p = SENSOR_PROFILES[id];
  if (!p) throw new RangeError(`unknown sensor stream ${id}`);
  return p;
}
