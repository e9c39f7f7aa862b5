import { MCU_PROFILES, RADIO_PROFILES } from '@tinyfleet/energy';
import { planFleet } from '../../../../device-sim/src';
import { boards } from './sim.command';

describe('tinyfleet sim run --mcu/--radio', () => {
  const known = { MCU_PROFILES, RADIO_PROFILES };
  const specs = planFleet('f', 4, 'gas-ethylene:50,soil:50');

  it('puts every node on the board given (one cohort per model and stream), and leaves the rest as planned', () => {
    const pinned = boards(specs, { mcu: 'stm32u575', radio: 'nrf9160-lte-m' }, known);
    expect(pinned.map((s) => [s.hardwareId, s.mcu, s.radio])).toEqual(
      specs.map((s) => [s.hardwareId, 'stm32u575', 'nrf9160-lte-m']),
    );
    expect(boards(specs, { mcu: 'rp2040' }, known).map((s) => s.radio)).toEqual(specs.map(() => undefined));
    expect(boards(specs, {}, known)).toEqual(specs);
  });

  it('refuses a profile it does not know, naming the ones it does', () => {
    expect(() => boards(specs, { mcu: 'z80' }, known)).toThrow(/^--mcu z80: not an MCU profile \(.*stm32u575/);
    expect(() => boards(specs, { radio: 'carrier-pigeon' }, known)).toThrow(
      /^--radio carrier-pigeon: not a radio profile \(.*nrf9160-lte-m/,
    );
  });
});
