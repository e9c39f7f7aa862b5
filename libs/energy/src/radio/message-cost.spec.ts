import { messageCost, connectCost, connectCostUj, keepAliveCostUj } from './message-cost';
import { RADIO_PROFILES, RadioId, WifiRadioProfile } from './radio-profiles';
import { bleConnectionEvent } from './ble-link';
import { mqttPublishBytes } from './protocol-overheads';

const ble = RADIO_PROFILES['nrf52840-ble-1m'];
const wifi = RADIO_PROFILES['esp32-wifi'] as WifiRadioProfile;
const up10 = { payloadBytes: 10, direction: 'up', qos: 0 } as const;

describe('MQTT framing', () => {
  it('PUBLISH = 2 B fixed header + 2 B topic length + topic (+2 B packet id at QoS 1) + payload', () => {
    expect(mqttPublishBytes(10, 24, 0)).toBe(38);
    expect(mqttPublishBytes(10, 24, 1)).toBe(40);
    // remaining length ≥ 128 needs a 2-byte length field: 2 + 24 + 200 = 226 → 1 + 2 + 226
    expect(mqttPublishBytes(200, 24, 0)).toBe(229);
  });
});

describe('BLE (nRF52840, LE 1M, 0 dBm, 3 V)', () => {
  it('empty connection event by hand: 2.40 + 4.13 + 4.22 + 2.97 = 13.7 µJ (doc §3.2 ≈15 µJ)', () => {
    // wake 0.4 ms × 2 mA × 3 V; RX (0.14 + 0.08 ms) × 6.26 mA × 3 V; TX 0.22 ms × 6.40 mA × 3 V; post 0.3 × 3.3 × 3
    const e = bleConnectionEvent(ble as never, [], []);
    expect(e.energyUj).toBeCloseTo(2.4 + 0.22 * 6.26 * 3 + 0.22 * 6.4 * 3 + 0.3 * 3.3 * 3, 6);
    expect(e.bytesOnAir).toBe(20);
  });

  it('10-B payload, QoS 0, by hand', () => {
    // MQTT PUBLISH 38 B over 27-B LL payloads (20 B per notification after L2CAP 4 + ATT 3):
    // PDU 1: 10 + 7 + 20 + MIC 4 = 41 B (328 µs); PDU 2: 10 + 7 + 18 + 4 = 39 B (312 µs).
    // TX (0.14 + 0.328 + 0.14 + 0.312) ms × 6.4 mA × 3 V = 17.664 µJ; RX 2 empty PDUs 2 × 0.22 × 6.26 × 3 = 8.263 µJ
    // + wake 2.4 + post 2.97 = 31.297 µJ; bytes 41 + 39 + 10 + 10 = 100.
    const c = messageCost(ble, up10);
    expect(c.energyUj).toBeCloseTo(17.664 + 8.2632 + 2.4 + 2.97, 3);
    expect(c.bytesOnAir).toBe(100);
    expect(c.breakdown.bytesUp).toBe(80);
    expect(c.breakdown.applicationHeaderBytes).toBe(28);
    expect(c.breakdown.transportHeaderBytes).toBe(14);
    expect(c.breakdown.linkHeaderBytes).toBe(48);
    expect(c.airtimeMs).toBeCloseTo(0.328 + 0.312 + 0.16, 9);
  });

  it('QoS 1 adds the 2-B packet id and a PUBACK (4 + 7 + 10 + 4 MIC = 25 B received)', () => {
    const q0 = messageCost(ble, up10);
    const q1 = messageCost(ble, { ...up10, qos: 1 });
    expect(q1.bytesOnAir - q0.bytesOnAir).toBe(2 + 25 + 10); // packet id, PUBACK PDU, our empty reply
    expect(q1.energyUj).toBeGreaterThan(q0.energyUj);
  });

  it('keep-alive: 1 day at a 4 s connection interval = 21600 empty events ≈ 0.30 J (doc §3.3: 0.33 J)', () => {
    const empty = bleConnectionEvent(ble as never, [], []).energyUj;
    expect(keepAliveCostUj(ble, 86_400)).toBeCloseTo(21_600 * empty, 3);
    expect(keepAliveCostUj(ble, 86_400) / 1e6).toBeCloseTo(0.296, 2);
  });
});

