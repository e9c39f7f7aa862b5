/**
 * LoRa time on air, Semtech SX1276/77/78/79 datasheet §4.1.1.6–4.1.1.7 (also AN1200.13), as quoted
 * in energy-sources.md §3.2 [S-LORA-TOA]:
 *   Tsym = 2^SF / BW
 *   Tpreamble = (Npreamble + 4.25) · Tsym
 *   Npayload = 8 + max(ceil((8·PL − 4·SF + 28 + 16·CRC − 20·IH) / (4·(SF − 2·DE))) · (CR + 4), 0)
 *   ToA = Tpreamble + Npayload · Tsym
 * PL = PHY payload bytes (LoRaWAN: MAC header + FRMPayload + MIC), CR = 1..4 for 4/5..4/8,
 * IH = 1 for implicit header, DE = 1 (low-data-rate optimisation) when Tsym ≥ 16 ms, i.e. SF11/SF12 at 125 kHz.
 */
export interface LoraModulation {
  readonly spreadingFactor: number; // 6..12
  readonly bandwidthHz: number; // 125 000 / 250 000 / 500 000
  /** 1..4 → coding rate 4/5..4/8. */
  readonly codingRate: 1 | 2 | 3 | 4;
  readonly preambleSymbols: number;
  readonly explicitHeader: boolean;
  readonly crc: boolean;
  /** Force low-data-rate optimisation on/off; default: on when the symbol time is ≥ 16 ms. */
  readonly lowDataRateOptimize?: boolean;
}

export function loraSymbolMs(m: Pick<LoraModulation, 'spreadingFactor' | 'bandwidthHz'>): number {
  return (2 ** m.spreadingFactor / m.bandwidthHz) * 1000;
}

export function loraPayloadSymbols(m: LoraModulation, phyPayloadBytes: number): number {
  if (!Number.isInteger(phyPayloadBytes) || phyPayloadBytes < 0 || phyPayloadBytes > 255) {
    throw new RangeError(`LoRa PHY payload must be 0..255 bytes, got ${phyPayloadBytes}`);
  }
  const sf = m.spreadingFactor;
  const de = (m.lowDataRateOptimize ?? loraSymbolMs(m) >= 16) ? 1 : 0;
  const ih = m.explicitHeader ? 0 : 1;
  const crc = m.crc ? 1 : 0;
  const numerator = 8 * phyPayloadBytes - 4 * sf + 28 + 16 * crc - 20 * ih;
  return 8 + Math.max(Math.ceil(numerator / (4 * (sf - 2 * de))) * (m.codingRate + 4), 0);
}

export function loraTimeOnAirMs(m: LoraModulation, phyPayloadBytes: number): number {
  const tSym = loraSymbolMs(m);
  const preambleMs = (m.preambleSymbols + 4.25) * tSym;
  return preambleMs + loraPayloadSymbols(m, phyPayloadBytes) * tSym;
}

/**
 * EU868 sub-band duty cycle (ETSI EN 300 220; 1 % on the g/g1 sub-bands used by LoRaWAN uplinks
 * [S-LMIC-401 via doc §3.2]): after transmitting for T, the device must stay silent on that sub-band so
 * that T is at most dutyCycle of the time — minimum interval between message starts = T / dutyCycle.
 */
export const EU868_DUTY_CYCLE = 0.01;

export function dutyCycleMinIntervalS(airtimeMs: number, dutyCycle: number = EU868_DUTY_CYCLE): number {
  if (!(dutyCycle > 0 && dutyCycle <= 1)) throw new RangeError('dutyCycle must be in (0, 1]');
  return airtimeMs / 1000 / dutyCycle;
}

/**
 * The Things Network fair-use policy: 30 s of uplink airtime per device per day [S-TTN-RL via doc §3.2;
 * the doc notes the value was not re-read from the policy page — treat as [2nd]].
 */
export const TTN_FAIR_USE_UPLINK_S_PER_DAY = 30;

export function fairUseMessagesPerDay(
  airtimeMs: number,
  budgetSPerDay: number = TTN_FAIR_USE_UPLINK_S_PER_DAY,
): number {
  return Math.floor((budgetSPerDay * 1000) / airtimeMs);
}

/** Max messages per day allowed by both the duty cycle and the fair-use budget. */
export function maxLoraMessagesPerDay(airtimeMs: number, dutyCycle: number = EU868_DUTY_CYCLE): number {
  return Math.min(Math.floor(86_400 / dutyCycleMinIntervalS(airtimeMs, dutyCycle)), fairUseMessagesPerDay(airtimeMs));
}
