import { NOT_IN_DOC, SourceMap } from '../source-map';
import { LoraModulation } from './lora-airtime';

export type RadioId =
  | 'nrf52840-ble-1m'
  | 'esp32-wifi'
  | 'lorawan-sf7'
  | 'lorawan-sf12'
  | 'nrf9160-lte-m'
  | 'nrf9160-nb-iot'
  | 'nrf52840-802154';

interface RadioCommon {
  readonly id: RadioId;
  readonly label: string;
  readonly supplyV: number;
  readonly txCurrentMa: number;
  readonly rxCurrentMa: number;
  /** Radio's own floor while the node sleeps (0 when it is inside the MCU's sleep figure). */
  readonly sleepCurrentUa: number;
  /** Highest current the radio draws (battery pulse-limit check). */
  readonly peakCurrentMa: number;
}

export interface BleRadioProfile extends RadioCommon {
  readonly kind: 'ble';
  readonly bitrateBps: number;
  /** LL payload per PDU: 27 (BT 4.0/4.1) or up to 251 with Data Length Extension. */
  readonly llPayloadMaxBytes: number;
  readonly encrypted: boolean;
  readonly connectionIntervalS: number;
  readonly wakeMs: number;
  readonly wakeCurrentMa: number;
  readonly rampUs: number;
  readonly postProcessMs: number;
  readonly postProcessCurrentMa: number;
  readonly advDataBytes: number;
  /** Listening after each connectable advertising PDU for a CONNECT_IND. */
  readonly advListenUs: number;
  /** Connection events spent on MTU/DLE/parameter/CCCD exchanges after connecting. */
  readonly connectSetupEvents: number;
  readonly sources: SourceMap<BleRadioProfile>;
}

export interface WifiRadioProfile extends RadioCommon {
  readonly kind: 'wifi';
  readonly phyRateBps: number;
  readonly phyPreambleUs: number;
  /** Control-frame (ACK) rate and legacy preamble. */
  readonly basicRateBps: number;
  readonly legacyPreambleUs: number;
  readonly sifsUs: number;
  readonly rttMs: number;
  /** Association with a static IP, radio part (from deep sleep, boot excluded). */
  readonly associateUj: number;
  readonly associateMs: number;
  readonly useDhcp: boolean;
  readonly dhcpUj: number;
  readonly dhcpMs: number;
  readonly tls: boolean;
  readonly tlsHandshakeUj: number;
  readonly tlsHandshakeMs: number;
  readonly tlsHandshakeBytesUp: number;
  readonly tlsHandshakeBytesDown: number;
  readonly clientIdBytes: number;
  /** Average while associated and idle (DTIM light sleep). */
  readonly connectedIdleCurrentMa: number;
  readonly sources: SourceMap<WifiRadioProfile>;
}

export interface LoraRadioProfile extends RadioCommon {
  readonly kind: 'lora';
  readonly modulation: LoraModulation;
  /** Symbols the receiver stays open in an RX window when no downlink arrives. */
  readonly rxWindowSymbols: number;
  readonly rx2SpreadingFactor: number;
  readonly dutyCycle: number;
  readonly sources: SourceMap<LoraRadioProfile>;
}

export interface CellularRadioProfile extends RadioCommon {
  readonly kind: 'cellular';
  readonly uplinkRateBps: number;
  readonly downlinkRateBps: number;
  readonly rttMs: number;
  /** Leaving PSM: wake + RRC connection + tracking-area update (proxy for any idle → connected transition). */
  readonly connectUj: number;
  readonly connectMs: number;
  readonly tls: boolean;
  readonly tlsHandshakeUj: number;
  readonly tlsHandshakeMs: number;
  readonly tlsHandshakeBytesUp: number;
  readonly tlsHandshakeBytesDown: number;
  readonly clientIdBytes: number;
  /** Registered and reachable idle (eDRX 81.92 s). */
  readonly idleCurrentUa: number;
  readonly sources: SourceMap<CellularRadioProfile>;
}

