import { BatteryId, McuId, RadioId } from '@tinyfleet/energy';

/** The hardware a simulated node claims to be. */
export interface NodeHardware {
  hardwareId: string;
  mcu: McuId;
  radio: RadioId;
  battery: BatteryId;
}

/**
 * Plausible builds per stream, cycled through by index so a fleet has several parts per stream
 * (and one deliberately hopeless ATmega328P build, whose 2 KB RAM refuses the model).
 */
export const STREAM_BUILDS: Readonly<Record<string, ReadonlyArray<Omit<NodeHardware, 'hardwareId'>>>> = {
  soil: [
    { mcu: 'nrf52840', radio: 'nrf52840-ble-1m', battery: 'cr2032' },
    { mcu: 'stm32l4r5', radio: 'lorawan-sf7', battery: 'li-socl2-aa' },
    { mcu: 'esp32-s3', radio: 'esp32-wifi', battery: 'aa-alkaline-2s' },
    { mcu: 'nrf5340', radio: 'nrf52840-802154', battery: 'aa-alkaline-2s' },
    { mcu: 'atmega328p', radio: 'lorawan-sf7', battery: 'aa-alkaline-2s' },
  ],
  'gas-fruit': [
    { mcu: 'stm32u575', radio: 'nrf52840-802154', battery: 'aa-alkaline-2s' },
    { mcu: 'esp32-s3', radio: 'esp32-wifi', battery: 'aa-alkaline-2s' },
    { mcu: 'rp2040', radio: 'nrf52840-ble-1m', battery: 'aa-alkaline-2s' },
  ],
  'gas-ethylene': [
    { mcu: 'stm32l4r5', radio: 'nrf9160-lte-m', battery: 'li-socl2-aa' },
    { mcu: 'nrf52840', radio: 'nrf52840-ble-1m', battery: 'aa-alkaline-2s' },
  ],
  doorbell: [
    { mcu: 'esp32-s3', radio: 'esp32-wifi', battery: 'aa-alkaline-2s' },
    { mcu: 'stm32h7a3', radio: 'esp32-wifi', battery: 'li-socl2-aa' },
    { mcu: 'nrf5340', radio: 'nrf52840-ble-1m', battery: 'aa-alkaline-2s' },
    { mcu: 'atmega328p', radio: 'nrf52840-ble-1m', battery: 'aa-alkaline-2s' },
  ],
  // The user's own recording: the board the walk-through targets, unless `sim run --mcu/--radio` says otherwise.
  user: [{ mcu: 'nrf52840', radio: 'nrf52840-ble-1m', battery: 'aa-alkaline-2s' }],
};

export function buildFor(stream: string, index: number): Omit<NodeHardware, 'hardwareId'> {
  const builds = STREAM_BUILDS[stream];
  if (!builds) throw new Error(`no hardware builds for stream ${stream}`);
  return builds[index % builds.length];
}
