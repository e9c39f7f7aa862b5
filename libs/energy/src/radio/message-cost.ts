import { bleConnectCost, bleKeepAliveCostUj, bleMessageCost } from './ble-link';
import { MessageCost, MessageOptions } from './exchange';
import { ieee802154ConnectCost, ieee802154KeepAliveCostUj, ieee802154MessageCost } from './ieee802154-link';
import { ipConnectCost, ipKeepAliveCostUj, ipMessageCost } from './ip-link';
import { loraConnectCost, loraKeepAliveCostUj, loraMessageCost } from './lora-link';
import type { RadioProfile } from './radio-profiles';

/**
 * Energy, airtime and bytes on air of one application message over `radio`, with every protocol
 * overhead (see each link file for the exchange modelled and a worked example). Excludes connection
 * set-up (`connectCostUj`) and the cost of staying connected between messages (`keepAliveCostUj`).
 */
export function messageCost(radio: RadioProfile, opts: MessageOptions): MessageCost {
  if (!Number.isInteger(opts.payloadBytes) || opts.payloadBytes < 0) {
    throw new RangeError(`payloadBytes must be a non-negative integer, got ${opts.payloadBytes}`);
  }
  switch (radio.kind) {
    case 'ble':
      return bleMessageCost(radio, opts);
    case 'wifi':
    case 'cellular':
      return ipMessageCost(radio, opts);
    case 'lora':
      return loraMessageCost(radio, opts);
    case 'ieee802154':
      return ieee802154MessageCost(radio, opts);
  }
}

/** Link + session set-up, with its bytes (Wi-Fi association/DHCP + TCP + MQTT CONNECT, PSM wake + TAU, OTAA join, BLE advertising + setup, Thread attach). */
export function connectCost(radio: RadioProfile): MessageCost {
  switch (radio.kind) {
    case 'ble':
      return bleConnectCost(radio);
    case 'wifi':
    case 'cellular':
      return ipConnectCost(radio);
    case 'lora':
      return loraConnectCost(radio);
    case 'ieee802154':
      return ieee802154ConnectCost(radio);
  }
}

export function connectCostUj(radio: RadioProfile): number {
  return connectCost(radio).energyUj;
}

/**
 * Energy to keep the link and MQTT session alive for one interval of `intervalS` seconds (above the
 * node's sleep floor): BLE empty connection events; Wi-Fi DTIM idle + PINGREQ/PINGRESP; cellular eDRX
 * idle + wake + ping; 802.15.4 parent polls + MQTT-SN ping; LoRaWAN class A: 0.
 */
export function keepAliveCostUj(radio: RadioProfile, intervalS: number): number {
  if (!(intervalS >= 0)) throw new RangeError('intervalS must be ≥ 0');
  switch (radio.kind) {
    case 'ble':
      return bleKeepAliveCostUj(radio, intervalS);
    case 'wifi':
    case 'cellular':
      return ipKeepAliveCostUj(radio, intervalS);
    case 'lora':
      return loraKeepAliveCostUj(radio, intervalS);
    case 'ieee802154':
      return ieee802154KeepAliveCostUj(radio, intervalS);
  }
}