export interface Ieee802154RadioProfile extends RadioCommon {
  readonly kind: 'ieee802154';
  readonly bitrateBps: number;
  readonly wakeMs: number;
  readonly wakeCurrentMa: number;
  readonly rampUs: number;
  readonly ccaUs: number;
  readonly ackTurnaroundUs: number;
  readonly postProcessMs: number;
  readonly postProcessCurrentMa: number;
  /** Sleepy end device: how often it polls its parent (data request). */
  readonly pollPeriodS: number;
  readonly parentResponseListenMs: number;
  readonly mleFrameBytes: number;
  readonly clientIdBytes: number;
  readonly sources: SourceMap<Ieee802154RadioProfile>;
}

export type RadioProfile =
  BleRadioProfile | WifiRadioProfile | LoraRadioProfile | CellularRadioProfile | Ieee802154RadioProfile;

// nRF52840 radio, DC/DC at 3 V, 0 dBm [DS S-NRF-RADIO]. Ramp/HFXO/post-processing timings were not
// retrieved (doc §9): the doc's own modelling assumptions from §3.2 are used and marked [ASSUME].
const NRF_WAKE = { wakeMs: 0.4, wakeCurrentMa: 2, rampUs: 140, postProcessMs: 0.3, postProcessCurrentMa: 3.3 };
const NRF_WAKE_SOURCES = {
  wakeMs: '[ASSUME] doc §3.2 BLE model: wake + HFXO 0.4 ms (timings not retrieved, doc §9)',
  wakeCurrentMa: '[ASSUME] doc §3.2 BLE model: 2 mA during wake/HFXO start',
  rampUs: '[ASSUME] doc §3.2 BLE model: radio ramp-up 140 µs at TX/RX current',
  postProcessMs: '[ASSUME] doc §3.2 BLE model: post-processing 0.3 ms',
  postProcessCurrentMa: '[ASSUME] doc §3.2 BLE model: 3.3 mA (CPU at 64 MHz) during post-processing',
};

const SX1276_EU868 = {
  supplyV: 3.3,
  txCurrentMa: 29,
  rxCurrentMa: 11,
  sleepCurrentUa: 0.2,
  peakCurrentMa: 29,
  rxWindowSymbols: 8,
  rx2SpreadingFactor: 9,
  dutyCycle: 0.01,
};
const SX1276_SOURCES = {
  supplyV: '[ASSUME] 3.3 V, as the doc §3.2 LoRaWAN table',
  txCurrentMa: 'S-SX1276 [DS] Table 6: +13 dBm (RFO) 29 mA — EU868 14 dBm ERP class; +17 dBm 87 mA, +20 dBm 120 mA',
  rxCurrentMa: 'S-SX1276 [DS] RX ≈10.8–11.5 mA (LnaBoost) → 11 mA',
  sleepCurrentUa: 'S-SX1276 [DS] sleep 0.2 µA',
  peakCurrentMa: 'S-SX1276 [DS] +13 dBm TX 29 mA',
  rxWindowSymbols: '[DER] doc §3.2: each empty RX window costs ≈8 symbols of RX (preamble detection)',
  rx2SpreadingFactor: `${NOT_IN_DOC} TTN EU868 RX2 = SF9/125 kHz (LoRaWAN default DR0 = SF12 would cost ≈9.5 mJ per window)`,
  dutyCycle: 'S-LMIC-401 via doc §3.2: EU868 sub-band 1 % duty cycle (ETSI EN 300 220)',
};
const loraModulation = (spreadingFactor: number): LoraModulation => ({
  spreadingFactor,
  bandwidthHz: 125_000,
  codingRate: 1,
  preambleSymbols: 8,
  explicitHeader: true,
  crc: true,
});
const LORA_MOD_SOURCE =
  'S-LORA-TOA via doc §3.2: BW 125 kHz, CR 4/5, 8-symbol preamble, explicit header, CRC on uplinks (doc LoRaWAN table settings)';

