import { BATTERY_PROFILES, MCU_PROFILES, messageCost, RADIO_PROFILES } from '@tinyfleet/energy';
import { deviceEnergy, groupFigures } from './energy-aggregate';
import { Counters, DeviceTotals, zeroCounters } from './energy-counters';
import {
  dutyCycleCheck,
  invertPayloadBytes,
  messageCostFragmented,
  reCostOnMcu,
  reCostOnRadio,
  WhatIfDevice,
} from './energy-what-if';

const DAY = 86_400_000;
const TOPIC = 'tinyfleet/v1/d/dev-whatif-01/up/event'.length;
const ble = RADIO_PROFILES['nrf52840-ble-1m'];
const device = (c: Partial<Counters>): WhatIfDevice => ({
  totals: {
    deviceId: 'dev-whatif-01',
    counters: { ...zeroCounters(), ...c },
    observedMs: DAY,
    intervals: 96,
    boots: 1,
    firstMs: 0,
    lastMs: DAY,
  } as DeviceTotals,
  profiles: {
    mcu: MCU_PROFILES.nrf52840,
    radio: ble,
    sensor: null,
    battery: BATTERY_PROFILES['aa-alkaline-2s'],
    batterySource: 'default',
  },
  events: { events: 10, energyUjSum: 10 * 300 },
});

describe('what-if re-costing', () => {
  // A doorbell-like node: 1440 frames of 512 B a day it could stream; it sent 10 events + 96 snapshots.
  const raw = messageCost(ble, { payloadBytes: 512, direction: 'up', qos: 1, topicBytes: TOPIC });
  const w = device({
    computeUj: 1440 * 5 + 1440 * 300,
    sleepUj: 388_800,
    messagesUp: 106,
    events: 10,
    inferences: 1440,
    samples: 1440,
    rawMessagesUp: 1440,
    rawBytesUp: 1440 * raw.breakdown.bytesUp,
    rawRadioUj: 1440 * raw.energyUj,
  });

  it('recovers the raw payload from the source radio byte model', () => {
    expect(invertPayloadBytes(ble, raw.breakdown.bytesUp, TOPIC)).toBe(512);
  });

  it('on its own radio, the raw-streaming radio energy equals the ledger', () => {
    const same = reCostOnRadio(w, ble, TOPIC)!;
    expect(same.energy.raw.radioUj - same.energy.edge.radioUj).toBeCloseTo(
      1440 * raw.energyUj -
        10 * messageCost(ble, { payloadBytes: 29, direction: 'up', qos: 1, topicBytes: TOPIC }).energyUj,
      0,
    );
  });

  it('fragments LoRa payloads above the PHY limit and catches the EU868 duty-cycle violation of raw streaming', () => {
    const frag = messageCostFragmented(RADIO_PROFILES['lorawan-sf12'], 512, TOPIC);
    expect(frag.frames).toBeGreaterThan(2);
    const sf12 = reCostOnRadio(w, RADIO_PROFILES['lorawan-sf12'], TOPIC)!;
    const check = dutyCycleCheck([{ airtime: sf12.airtime, observedMs: DAY }]);
    expect(check.rawViolations).toBe(1); // 1440 × several 1.5–2.5 s frames ≫ 864 s/day
    expect(check.maxRawAirtimeSPerDay).toBeGreaterThan(864);
    expect(check.edgeViolations).toBe(0); // 106 short frames a day fit
  });

  it('Wi-Fi makes streaming far worse than BLE does; both favour the edge here', () => {
    const onWifi = groupFigures([reCostOnRadio(w, RADIO_PROFILES['esp32-wifi'], TOPIC)!.energy]);
    const onBle = groupFigures([reCostOnRadio(w, ble, TOPIC)!.energy]);
    expect(onWifi.rawJoulesPerDay.radio).toBeGreaterThan(10 * onBle.rawJoulesPerDay.radio);
    expect(onWifi.verdict).toBe('edge-better');
  });

  it('re-costs compute on another MCU via derived MACs (identity on its own MCU)', () => {
    const same = reCostOnMcu(w, MCU_PROFILES.nrf52840)!;
    const base = deviceEnergy(w.totals, w.profiles, w.events);
    expect(same.edge.computeUj).toBeCloseTo(base.edge.computeUj, 3);
    expect(same.inferenceComputeUj).toBeCloseTo(base.inferenceComputeUj, 3);
    const h7 = reCostOnMcu(w, MCU_PROFILES.stm32h7a3)!;
    expect(h7.edge.sleepUj).toBeGreaterThan(base.edge.sleepUj); // 9 µW floor vs 4.5 µW
    expect(reCostOnMcu({ ...w, profiles: { ...w.profiles, mcu: null } }, MCU_PROFILES.rp2040)).toBeNull();
  });
});
