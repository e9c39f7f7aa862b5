import { parseClaimToken } from './fleet-setup';
import { parseDurationMs, parseMix, planFleet, startGasNodesBefore } from './fleet-plan';
import { ScaledClock } from '../node/node-ports';

describe('fleet plan', () => {
  it('splits N nodes by the mix, gas half fruit half ethylene, with stable hardware ids', () => {
    const specs = planFleet('f', 10, 'soil:40,gas:30,doorbell:30');
    const count = (s: string) => specs.filter((x) => x.stream === s).length;
    expect(specs).toHaveLength(10);
    expect([count('soil'), count('gas-fruit') + count('gas-ethylene'), count('doorbell')]).toEqual([4, 3, 3]);
    expect(new Set(specs.map((s) => s.hardwareId)).size).toBe(10);
    expect(specs[0].hardwareId).toBe('f-soil-0');
    expect([...parseMix('gas:10')]).toEqual([
      ['gas-fruit', 5],
      ['gas-ethylene', 5],
    ]);
    expect(() => parseMix('wind:3')).toThrow(/unknown stream/);
  });

  it('startGasNodesBefore: gas-ethylene nodes reach a row after the lead, one exposure (5 min) apart', () => {
    const specs = startGasNodesBefore(planFleet('f', 6, 'gas-ethylene:50,soil:50'), 1000, 30 * 3_600_000);
    // 30 h of one exposure every 5 virtual minutes: 360 exposures before row 1000.
    expect(specs.filter((s) => s.stream === 'gas-ethylene').map((s) => s.streamOffset)).toEqual([640, 641, 642]);
    expect(specs.filter((s) => s.stream === 'soil').map((s) => s.streamOffset)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(() => startGasNodesBefore(specs, 100, 30 * 3_600_000)).toThrow(/before the first UCI row/);
  });

  it('parses durations and claim tokens', () => {
    expect(parseDurationMs('2h')).toBe(7_200_000);
    expect(parseDurationMs('90s')).toBe(90_000);
    expect(() => parseDurationMs('soon')).toThrow();
    expect(parseClaimToken('clm-abc:se:cret')).toEqual({ claimId: 'clm-abc', claimSecret: 'se:cret' });
    expect(() => parseClaimToken('clm-abc')).toThrow(/claimId/);
  });

  it('scaled clock: virtual time runs `speed` times faster from the shared start', () => {
    let real = 1000;
    const c = new ScaledClock(5_000_000, 600, () => real, 1000);
    real += 1500;
    expect(c.nowMs()).toBe(5_000_000 + 900_000);
  });
});