export const RADIO_PROFILES: Readonly<Record<RadioId, RadioProfile>> = {
  'nrf52840-ble-1m': {
    id: 'nrf52840-ble-1m',
    kind: 'ble',
    label: 'nRF52840 BLE LE 1M, 0 dBm, connected GATT notifications to a gateway',
    supplyV: 3.0,
    txCurrentMa: 6.4,
    rxCurrentMa: 6.26,
    sleepCurrentUa: 0,
    peakCurrentMa: 6.4,
    bitrateBps: 1e6,
    llPayloadMaxBytes: 27,
    encrypted: true,
    connectionIntervalS: 4,
    ...NRF_WAKE,
    advDataBytes: 20,
    advListenUs: 200,
    connectSetupEvents: 6,
    sources: {
      supplyV: 'S-NRF-RADIO [DS] 3 V, DC/DC',
      txCurrentMa: 'S-NRF-RADIO [DS] nRF52840 PS, radio current consumption, TX 0 dBm 6.40 mA, DC/DC 3 V',
      rxCurrentMa: 'S-NRF-RADIO [DS] nRF52840 PS, RX 1 Mbit/s BLE 6.26 mA, DC/DC 3 V',
      sleepCurrentUa: '[DER] 0: radio off is inside the MCU System ON figure',
      peakCurrentMa: 'S-NRF-RADIO [DS] TX 0 dBm 6.40 mA (16.4 mA at +8 dBm)',
      bitrateBps: 'doc §3.2 [S-TI-478]: LE 1M PHY, 1 µs/bit',
      llPayloadMaxBytes: 'doc §3.2 [S-BLEPDU]: 27 B LL payload (no DLE) — 251 with DLE',
      encrypted: '[ASSUME] bonded, encrypted link: +4 B MIC per non-empty PDU (doc §3.2)',
      connectionIntervalS: '[ASSUME] 4 s, the doc §3.3/§8 keep-alive example (range 7.5 ms–4 s, doc §3.2)',
      ...NRF_WAKE_SOURCES,
      advDataBytes: '[ASSUME] 20 B advertising data, as the doc §3.2 advert estimate',
      advListenUs: '[ASSUME] 200 µs RX after each connectable ADV_IND for a CONNECT_IND',
      connectSetupEvents: '[ASSUME] 6 connection events for MTU, DLE, parameter update and CCCD write',
    },
  },
  'esp32-wifi': {
    id: 'esp32-wifi',
    kind: 'wifi',
    label: 'ESP32 Wi-Fi 802.11n HT20, static IP, MQTT over TCP (TLS off by default)',
    supplyV: 3.3,
    txCurrentMa: 248,
    rxCurrentMa: 110,
    sleepCurrentUa: 0,
    peakCurrentMa: 368,
    phyRateBps: 65e6,
    phyPreambleUs: 36,
    basicRateBps: 6e6,
    legacyPreambleUs: 20,
    sifsUs: 16,
    rttMs: 25,
    associateUj: (100.2 - 3.32) * 3.3 * 1000,
    associateMs: 734 - 70,
    useDhcp: false,
    dhcpUj: (204.3 - 100.2) * 3.3 * 1000,
    dhcpMs: 1626 - 734,
    tls: false,
    tlsHandshakeUj: 200_000,
    tlsHandshakeMs: 1_000,
    tlsHandshakeBytesUp: 1_000,
    tlsHandshakeBytesDown: 4_000,
    clientIdBytes: 16,
    connectedIdleCurrentMa: 0.9,
    sources: {
      supplyV: 'doc §3.2: 3.3 V equivalent of the S-GLENN20 measurements',
      txCurrentMa: 'S-PICO-ZERO [DS] 802.11n HT20 MCS7 TX 248 mA peak (178 mA avg at 50 % TX duty), 3.3 V',
      rxCurrentMa: 'S-PICO-ZERO [DS] RX 11b/g/n 20 MHz 110 mA (module listen 80–90 mA, S-WROOM32)',
      sleepCurrentUa: '[DER] 0: radio off in deep sleep is inside the chip deep-sleep figure',
      peakCurrentMa: 'S-PICO-ZERO [DS] 802.11b 1 Mbit/s TX peak 368 mA (doc §4: 250–370 mA peaks)',
      phyRateBps: `${NOT_IN_DOC} 802.11n HT20 MCS7 65 Mbit/s (long GI), the mode the DS currents refer to`,
      phyPreambleUs: `${NOT_IN_DOC} HT-mixed PLCP preamble+header 36 µs (IEEE 802.11-2016 §19.3)`,
      basicRateBps: `${NOT_IN_DOC} ACKs at the 6 Mbit/s OFDM basic rate`,
      legacyPreambleUs: `${NOT_IN_DOC} legacy OFDM preamble+SIGNAL 20 µs`,
      sifsUs: `${NOT_IN_DOC} SIFS 16 µs (5 GHz/OFDM; 10 µs at 2.4 GHz + 6 µs signal extension)`,
      rttMs:
        '[DER] 25 ms: fitted so TCP connect + MQTT CONNECT + one PUBLISH add the measured 0.36 − 0.33 J (S-GLENN20) over association',
      associateUj:
        'S-GLENN20 [MEAS] connect Wi-Fi static IP 100.2 mC minus boot 3.32 mC, × 3.3 V (doc §3.2 upper-bound conversion)',
      associateMs: 'S-GLENN20 [MEAS] 734 ms connect (static IP) − 70 ms boot',
      useDhcp: '[ASSUME] static IP (the cheaper measured case)',
      dhcpMs: 'S-GLENN20 [MEAS] 1626 ms with DHCP − 734 ms static',
      tlsHandshakeMs: `${NOT_IN_DOC} [ASSUME] 1 s full ECDHE handshake on ESP32 (S-SUAREZ: ECDHE/ECDSA fastest; figure not retrieved)`,
      dhcpUj: 'S-GLENN20 [MEAS] connect with DHCP 204.3 mC − static 100.2 mC, × 3.3 V',
      tls: '[ASSUME] off by default; set true to add TLS records and a handshake per connection',
      tlsHandshakeUj: '[ASSUME] doc §3.2: +0.1–0.3 J per full handshake on ESP32 (gap: no measured figure) → 0.2 J',
      tlsHandshakeBytesUp:
        '[ASSUME] doc §3.2 [2nd S-IOTCLASS-MQTT]: full handshake 3–10 KB with a certificate chain → 1 KB up',
      tlsHandshakeBytesDown: '[ASSUME] as above → 4 KB down (server certificate chain)',
      clientIdBytes: '[ASSUME] 16-byte MQTT client id',
      connectedIdleCurrentMa: 'S-WROOM32 [DS] associated idle, DTIM3 light sleep 0.9 mA average (DTIM1 1.2 mA)',
    },
  },
  'lorawan-sf7': {
    id: 'lorawan-sf7',
    kind: 'lora',
    label: 'LoRaWAN EU868 class A, SF7 BW125, SX1276 +13 dBm',
    ...SX1276_EU868,
    modulation: loraModulation(7),
    sources: { ...SX1276_SOURCES, modulation: `${LORA_MOD_SOURCE}, SF7` },
  },
  'lorawan-sf12': {
    id: 'lorawan-sf12',
    kind: 'lora',
    label: 'LoRaWAN EU868 class A, SF12 BW125 (LDRO on), SX1276 +13 dBm',
    ...SX1276_EU868,
    modulation: loraModulation(12),
    sources: {
      ...SX1276_SOURCES,
      modulation: `${LORA_MOD_SOURCE}, SF12 (low-data-rate optimisation on: Tsym 32.8 ms ≥ 16 ms)`,
    },
  },
  'nrf9160-lte-m': {
    id: 'nrf9160-lte-m',
    kind: 'cellular',
    label: 'nRF9160 LTE-M (Cat-M1), 23 dBm, PSM between messages, MQTT over TCP',
    supplyV: 3.7,
    txCurrentMa: 107.5,
    rxCurrentMa: 45,
    sleepCurrentUa: 2.7,
    peakCurrentMa: 300,
    uplinkRateBps: 180e3,
    downlinkRateBps: 300e3,
    rttMs: 150,
    connectUj: 105_000,
    connectMs: 1_500,
    tls: false,
    tlsHandshakeUj: 200_000,
    tlsHandshakeMs: 1_000,
    tlsHandshakeBytesUp: 1_000,
    tlsHandshakeBytesDown: 4_000,
    clientIdBytes: 16,
    idleCurrentUa: 18,
    sources: {
      supplyV: 'S-NRF9160 [DS] modem currents at 3.7 V incl. SIM',
      txCurrentMa: 'S-NRF9160 [DS] uplink 180 kbit/s @23 dBm 100–115 mA avg → 107.5 mA',
      rxCurrentMa: `${NOT_IN_DOC} RX current not retrieved; taken as the doc's 0 dBm TX average 45 mA (modem active, PA near idle)`,
      sleepCurrentUa: 'S-NRF9160 [DS] PSM floor 2.7 µA',
      peakCurrentMa: 'S-NWP034 [DS] ≈300 mA peak during TAU at max power',
      uplinkRateBps: 'S-NRF9160 [DS] uplink 180 kbit/s test case',
      downlinkRateBps: `${NOT_IN_DOC} [ASSUME] 300 kbit/s`,
      rttMs: `${NOT_IN_DOC} [ASSUME] 150 ms network RTT on LTE-M`,
      connectUj: 'S-NRF9160 [DS] PSM wake + TAU at 23 dBm: Cat-M1 105 mJ in 1.5 s (doc §3.2 per-message proxy)',
      connectMs: 'S-NRF9160 [DS] 1.5 s',
      tlsHandshakeMs: `${NOT_IN_DOC} [ASSUME] 1 s (plus RTTs, not modelled separately)`,
      tls: '[ASSUME] off by default',
      tlsHandshakeUj: '[ASSUME] doc §3.2 TLS gap: 0.1–0.3 J → 0.2 J (ESP32 figure reused)',
      tlsHandshakeBytesUp: '[ASSUME] doc §3.2: 3–10 KB handshake → 1 KB up',
      tlsHandshakeBytesDown: '[ASSUME] → 4 KB down',
      clientIdBytes: '[ASSUME] 16-byte MQTT client id',
      idleCurrentUa: 'S-NRF9160 [DS] LTE-M eDRX 81.92 s: 18 µA',
    },
  },
  'nrf9160-nb-iot': {
    id: 'nrf9160-nb-iot',
    kind: 'cellular',
    label: 'nRF9160 NB-IoT (Cat-NB1), 23 dBm, PSM between messages, MQTT over TCP',
    supplyV: 3.7,
    txCurrentMa: 107.5,
    rxCurrentMa: 37.5,
    sleepCurrentUa: 2.7,
    peakCurrentMa: 300,
    uplinkRateBps: 20e3,
    downlinkRateBps: 25e3,
    rttMs: 1500,
    connectUj: 550_000,
    connectMs: 2_700,
    tls: false,
    tlsHandshakeUj: 200_000,
    tlsHandshakeMs: 1_000,
    tlsHandshakeBytesUp: 1_000,
    tlsHandshakeBytesDown: 4_000,
    clientIdBytes: 16,
    idleCurrentUa: 37,
    sources: {
      supplyV: 'S-NRF9160 [DS] 3.7 V',
      txCurrentMa: `${NOT_IN_DOC} NB-IoT 23 dBm current is a doc gap; LTE-M 23 dBm figure (S-NRF9160 100–115 mA) reused`,
      rxCurrentMa: `${NOT_IN_DOC} RX not retrieved; taken as the doc's NB-IoT 0 dBm RMC 35–40 mA`,
      sleepCurrentUa: 'S-NRF9160 [DS] PSM 2.7 µA',
      peakCurrentMa: 'S-NWP034 [DS] ≈300 mA peak during TAU at max power',
      uplinkRateBps: `${NOT_IN_DOC} [ASSUME] 20 kbit/s effective NB-IoT uplink (coverage-dependent)`,
      downlinkRateBps: `${NOT_IN_DOC} [ASSUME] 25 kbit/s`,
      rttMs: `${NOT_IN_DOC} [ASSUME] 1.5 s NB-IoT RTT`,
      connectUj: 'S-NRF9160 [DS] PSM wake + TAU at 23 dBm: NB-IoT 550 mJ in 2.7 s (doc §3.2)',
      connectMs: 'S-NRF9160 [DS] 2.7 s',
      tlsHandshakeMs: `${NOT_IN_DOC} [ASSUME] 1 s`,
      tls: '[ASSUME] off by default',
      tlsHandshakeUj: '[ASSUME] doc §3.2 TLS gap → 0.2 J',
      tlsHandshakeBytesUp: '[ASSUME] 1 KB up',
      tlsHandshakeBytesDown: '[ASSUME] 4 KB down',
      clientIdBytes: '[ASSUME] 16-byte MQTT client id',
      idleCurrentUa: 'S-NRF9160 [DS] NB-IoT eDRX 81.92 s: 37 µA',
    },
  },
  'nrf52840-802154': {
    id: 'nrf52840-802154',
    kind: 'ieee802154',
    label: 'nRF52840 IEEE 802.15.4 (Thread sleepy end device), 0 dBm, MQTT-SN over 6LoWPAN/UDP',
    supplyV: 3.0,
    txCurrentMa: 6.4,
    rxCurrentMa: 6.53,
    sleepCurrentUa: 0,
    peakCurrentMa: 6.4,
    bitrateBps: 250e3,
    ...NRF_WAKE,
    ccaUs: 128,
    ackTurnaroundUs: 192,
    pollPeriodS: 30,
    parentResponseListenMs: 750,
    mleFrameBytes: 80,
    clientIdBytes: 16,
    sources: {
      supplyV: 'S-NRF-RADIO [DS] 3 V DC/DC',
      txCurrentMa: 'S-NRF-RADIO [DS] 802.15.4 TX 0 dBm 6.40 mA',
      rxCurrentMa: 'S-NRF-RADIO [DS] 802.15.4 RX 6.53 mA',
      sleepCurrentUa: '[DER] 0: inside the MCU System ON figure',
      peakCurrentMa: 'S-NRF-RADIO [DS] 802.15.4 TX 0 dBm 6.40 mA',
      bitrateBps: 'S-154FRAME via doc §3.2: 250 kbit/s O-QPSK, 32 µs/byte',
      ...NRF_WAKE_SOURCES,
      ccaUs: `${NOT_IN_DOC} CCA = 8 symbols = 128 µs in RX (IEEE 802.15.4 §6.9.9)`,
      ackTurnaroundUs: `${NOT_IN_DOC} aTurnaroundTime 12 symbols = 192 µs, listened at RX current`,
      pollPeriodS: '[ASSUME] 30 s sleepy-end-device poll period (doc §3.2: SED must poll its parent)',
      parentResponseListenMs: '[ASSUME] 750 ms listening for MLE Parent Responses during attach',
      mleFrameBytes: '[ASSUME] 80 B per MLE attach frame on air',
      clientIdBytes: '[ASSUME] 16-byte MQTT-SN client id',
    },
  },
};

export function radioProfile(id: RadioId): RadioProfile {
  const p = RADIO_PROFILES[id];
  if (!p) throw new RangeError(`unknown radio profile ${id}`);
  return p;
}

/** Radio floor while the node sleeps, µW. */
export function radioSleepPowerUw(radio: RadioProfile): number {
  return radio.sleepCurrentUa * radio.supplyV;
}
