import { Exchange, MessageCost, MessageOptions, splitMessage } from './exchange';
import { OVERHEAD_BYTES as O } from './protocol-overheads';
import type { Ieee802154RadioProfile } from './radio-profiles';

/**
 * IEEE 802.15.4 (Thread sleepy end device) carrying MQTT-SN over 6LoWPAN/UDP to a border router /
 * MQTT-SN gateway [ASSUME]. Each data frame: CCA (RX), ramp, frame at 32 µs/byte, turnaround (RX),
 * 11-B ACK. A SED receives only by polling its parent: data request → ACK → pending frame → our ACK.
 * Bytes on air count SHR+PHR, MAC header and FCS as link, 6LoWPAN/UDP (+ fragment headers) as transport.
 *
 * Worked example, 10-B payload, QoS 0, up: frame = 6 + 11 + 20 + 7 + 10 = 54 B → 1.728 ms at 6.4 mA;
 * ramp 0.14 ms; CCA 0.128 ms + turnaround 0.192 ms + ACK 0.352 ms at 6.53 mA; wake 0.4 ms × 2 mA; post
 * 0.3 ms × 3.3 mA; at 3 V: 2.40 + 35.9 + 13.2 + 2.97 ≈ 54.5 µJ (doc §3.3: "≈30–100 µJ [ASSUME]").
 */
const MAX_MAC_PAYLOAD = O.ieee802154MaxPsdu - O.ieee802154Mac;

function byteMs(radio: Ieee802154RadioProfile, bytes: number): number {
  return ((bytes * 8) / radio.bitrateBps) * 1000;
}

/** 6LoWPAN frames for an MQTT-SN message: IPHC/UDP in every frame, FRAG header when fragmented. */
function frames(application: number, payload: number) {
  const unfragmented = application + payload + O.sixLowpanUdp <= MAX_MAC_PAYLOAD;
  const capacity = MAX_MAC_PAYLOAD - O.sixLowpanUdp - (unfragmented ? 0 : O.sixLowpanFrag);
  return splitMessage(application, payload, capacity).map((c) => ({
    ...c,
    transport: O.sixLowpanUdp + (unfragmented ? 0 : O.sixLowpanFrag),
    link: O.ieee802154Phy + O.ieee802154Mac,
  }));
}

type Frame = ReturnType<typeof frames>[number];

function sendFrame(ex: Exchange, radio: Ieee802154RadioProfile, f: Frame | { link: number }): void {
  const total = ('transport' in f ? f.payload + f.application + f.transport : 0) + f.link;
  ex.wait(radio.ccaUs / 1000, radio.rxCurrentMa);
  ex.tx(f, byteMs(radio, total), radio.txCurrentMa, radio.rampUs / 1000);
  ex.wait(radio.ackTurnaroundUs / 1000, radio.rxCurrentMa);
  ex.rx({ link: O.ieee802154Ack }, byteMs(radio, O.ieee802154Ack), radio.rxCurrentMa);
}

function receiveFrame(ex: Exchange, radio: Ieee802154RadioProfile, f: Frame): void {
  ex.rx(f, byteMs(radio, f.payload + f.application + f.transport + f.link), radio.rxCurrentMa, radio.rampUs / 1000);
  ex.wait(radio.ackTurnaroundUs / 1000, radio.rxCurrentMa);
  ex.tx({ link: O.ieee802154Ack }, byteMs(radio, O.ieee802154Ack), radio.txCurrentMa);
}

function wakeAndPoll(ex: Exchange, radio: Ieee802154RadioProfile, incoming: readonly Frame[]): void {
  ex.wake(radio.wakeMs, radio.wakeCurrentMa);
  sendFrame(ex, radio, { link: O.ieee802154DataRequest });
  for (const f of incoming) receiveFrame(ex, radio, f);
  ex.wait(radio.postProcessMs, radio.postProcessCurrentMa);
}

export function ieee802154MessageCost(radio: Ieee802154RadioProfile, opts: MessageOptions): MessageCost {
  const ex = new Exchange(radio.supplyV);
  const data = frames(O.mqttSnPublish, opts.payloadBytes);
  const puback = frames(O.mqttSnPuback, 0);
  if (opts.direction === 'up') {
    ex.wake(radio.wakeMs, radio.wakeCurrentMa);
    for (const f of data) sendFrame(ex, radio, f);
    ex.wait(radio.postProcessMs, radio.postProcessCurrentMa);
    // The PUBACK waits at the parent; the node sleeps, then polls for it.
    if (opts.qos === 1) wakeAndPoll(ex, radio, puback);
  } else {
    wakeAndPoll(ex, radio, data);
    if (opts.qos === 1) for (const f of puback) sendFrame(ex, radio, f);
  }
  return ex.build();
}

export function ieee802154KeepAliveCostUj(radio: Ieee802154RadioProfile, intervalS: number): number {
  const poll = new Exchange(radio.supplyV);
  wakeAndPoll(poll, radio, []);
  const ping = new Exchange(radio.supplyV).wake(radio.wakeMs, radio.wakeCurrentMa);
  for (const f of frames(O.mqttSnPing, 0)) sendFrame(ping, radio, f);
  wakeAndPoll(ping, radio, frames(O.mqttSnPing, 0));
  return (intervalS / radio.pollPeriodS) * poll.build().energyUj + ping.build().energyUj;
}

/** Thread attach (MLE parent request, listen for responses, child id request/response) + MQTT-SN CONNECT. */
export function ieee802154ConnectCost(radio: Ieee802154RadioProfile): MessageCost {
  const ex = new Exchange(radio.supplyV).wake(radio.wakeMs, radio.wakeCurrentMa);
  const mle = {
    payload: 0,
    application: 0,
    transport: radio.mleFrameBytes - O.ieee802154Phy - O.ieee802154Mac,
    link: O.ieee802154Phy + O.ieee802154Mac,
  };
  sendFrame(ex, radio, mle); // parent request (its ACK stands in for the unacked multicast)
  ex.wait(radio.parentResponseListenMs, radio.rxCurrentMa);
  receiveFrame(ex, radio, mle); // parent response
  sendFrame(ex, radio, mle); // child id request
  wakeAndPoll(ex, radio, [mle]); // child id response
  for (const f of frames(O.mqttSnConnectBase + radio.clientIdBytes, 0)) sendFrame(ex, radio, f);
  wakeAndPoll(ex, radio, frames(O.mqttSnConnack, 0));
  return ex.build();
}
