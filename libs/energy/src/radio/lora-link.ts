import { Exchange, MessageCost, MessageOptions } from './exchange';
import { loraSymbolMs, loraTimeOnAirMs } from './lora-airtime';
import { OVERHEAD_BYTES as O } from './protocol-overheads';
import type { LoraRadioProfile } from './radio-profiles';

/**
 * LoRaWAN class A. No MQTT on air: the network server turns FRMPayload into an MQTT message, so the
 * overhead is the 13-B LoRaWAN MAC (+ 2-B PHY CRC on uplinks) [doc §3.2]. After every uplink the node
 * opens RX1 (uplink SF) and, if nothing arrived, RX2 (rx2SpreadingFactor); an empty window costs
 * `rxWindowSymbols` symbols of RX [DER doc §3.2]. QoS 1 → confirmed uplink whose 12-B ACK-only downlink
 * arrives in RX1 (so RX2 is skipped). Downlinks (direction 'down') arrive in the RX1 of some uplink and
 * are charged as the reception of their frame only; their ACK rides on the next uplink (no extra cost).
 *
 * Worked example, SF7, 10-B payload, QoS 0: PHY payload 23 B → ToA 61.7 ms (doc table) × 29 mA × 3.3 V
 * = 5.90 mJ; RX1 8 × 1.024 ms × 11 mA × 3.3 V = 0.297 mJ; RX2 at SF9 8 × 4.096 ms → 1.19 mJ; 7.39 mJ total.
 */
export function loraMessageCost(radio: LoraRadioProfile, opts: MessageOptions): MessageCost {
  const ex = new Exchange(radio.supplyV);
  const mod = radio.modulation;
  const macBytes = O.lorawanMac + opts.payloadBytes;
  if (opts.direction === 'up') {
    const phy = macBytes; // PL in the ToA formula = MAC frame; the CRC is the formula's CRC term
    ex.tx(
      { payload: opts.payloadBytes, link: O.lorawanMac + O.loraPhyCrc },
      loraTimeOnAirMs(mod, phy),
      radio.txCurrentMa,
    );
    if (opts.qos === 1) {
      ex.rx({ link: O.lorawanAckOnly }, loraTimeOnAirMs({ ...mod, crc: false }, O.lorawanAckOnly), radio.rxCurrentMa);
    } else {
      emptyWindows(ex, radio);
    }
  } else {
    ex.rx(
      { payload: opts.payloadBytes, link: O.lorawanMac },
      loraTimeOnAirMs({ ...mod, crc: false }, macBytes),
      radio.rxCurrentMa,
    );
  }
  return ex.build();
}

function emptyWindows(ex: Exchange, radio: LoraRadioProfile): void {
  ex.wait(radio.rxWindowSymbols * loraSymbolMs(radio.modulation), radio.rxCurrentMa);
  ex.wait(
    radio.rxWindowSymbols * loraSymbolMs({ ...radio.modulation, spreadingFactor: radio.rx2SpreadingFactor }),
    radio.rxCurrentMa,
  );
}

/** OTAA join: join-request uplink, join-accept received in RX1 (LoRaWAN 1.0.x; sizes NOT_IN_DOC). */
export function loraConnectCost(radio: LoraRadioProfile): MessageCost {
  const ex = new Exchange(radio.supplyV);
  const mod = radio.modulation;
  ex.tx({ link: O.lorawanJoinRequest + O.loraPhyCrc }, loraTimeOnAirMs(mod, O.lorawanJoinRequest), radio.txCurrentMa);
  ex.rx({ link: O.lorawanJoinAccept }, loraTimeOnAirMs({ ...mod, crc: false }, O.lorawanJoinAccept), radio.rxCurrentMa);
  return ex.build();
}

/** Class A keeps no link state: nothing to keep alive (a LinkCheckReq would be an ordinary uplink). */
export function loraKeepAliveCostUj(_radio: LoraRadioProfile, _intervalS: number): number {
  return 0;
}
