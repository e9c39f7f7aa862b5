import { MCU_PROFILES } from '../mcu/mcu-profiles';
import { messageCost, connectCost } from '../radio/message-cost';
import { RADIO_PROFILES } from '../radio/radio-profiles';
import { SENSOR_PROFILES } from '../sensing/sensor-profiles';
import { EnergyLedger, totalUj } from './energy-ledger';

const mcu = MCU_PROFILES.nrf52840; // sleep 1.5 µA × 3 V = 4.5 µW
const radio = RADIO_PROFILES['nrf52840-ble-1m'];

describe('EnergyLedger', () => {
  it('charges each category and counts, by hand', () => {
    const ledger = new EnergyLedger({ mcu, radio });
    const msg = messageCost(radio, { payloadBytes: 10, direction: 'up', qos: 0 }); // 31.297 µJ, 80 B up / 20 B down
    ledger.chargeSensing(SENSOR_PROFILES.soil); // 50 µJ, 10 ms
    ledger.chargeCompute({ energyUj: 12.4, latencyMs: 5 });
    ledger.chargeRadioTx(msg, { event: true });
    ledger.chargeRadioRx(messageCost(radio, { payloadBytes: 4, direction: 'down', qos: 0 }));
    ledger.chargeRadioConnect(connectCost(radio));
    ledger.chargeRadioConnect(100.4); // a keep-alive, µJ
    const s = ledger.snapshot();
    expect(s.sensingUj).toBe(50);
    expect(s.computeUj).toBe(12);
    expect(s.radioTxUj).toBe(31); // 31.297
    expect(s.samples).toBe(1);
    expect(s.inferences).toBe(1);
    expect(s.events).toBe(1);
    expect(s.messagesUp).toBe(1);
    expect(s.bytesUp).toBeGreaterThanOrEqual(80);
    expect(s.radioConnectUj).toBe(Math.round(connectCost(radio).energyUj + 100.4));
    expect(totalUj(s)).toBe(s.computeUj + s.radioTxUj + s.radioRxUj + s.radioConnectUj + s.sensingUj + s.sleepUj);
  });

  it('charges sleep only for virtual time not spent active', () => {
    const ledger = new EnergyLedger({ mcu, radio, startMs: 1_000 });
    ledger.chargeSensing(SENSOR_PROFILES.soil); // 10 ms active
    ledger.chargeCompute({ energyUj: 1, latencyMs: 40 }); // 40 ms active
    ledger.chargeSleepUntil(61_000); // 60 s elapsed − 50 ms active = 59.95 s × 4.5 µW = 269.775 µJ
    expect(ledger.exactTotals().sleepUj).toBeCloseTo(269.775, 9);
    ledger.chargeSleepUntil(60_000); // backwards: ignored
    ledger.chargeSleepUntil(121_000); // a further 60 s, nothing active: 270 µJ
    expect(ledger.exactTotals().sleepUj).toBeCloseTo(539.775, 9);
    expect(ledger.snapshot().sleepUj).toBe(540);
  });

  it('carries active time that runs past the settlement point', () => {
    const ledger = new EnergyLedger({ mcu, radio, sleepFloorUw: 1000 });
    ledger.chargeCompute({ energyUj: 1, latencyMs: 1500 });
    ledger.chargeSleepUntil(1000); // all 1000 ms active, 500 ms carried
    expect(ledger.exactTotals().sleepUj).toBe(0);
    ledger.chargeSleepUntil(2000); // 500 ms active, 500 ms asleep × 1 mW = 500 µJ
    expect(ledger.exactTotals().sleepUj).toBeCloseTo(500, 9);
  });

  it('raw-streaming counterfactual uses the same messageCost accounting', () => {
    const ledger = new EnergyLedger({ mcu, radio });
    const raw = messageCost(radio, { payloadBytes: 10, direction: 'up', qos: 0 });
    for (let i = 0; i < 144; i++) ledger.chargeRawSample(10);
    const s = ledger.snapshot();
    expect(s.rawMessagesUp).toBe(144);
    expect(s.rawRadioUj).toBe(Math.round(144 * raw.energyUj)); // 144 × 31.297 = 4506.8 → 4507
    expect(s.rawBytesUp).toBe(144 * raw.breakdown.bytesUp);
    expect(s.radioTxUj).toBe(0);
  });

  it('raw counterfactual can include a reconnect per message (Wi-Fi from deep sleep)', () => {
    const wifi = RADIO_PROFILES['esp32-wifi'];
    const ledger = new EnergyLedger({ mcu: MCU_PROFILES['esp32-s3'], radio: wifi, rawConnectPerMessage: true });
    ledger.chargeRawSample(10);
    const expected =
      connectCost(wifi).energyUj + messageCost(wifi, { payloadBytes: 10, direction: 'up', qos: 0 }).energyUj;
    expect(ledger.snapshot().rawRadioUj).toBe(Math.round(expected)); // ≈ 347 mJ, the S-GLENN20 figure
  });

  it('snapshots are integers and never decrease (monotone rounding)', () => {
    const ledger = new EnergyLedger({ mcu, radio });
    let previous = ledger.snapshot();
    let seed = 7;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 500; i++) {
      ledger.chargeCompute({ energyUj: rand() * 0.9, latencyMs: rand() });
      ledger.chargeSleepUntil(i * 10);
      const s = ledger.snapshot();
      for (const key of Object.keys(s) as Array<keyof typeof s>) {
        expect(Number.isInteger(s[key])).toBe(true);
        expect(s[key]).toBeGreaterThanOrEqual(previous[key]);
      }
      expect(Math.abs(s.computeUj - ledger.exactTotals().computeUj)).toBeLessThanOrEqual(0.5);
      previous = s;
    }
  });

  it('rejects negative or non-finite charges', () => {
    const ledger = new EnergyLedger({ mcu, radio });
    expect(() => ledger.chargeCompute({ energyUj: -1, latencyMs: 1 })).toThrow(RangeError);
    expect(() => ledger.chargeRadioConnect(Number.NaN)).toThrow(RangeError);
  });

  it('uses the wire field names', () => {
    expect(Object.keys(new EnergyLedger({ mcu, radio }).snapshot()).sort()).toEqual(
      [
        'computeUj',
        'radioTxUj',
        'radioRxUj',
        'radioConnectUj',
        'sensingUj',
        'sleepUj',
        'rawRadioUj',
        'bytesUp',
        'bytesDown',
        'rawBytesUp',
        'inferences',
        'events',
        'messagesUp',
        'rawMessagesUp',
        'samples',
      ].sort(),
    );
  });
});
