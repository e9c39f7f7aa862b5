import { Exchange, MessageCost, MessageOptions, DEFAULT_TOPIC_BYTES } from './exchange';
import { OVERHEAD_BYTES as O, mqttPublishBytes } from './protocol-overheads';
import type { CellularRadioProfile, WifiRadioProfile } from './radio-profiles';

/**
 * MQTT 3.1.1 over TCP/IPv4 (optionally TLS) on Wi-Fi (802.11 frames + MAC ACKs) or LTE-M/NB-IoT
 * (PDCP/RLC/MAC headers; HARQ feedback not modelled). The node listens at RX current for one RTT
 * whenever it waits for an answer: for a QoS 0 publish it waits for the TCP ACK before sleeping
 * [ASSUME], for QoS 1 for the PUBACK (which carries the TCP ACK) and then ACKs it.
 *
 * Worked example, ESP32, 10-B payload, QoS 0, 24-B topic, no TLS: PUBLISH = 2 + 2 + 24 + 10 = 38 B;
 * IP packet 78 B; 802.11 frame 132 B → 36 µs + 16.2 µs at 248 mA; MAC ACK 14 B at 6 Mbit/s 38.7 µs
 * + SIFS at 110 mA; RTT 25 ms at 110 mA = 9.08 mJ; TCP ACK frame 94 B (47.6 µs at 110 mA) + our MAC ACK.
 * ≈ 9.2 mJ in all — the waiting, not the airtime, dominates.
 */
type IpRadio = WifiRadioProfile | CellularRadioProfile;

interface Segment {
  payload: number;
  application: number;
}

function tlsBytes(radio: IpRadio, seg: Segment): number {
  return radio.tls && seg.payload + seg.application > 0 ? O.tlsRecord : 0;
}

function send(ex: Exchange, radio: IpRadio, seg: Segment): void {
  const transport = O.ipv4 + O.tcp + tlsBytes(radio, seg);
  if (radio.kind === 'wifi') {
    const bytes = { ...seg, transport, link: O.wifiDataFrame };
    ex.tx(
      bytes,
      radio.phyPreambleUs / 1000 + frameMs(seg, transport + O.wifiDataFrame, radio.phyRateBps),
      radio.txCurrentMa,
    );
    ex.wait(radio.sifsUs / 1000, radio.rxCurrentMa);
    ex.rx(
      { link: O.wifiAck },
      radio.legacyPreambleUs / 1000 + bitsMs(O.wifiAck, radio.basicRateBps),
      radio.rxCurrentMa,
    );
  } else {
    ex.tx(
      { ...seg, transport: transport + O.lteL2 },
      frameMs(seg, transport + O.lteL2, radio.uplinkRateBps),
      radio.txCurrentMa,
    );
  }
}

function receive(ex: Exchange, radio: IpRadio, seg: Segment): void {
  const transport = O.ipv4 + O.tcp + tlsBytes(radio, seg);
  if (radio.kind === 'wifi') {
    ex.rx(
      { ...seg, transport, link: O.wifiDataFrame },
      radio.phyPreambleUs / 1000 + frameMs(seg, transport + O.wifiDataFrame, radio.phyRateBps),
      radio.rxCurrentMa,
    );
    ex.wait(radio.sifsUs / 1000, radio.rxCurrentMa);
    ex.tx(
      { link: O.wifiAck },
      radio.legacyPreambleUs / 1000 + bitsMs(O.wifiAck, radio.basicRateBps),
      radio.txCurrentMa,
    );
  } else {
    ex.rx(
      { ...seg, transport: transport + O.lteL2 },
      frameMs(seg, transport + O.lteL2, radio.downlinkRateBps),
      radio.rxCurrentMa,
    );
  }
}

function frameMs(seg: Segment, overhead: number, rateBps: number): number {
  return bitsMs(seg.payload + seg.application + overhead, rateBps);
}

function bitsMs(bytes: number, rateBps: number): number {
  return ((bytes * 8) / rateBps) * 1000;
}

const MSS = 1460 - 22; // keep a TLS record inside one segment