describe('Wi-Fi (ESP32, HT20 MCS7, 3.3 V)', () => {
  it('10-B payload, QoS 0, by hand: the RTT wait dominates', () => {
    // frame 54 + 20 + 20 + 38 = 132 B: (36 + 16.246) µs × 248 mA × 3.3 V = 42.758 µJ
    // SIFS 16 µs + MAC ACK (20 + 18.667 µs) at 110 mA: 5.808 + 14.036 µJ
    // RTT 25 ms × 110 mA × 3.3 V = 9075 µJ; TCP ACK frame 94 B (36 + 11.569 µs) at 110 mA: 17.268 µJ
    // SIFS 5.808 µJ + our MAC ACK 38.667 µs × 248 mA × 3.3 V = 31.645 µJ → 9192.3 µJ
    const c = messageCost(wifi, up10);
    expect(c.energyUj).toBeCloseTo(42.758 + 5.808 + 14.036 + 9075 + 17.268 + 5.808 + 31.645, 0);
    expect(c.bytesOnAir).toBe(132 + 14 + 94 + 14);
  });

  it('connect (static IP) + one publish reproduces the measured 0.36 J − boot (S-GLENN20: 108.6 mC − 3.32 mC at 3.3 V)', () => {
    const measuredUj = (108.6 - 3.32) * 3.3 * 1000; // 347.4 mJ
    const modelUj = connectCostUj(wifi) + messageCost(wifi, up10).energyUj;
    expect(Math.abs(modelUj / measuredUj - 1)).toBeLessThan(0.01);
  });

  it('DHCP and TLS add their costs and TLS adds 22 B per record', () => {
    const base = connectCostUj(wifi);
    expect(connectCostUj({ ...wifi, useDhcp: true }) - base).toBeCloseTo(wifi.dhcpUj, 6);
    expect(connectCostUj({ ...wifi, tls: true })).toBeGreaterThan(base + wifi.tlsHandshakeUj);
    const tls = messageCost({ ...wifi, tls: true }, up10);
    expect(tls.bytesOnAir - messageCost(wifi, up10).bytesOnAir).toBe(22); // PUBLISH record only; the TCP ACK has no record
  });

  it('keep-alive over 1 h ≈ DTIM3 0.9 mA × 3.3 V × 3600 s + one PINGREQ/PINGRESP', () => {
    expect(keepAliveCostUj(wifi, 3600)).toBeGreaterThan(0.9 * 3.3 * 3600 * 1000);
    expect(keepAliveCostUj(wifi, 3600)).toBeLessThan(0.9 * 3.3 * 3600 * 1000 + 20_000);
  });
});

describe('LoRaWAN (SX1276, +13 dBm 29 mA, RX 11 mA, 3.3 V)', () => {
  it('SF7, 10 B, unconfirmed, by hand: 61.696 ms TX + RX1 (8 × 1.024 ms) + RX2 at SF9 (8 × 4.096 ms)', () => {
    const c = messageCost(RADIO_PROFILES['lorawan-sf7'], up10);
    expect(c.breakdown.txUj).toBeCloseTo(61.696 * 29 * 3.3, 3); // 5904.3 µJ (doc: 5.9 mJ @29 mA)
    expect(c.breakdown.waitUj).toBeCloseTo((8 * 1.024 + 8 * 4.096) * 11 * 3.3, 3); // 1486.8 µJ
    expect(c.bytesOnAir).toBe(13 + 10 + 2);
    expect(c.airtimeMs).toBeCloseTo(61.696, 3);
  });

  it('SF12, 10 B: 1482.8 ms on air (doc: 142 mJ @29 mA) and a confirmed uplink receives a 12-B ACK instead of RX2', () => {
    const sf12 = RADIO_PROFILES['lorawan-sf12'];
    expect(messageCost(sf12, up10).breakdown.txUj / 1000).toBeCloseTo(141.9, 1);
    const confirmed = messageCost(sf12, { ...up10, qos: 1 });
    expect(confirmed.breakdown.bytesDown).toBe(12);
    expect(confirmed.breakdown.waitUj).toBe(0);
  });

  it('class A has no keep-alive; the join exchanges 25 + 17 B', () => {
    expect(keepAliveCostUj(RADIO_PROFILES['lorawan-sf7'], 3600)).toBe(0);
    expect(connectCost(RADIO_PROFILES['lorawan-sf7']).bytesOnAir).toBe(23 + 2 + 17);
  });
});

