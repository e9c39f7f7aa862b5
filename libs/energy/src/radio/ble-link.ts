import { Exchange, MessageCost, MessageOptions, DEFAULT_TOPIC_BYTES, splitMessage } from './exchange';
import { OVERHEAD_BYTES as O, mqttPublishBytes } from './protocol-overheads';
import type { BleRadioProfile } from './radio-profiles';

/**
 * BLE connection events (energy-sources.md §3.2). In each exchange the central (gateway) transmits
 * first and the node answers T_IFS later; a side with nothing to say sends an empty PDU. Per packet the
 * node pays ramp-up (inside T_IFS) + 8 µs per byte at TX or RX current; per event it pays the wake/HFXO
 * start and CPU post-processing once. The MQTT PUBLISH bytes travel inside GATT notifications (one
 * notification per LL PDU, L2CAP 4 + ATT 3 each) to a gateway that speaks MQTT upstream [ASSUME].
 *
 * Worked example, empty event (3 V): wake 0.4 ms × 2 mA = 2.40 µJ; RX empty PDU (10 B = 80 µs + 140 µs
 * ramp) × 6.26 mA = 4.13 µJ; TX empty PDU 220 µs × 6.40 mA = 4.22 µJ; post 0.3 ms × 3.3 mA = 2.97 µJ →
 * 13.7 µJ (doc §3.2 estimate ≈15 µJ).
 */
interface Pdu {
  /** Bytes in the LL payload that are app payload / MQTT header; plus whether L2CAP+ATT ride in it. */
  payload: number;
  application: number;
  l2capAtt: boolean;
}

const EMPTY: Pdu = { payload: 0, application: 0, l2capAtt: false };

export function bleConnectionEvent(
  radio: BleRadioProfile,
  nodeTx: readonly Pdu[],
  nodeRx: readonly Pdu[],
): MessageCost {
  const ex = new Exchange(radio.supplyV).wake(radio.wakeMs, radio.wakeCurrentMa);
  const exchanges = Math.max(nodeTx.length, nodeRx.length, 1);
  const rampMs = radio.rampUs / 1000;
  for (let i = 0; i < exchanges; i++) {
    const down = nodeRx[i] ?? EMPTY;
    const up = nodeTx[i] ?? EMPTY;
    const d = pduBytes(radio, down);
    ex.rx(d, airMs(radio, d), radio.rxCurrentMa, rampMs);
    const u = pduBytes(radio, up);
    ex.tx(u, airMs(radio, u), radio.txCurrentMa, rampMs);
  }
  return ex.wait(radio.postProcessMs, radio.postProcessCurrentMa).build();
}

function pduBytes(radio: BleRadioProfile, pdu: Pdu) {
  const body = pdu.payload + pdu.application + (pdu.l2capAtt ? O.bleL2capAtt : 0);
  const mic = radio.encrypted && body > 0 ? O.bleMic : 0;
  return {
    payload: pdu.payload,
    application: pdu.application,
    transport: pdu.l2capAtt ? O.bleL2capAtt : 0,
    link: O.bleLinkLayer + mic,
  };
}

function airMs(
  radio: BleRadioProfile,
  b: { payload: number; application: number; transport: number; link: number },
): number {
  return (((b.payload + b.application + b.transport + b.link) * 8) / radio.bitrateBps) * 1000;
}

/** A notification/write stream carrying `application` header + `payload` bytes, one ATT PDU per LL PDU. */
function attPdus(radio: BleRadioProfile, application: number, payload: number): Pdu[] {
  const capacity = radio.llPayloadMaxBytes - O.bleL2capAtt;
  return splitMessage(application, payload, capacity).map((c) => ({ ...c, l2capAtt: true }));
}

export function bleMessageCost(radio: BleRadioProfile, opts: MessageOptions): MessageCost {
  const topic = opts.topicBytes ?? DEFAULT_TOPIC_BYTES;
  const publish = mqttPublishBytes(opts.payloadBytes, topic, opts.qos);
  const data = attPdus(radio, publish - opts.payloadBytes, opts.payloadBytes);
  const puback = opts.qos === 1 ? attPdus(radio, O.mqttPuback, 0) : [];
  // The PUBACK answers in the exchange after the last data PDU (the gateway acks locally [ASSUME]).
  const waitFor = (n: number) => Array.from({ length: n }, () => EMPTY);
  if (opts.direction === 'up') return bleConnectionEvent(radio, data, [...waitFor(data.length), ...puback]);
  return bleConnectionEvent(radio, puback.length ? [...waitFor(data.length), ...puback] : [], data);
}

export function bleKeepAliveCostUj(radio: BleRadioProfile, intervalS: number): number {
  // Connection events happen whether or not there is data; a message rides on one of them, so the
  // keep-alive over intervalS is intervalS / connectionInterval empty events.
  return (intervalS / radio.connectionIntervalS) * bleConnectionEvent(radio, [], []).energyUj;
}

/** One connectable advertising event on 3 channels, the CONNECT_IND, then setup connection events. */
export function bleConnectCost(radio: BleRadioProfile): MessageCost {
  const ex = new Exchange(radio.supplyV).wake(radio.wakeMs, radio.wakeCurrentMa);
  const rampMs = radio.rampUs / 1000;
  const adv = { link: O.bleLinkLayer + 6 + radio.advDataBytes, payload: 0, application: 0 }; // AdvA 6 B + adv data
  for (let ch = 0; ch < 3; ch++) {
    ex.tx(adv, airMs(radio, { ...adv, transport: 0 }), radio.txCurrentMa, rampMs);
    if (ch < 2) ex.wait(radio.advListenUs / 1000, radio.rxCurrentMa);
  }
  const connectInd = { link: O.bleLinkLayer + 34, payload: 0, application: 0 }; // CONNECT_IND LL payload 34 B
  ex.rx(connectInd, airMs(radio, { ...connectInd, transport: 0 }), radio.rxCurrentMa, rampMs);
  ex.wait(radio.postProcessMs, radio.postProcessCurrentMa);
  // e.g. ATT MTU exchange: L2CAP 4 + ATT 3 B each way.
  const setup = bleConnectionEvent(radio, [{ ...EMPTY, l2capAtt: true }], [{ ...EMPTY, l2capAtt: true }]);
  for (let i = 0; i < radio.connectSetupEvents; i++) ex.add(setup);
  return ex.build();
}
