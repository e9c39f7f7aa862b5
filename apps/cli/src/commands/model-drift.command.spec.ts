import { cohortQuery } from './model-drift.command';

describe('tinyfleet model drift --cohort', () => {
  it('turns model@version and stream=…,mcu=… into the API filters', () => {
    expect(cohortQuery('gas-ethylene@1.0.0', 'stream=gas-ethylene,mcu=nrf52840').toString()).toBe(
      'model=gas-ethylene&version=1.0.0&stream=gas-ethylene&mcu=nrf52840',
    );
    expect(cohortQuery(undefined, undefined).toString()).toBe('');
  });

  it('refuses a filter it does not know, naming the ones it does', () => {
    expect(() => cohortQuery('m', 'battery=cr2032')).toThrow(/--cohort takes stream=…, mcu=…, radio=…, version=…/);
    expect(() => cohortQuery('m', 'stream')).toThrow(/"stream"/);
  });
});
