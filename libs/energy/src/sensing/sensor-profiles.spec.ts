import { SENSOR_PROFILES, SensorStreamId } from './sensor-profiles';

describe('sensor streams', () => {
  it('soil, gas, doorbell exist with sourced figures; the MOX heater is the big one', () => {
    const ids: SensorStreamId[] = ['soil', 'gas', 'doorbell'];
    for (const id of ids) {
      const s = SENSOR_PROFILES[id];
      expect(s.energyPerSampleUj).toBeGreaterThan(0);
      for (const source of Object.values(s.sources)) expect(source.length).toBeGreaterThan(3);
    }
    expect(SENSOR_PROFILES.gas.energyPerSampleUj).toBeGreaterThan(SENSOR_PROFILES.doorbell.energyPerSampleUj);
    expect(SENSOR_PROFILES.doorbell.energyPerSampleUj).toBeGreaterThan(SENSOR_PROFILES.soil.energyPerSampleUj);
    expect(SENSOR_PROFILES.doorbell.rawSampleBytes).toBe(9216);
  });
});
