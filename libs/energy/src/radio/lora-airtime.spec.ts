import {
  dutyCycleMinIntervalS,
  fairUseMessagesPerDay,
  loraSymbolMs,
  loraTimeOnAirMs,
  LoraModulation,
  maxLoraMessagesPerDay,
} from './lora-airtime';

const eu = (spreadingFactor: number, extra: Partial<LoraModulation> = {}): LoraModulation => ({
  spreadingFactor,
  bandwidthHz: 125_000,
  codingRate: 1,
  preambleSymbols: 8,
  explicitHeader: true,
  crc: true,
  ...extra,
});

describe('LoRa time on air (Semtech SX1276 DS §4.1.1.7 / AN1200.13)', () => {
  it('matches the doc §3.2 LoRaWAN table (PHY payload = app + 13 B)', () => {
    expect(loraTimeOnAirMs(eu(7), 15)).toBeCloseTo(46.336, 3); // doc: 46.3 ms
    expect(loraTimeOnAirMs(eu(7), 23)).toBeCloseTo(61.696, 3); // doc: 61.7 ms
    expect(loraTimeOnAirMs(eu(9), 23)).toBeCloseTo(205.824, 3); // doc: 205.8 ms
    expect(loraTimeOnAirMs(eu(12), 23)).toBeCloseTo(1482.752, 3); // doc: 1482.8 ms (LDRO on)
    expect(loraTimeOnAirMs(eu(12), 64)).toBeCloseTo(2793.472, 3); // doc: 2793.5 ms, 51-B app at SF12
  });

  it('matches the public TTN-community airtime calculator test vectors (avbentem/airtime-calculator, src/lora/Airtime.test.ts, checked there against a spreadsheet of the Semtech formula)', () => {
    expect(loraTimeOnAirMs(eu(7), 14)).toBeCloseTo(46.336, 2);
    expect(loraTimeOnAirMs(eu(7), 16)).toBeCloseTo(51.456, 2);
    expect(loraTimeOnAirMs(eu(7), 25)).toBeCloseTo(61.696, 2);
    expect(loraTimeOnAirMs(eu(7, { bandwidthHz: 250_000 }), 25)).toBeCloseTo(30.848, 2);
    expect(loraTimeOnAirMs(eu(7, { codingRate: 4 }), 25)).toBeCloseTo(86.272, 2);
    expect(loraTimeOnAirMs(eu(8), 15)).toBeCloseTo(92.672, 2);
    expect(loraTimeOnAirMs(eu(11), 25)).toBeCloseTo(823.296, 2); // SF11: LDRO on
  });

  it('switches low-data-rate optimisation on at Tsym ≥ 16 ms only', () => {
    expect(loraSymbolMs(eu(10))).toBeCloseTo(8.192, 6);
    expect(loraSymbolMs(eu(11))).toBeCloseTo(16.384, 6);
    // SF12, 23 B: with DE = 1 the denominator is 4·(12−2) = 40: ceil(164/40)=5 → 8 + 25 = 33 symbols
    // (+12.25 preamble) × 32.768 ms = 1482.752 ms; forcing DE = 0 gives ceil(164/48)=4 → 28 symbols.
    expect(loraTimeOnAirMs(eu(12, { lowDataRateOptimize: false }), 23)).toBeCloseTo((12.25 + 28) * 32.768, 3);
  });

  it('rejects PHY payloads outside 0..255', () => {
    expect(() => loraTimeOnAirMs(eu(7), 256)).toThrow(RangeError);
  });
});

describe('EU868 duty cycle and fair use', () => {
  it('1 % duty cycle: minimum interval = airtime / 0.01 (doc: 46.3 ms → 4.6 s)', () => {
    expect(dutyCycleMinIntervalS(46.336)).toBeCloseTo(4.6336, 6);
    expect(dutyCycleMinIntervalS(1482.752)).toBeCloseTo(148.2752, 6); // doc table rounds this to 147 s
    expect(dutyCycleMinIntervalS(100, 0.001)).toBeCloseTo(100, 9); // 0.1 % sub-band
  });

  it('TTN 30 s/day fair use (doc: 647 msgs/day at 46.3 ms, 486 at 61.7 ms, 20 at 1482.8 ms)', () => {
    expect(fairUseMessagesPerDay(46.336)).toBe(647);
    expect(fairUseMessagesPerDay(61.696)).toBe(486);
    expect(fairUseMessagesPerDay(1482.752)).toBe(20);
    // 86400 / 4.6336 s = 18646 by duty cycle, so fair use binds
    expect(maxLoraMessagesPerDay(46.336)).toBe(647);
  });
});