function segments(application: number, payload: number): Segment[] {
  const out: Segment[] = [];
  let app = application;
  let pay = payload;
  do {
    const a = Math.min(app, MSS);
    const p = Math.min(pay, MSS - a);
    out.push({ application: a, payload: p });
    app -= a;
    pay -= p;
  } while (app + pay > 0);
  return out;
}

function roundTrip(ex: Exchange, radio: IpRadio): void {
  ex.wait(radio.rttMs, radio.rxCurrentMa);
}

export function ipMessageCost(radio: IpRadio, opts: MessageOptions): MessageCost {
  const ex = new Exchange(radio.supplyV);
  const topic = opts.topicBytes ?? DEFAULT_TOPIC_BYTES;
  const publish = segments(mqttPublishBytes(opts.payloadBytes, topic, opts.qos) - opts.payloadBytes, opts.payloadBytes);
  const ack: Segment = { application: 0, payload: 0 };
  const puback: Segment = { application: O.mqttPuback, payload: 0 };
  if (opts.direction === 'up') {
    for (const seg of publish) send(ex, radio, seg);
    roundTrip(ex, radio);
    if (opts.qos === 1) {
      receive(ex, radio, puback);
      send(ex, radio, ack);
    } else {
      receive(ex, radio, ack);
    }
  } else {
    // Downlink arrives while the link is up (listening is in the keep-alive); the node ACKs it.
    for (const seg of publish) receive(ex, radio, seg);
    send(ex, radio, opts.qos === 1 ? puback : ack);
  }
  return ex.build();
}

/** TCP three-way handshake, optional TLS handshake, MQTT CONNECT/CONNACK, plus the link's own setup. */
export function ipConnectCost(radio: IpRadio): MessageCost {
  const ex = new Exchange(radio.supplyV);
  if (radio.kind === 'wifi') {
    ex.lumpUj(
      radio.associateUj + (radio.useDhcp ? radio.dhcpUj : 0),
      radio.associateMs + (radio.useDhcp ? radio.dhcpMs : 0),
    );
  } else {
    ex.lumpUj(radio.connectUj, radio.connectMs);
  }
  const bare = { ...radio, tls: false } as IpRadio;
  send(ex, bare, { application: 0, payload: 0 }); // SYN
  roundTrip(ex, radio);
  receive(ex, bare, { application: 0, payload: 0 }); // SYN-ACK
  send(ex, bare, { application: 0, payload: 0 }); // ACK
  if (radio.tls) {
    ex.lumpUj(radio.tlsHandshakeUj, radio.tlsHandshakeMs);
    for (const seg of segments(radio.tlsHandshakeBytesUp, 0)) send(ex, bare, seg);
    for (const seg of segments(radio.tlsHandshakeBytesDown, 0)) receive(ex, bare, seg);
  }
  send(ex, radio, { application: O.mqttConnectBase + radio.clientIdBytes, payload: 0 });
  roundTrip(ex, radio);
  receive(ex, radio, { application: O.mqttConnack, payload: 0 });
  return ex.build();
}

/**
 * Staying connected for intervalS: Wi-Fi DTIM idle or cellular eDRX idle current, plus one MQTT
 * PINGREQ/PINGRESP. On cellular the ping must first leave idle: we charge the PSM-wake/TAU figure as
 * an upper-bound proxy for that RRC setup [ASSUME, doc §3.2 "a small uplink from PSM costs at least this order"].
 */
export function ipKeepAliveCostUj(radio: IpRadio, intervalS: number): number {
  const ex = new Exchange(radio.supplyV);
  if (radio.kind === 'wifi') ex.wait(intervalS * 1000, radio.connectedIdleCurrentMa);
  else ex.wait(intervalS * 1000, radio.idleCurrentUa / 1000).lumpUj(radio.connectUj, radio.connectMs);
  send(ex, radio, { application: O.mqttPing, payload: 0 });
  roundTrip(ex, radio);
  receive(ex, radio, { application: O.mqttPing, payload: 0 });
  return ex.build().energyUj;
}
