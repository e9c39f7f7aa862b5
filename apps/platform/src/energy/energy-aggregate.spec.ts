import { BATTERY_PROFILES, MCU_PROFILES, RADIO_PROFILES } from '@tinyfleet/energy';
import { deviceEnergy, groupFigures } from './energy-aggregate';
import { Counters, DeviceTotals, zeroCounters } from './energy-counters';
import { resolveProfiles, resolveRadio } from './energy-profiles';

const DAY = 86_400_000;
const totals = (c: Partial<Counters>, observedMs = DAY): DeviceTotals => ({
  deviceId: 'dev-a',
  counters: { ...zeroCounters(), ...c },
  observedMs,
  intervals: 2,
  boots: 1,
  firstMs: 0,
  lastMs: observedMs,
});
const profiles = {
  mcu: MCU_PROFILES.nrf52840,
  radio: RADIO_PROFILES['nrf52840-ble-1m'],
  sensor: null,
  battery: BATTERY_PROFILES['aa-alkaline-2s'],
  batterySource: 'default' as const,
};

describe('deviceEnergy + groupFigures (hand-computed)', () => {
  // One day: compute 1 J, radio TX 2 J, connect 0.5 J, sensing 0.5 J, sleep 0.3888 J (4.5 µW × 86,400 s);
  // the raw counterfactual radio would have been 10 J. 100 messages, 80 of them events (telemetry 20 %),
  // 1000 inferences; the events say 800 µJ per inference → inference compute 0.8 J.
  const c = {
    computeUj: 1e6,
    radioTxUj: 2e6,
    radioConnectUj: 5e5,
    sensingUj: 5e5,
    sleepUj: 388_800,
    rawRadioUj: 1e7,
    messagesUp: 100,
    events: 80,
    inferences: 1000,
    samples: 1000,
    bytesUp: 5000,
    bytesDown: 1000,
    rawBytesUp: 100_000,
    rawMessagesUp: 1000,
  };
  const d = deviceEnergy(totals(c), profiles, { events: 80, energyUjSum: 80 * 800 });
  const f = groupFigures([d]);

  it('splits edge energy and builds the raw-streaming node by the stated definition', () => {
    expect(f.edgeJoulesPerDay).toEqual({ radio: 2.5, compute: 1, sensing: 0.5, sleep: 0.3888, total: 4.3888 });
    // raw radio = 10 (raw) + 2 × 0.2 (telemetry) + 0 (rx) + 0.5 (link); compute = 1 − 0.8
    expect(f.rawJoulesPerDay).toEqual({ radio: 10.9, compute: 0.2, sensing: 0.5, sleep: 0.3888, total: 11.9888 });
    expect(f.rawToEdgeRatio).toBeCloseTo(11.9888 / 4.3888, 4);
    expect(f.edgeSavingPct).toBeCloseTo((1 - 4.3888 / 11.9888) * 100, 3);
    expect(f.verdict).toBe('edge-better');
    expect(f.radioSharePct).toBeCloseTo((2.5 / 4.3888) * 100, 3);
  });

  it('per inference, per event, bytes, messages', () => {
    expect(f.energyPerInferenceUj).toBeCloseTo(4388.8, 6);
    expect(f.inferenceComputePerInferenceUj).toBe(800);
    expect(f.energyPerEventUj).toBeCloseTo(4.3888e6 / 80, 6);
    expect(f.bytesOnAirPerDay).toEqual({ edge: 6000, raw: 100_000 + 5000 * 0.2 + 1000 });
    expect(f.messagesUpPerDay).toEqual({ edge: 100, raw: 1000 + 20 });
    expect(f.otaDownloadJ).toBe(0);
  });

  it('projects battery life on 2×AA: 17,388 J / (J/day + self-discharge 3 %/yr)', () => {
    const usableJ = 2.3 * 3600 * 3 * 0.7; // 17,388 J
    const selfJPerDay = (usableJ * 0.03) / 365.25;
    expect(f.battery.edgeDays).toBeCloseTo(usableJ / (4.3888 + selfJPerDay), 1);
    expect(f.battery.rawDays).toBeCloseTo(usableJ / (11.9888 + selfJPerDay), 1);
    expect(f.battery.infeasible).toBe(0);
  });

  it('says so when edge inference is worse than streaming (big model, cheap radio)', () => {
    const w = deviceEnergy(
      totals({
        computeUj: 5e6,
        radioTxUj: 1e5,
        sleepUj: 388_800,
        rawRadioUj: 3e5,
        messagesUp: 10,
        events: 10,
        inferences: 100,
        samples: 100,
      }),
      profiles,
      { events: 10, energyUjSum: 10 * 49_000 },
    );
    const g = groupFigures([w]);
    expect(g.verdict).toBe('edge-worse');
    expect(g.edgeSavingPct!).toBeLessThan(0);
    expect(g.edgeJoulesPerDay.total).toBeGreaterThan(g.rawJoulesPerDay.total);
  });

  it('a device with no events, a device that only streamed, and an empty group: clear figures, no NaN', () => {
    const onlyStreamed = deviceEnergy(
      totals({ radioTxUj: 1e6, sleepUj: 388_800, rawRadioUj: 1e6, messagesUp: 50, rawMessagesUp: 50, samples: 50 }),
      profiles,
      undefined,
    );
    const noEvents = deviceEnergy(
      totals({ computeUj: 2e5, sleepUj: 388_800, rawRadioUj: 1e6, inferences: 50, samples: 50 }),
      profiles,
      undefined,
    );
    expect(noEvents.inferenceComputeMethod).toBe('wake-model');
    expect(noEvents.inferenceComputeUj).toBe(2e5 - 50 * MCU_PROFILES.nrf52840.wakeUj);
    for (const g of [groupFigures([onlyStreamed]), groupFigures([noEvents]), groupFigures([])]) {
      expect(JSON.stringify(g)).not.toMatch(/NaN|Infinity/);
    }
    expect(groupFigures([onlyStreamed])).toMatchObject({
      energyPerInferenceUj: null,
      energyPerEventUj: null,
      inferences: 0,
    });
    expect(groupFigures([])).toMatchObject({
      devices: 0,
      verdict: 'no-data',
      rawToEdgeRatio: null,
      battery: { edgeDays: null },
    });
    // zero observed time (a single snapshot): energy counted, no per-day figure, no battery projection
    expect(groupFigures([deviceEnergy(totals({ computeUj: 10 }, 0), profiles, undefined)])).toMatchObject({
      edgeTotalJ: 0.00001,
      edgeJoulesPerDay: { total: 0 },
      battery: { devices: 0 },
    });
  });

  it('gives no edge-vs-raw verdict for devices that ran no inference and streamed nothing', () => {
    // A node with no model that fits: it samples and sends its status, never an inference or a raw stream.
    const idle = deviceEnergy(
      totals({ radioTxUj: 3e5, sensingUj: 1e6, sleepUj: 388_800, rawRadioUj: 1.2e6, messagesUp: 20, samples: 200 }),
      profiles,
      undefined,
    );
    expect(idle.mode).toBe('idle');
    expect(groupFigures([idle]).verdict).toBe('no-inference');
    // One device that did run a model makes the group's comparison meaningful again.
    expect(groupFigures([idle, d]).verdict).toBe('edge-better');
  });

  it('flags a radio whose peak current a coin cell cannot supply (Wi-Fi on a CR2032)', () => {
    const wifi = { ...profiles, radio: RADIO_PROFILES['esp32-wifi'], battery: BATTERY_PROFILES.cr2032 };
    expect(groupFigures([deviceEnergy(totals({ radioTxUj: 1e6 }), wifi, undefined)]).battery.infeasible).toBe(1);
  });

  it('resolves profile ids, battery tags and stream sensors', () => {
    expect(resolveRadio('ble-1m')?.id).toBe('nrf52840-ble-1m');
    expect(resolveRadio('carrier-pigeon')).toBeNull();
    const p = resolveProfiles({
      id: 'x',
      sensorStream: 'gas-fruit',
      mcuProfile: 'nrf52840',
      radioProfile: 'lorawan-sf12',
      tags: ['battery-cr2032'],
      activeModel: null,
    });
    expect([p.battery.id, p.batterySource, p.sensor?.id, p.radio?.id]).toEqual([
      'cr2032',
      'tag',
      'gas',
      'lorawan-sf12',
    ]);
    expect(
      resolveProfiles({
        id: 'x',
        sensorStream: 'soil',
        mcuProfile: 'x',
        radioProfile: 'y',
        tags: [],
        activeModel: null,
      }).batterySource,
    ).toBe('default');
  });
});