describe('802.15.4 (nRF52840, 250 kbit/s)', () => {
  it('10 B, QoS 0, up, by hand ≈ 54.4 µJ (doc §3.3: 30–100 µJ [ASSUME])', () => {
    // frame 6 + 11 + 20 + 7 + 10 = 54 B = 1.728 ms; TX (1.728 + 0.14) × 6.4 × 3; CCA + turnaround + ACK (0.128 + 0.192 + 0.352) × 6.53 × 3
    const c = messageCost(RADIO_PROFILES['nrf52840-802154'], up10);
    expect(c.energyUj).toBeCloseTo(2.4 + 1.868 * 6.4 * 3 + 0.672 * 6.53 * 3 + 2.97, 6);
    expect(c.bytesOnAir).toBe(54 + 11);
  });

  it('fragments payloads beyond one 127-B PSDU', () => {
    // MAC payload 127 − 11 = 116; minus 6LoWPAN/UDP 20 and FRAG 5 → 91 B per frame; 7 + 300 = 307 B → 4 frames
    const c = messageCost(RADIO_PROFILES['nrf52840-802154'], { ...up10, payloadBytes: 300 });
    expect(c.breakdown.framesUp).toBe(4);
    expect(c.breakdown.transportHeaderBytes).toBe(4 * 25);
  });
});

describe('cellular (nRF9160)', () => {
  it('connect from PSM costs at least the doc proxy (LTE-M 105 mJ, NB-IoT 550 mJ)', () => {
    expect(connectCostUj(RADIO_PROFILES['nrf9160-lte-m'])).toBeGreaterThan(105_000);
    expect(connectCostUj(RADIO_PROFILES['nrf9160-nb-iot'])).toBeGreaterThan(550_000);
  });
});

describe('every radio', () => {
  const ids = Object.keys(RADIO_PROFILES) as RadioId[];
  it.each(ids)('%s: byte categories and energy parts add up, QoS 1 costs more, bigger payloads cost more', (id) => {
    const r = RADIO_PROFILES[id];
    for (const direction of ['up', 'down'] as const) {
      for (const qos of [0, 1] as const) {
        const c = messageCost(r, { payloadBytes: 20, direction, qos });
        const b = c.breakdown;
        expect(b.payloadBytes + b.applicationHeaderBytes + b.transportHeaderBytes + b.linkHeaderBytes).toBe(
          c.bytesOnAir,
        );
        expect(b.bytesUp + b.bytesDown).toBe(c.bytesOnAir);
        expect(b.wakeUj + b.txUj + b.rxUj + b.waitUj).toBeCloseTo(c.energyUj, 9);
        expect(b.payloadBytes).toBe(20);
        expect(c.airtimeMs).toBeCloseTo(b.txAirtimeMs + b.rxAirtimeMs, 9);
      }
      expect(messageCost(r, { payloadBytes: 20, direction, qos: 1 }).energyUj).toBeGreaterThanOrEqual(
        messageCost(r, { payloadBytes: 20, direction, qos: 0 }).energyUj,
      );
    }
    expect(messageCost(r, { ...up10, payloadBytes: 40 }).energyUj).toBeGreaterThan(messageCost(r, up10).energyUj);
    expect(connectCostUj(r)).toBeGreaterThan(0);
    for (const source of Object.values(r.sources)) expect((source as string).length).toBeGreaterThan(3);
  });

  it('rejects bad payload sizes', () => {
    expect(() => messageCost(ble, { ...up10, payloadBytes: -1 })).toThrow(RangeError);
    expect(() => messageCost(ble, { ...up10, payloadBytes: 1.5 })).toThrow(RangeError);
  });
});
