import type { WindowSignals } from '@tinyfleet/drift';
import { evaluateGates, gateVerdicts, HealthGates, SideStats } from './health-gates';

const side = (accuracyInferences: number, accuracyCorrect: number, over: Partial<SideStats> = {}): SideStats => ({
  devices: 5,
  events: 100,
  deviceHours: 10,
  eventsPerDeviceHour: 10,
  meanScoreQ: 90,
  meanEnergyUj: 400,
  accuracyInferences,
  accuracyCorrect,
  accuracyPct: accuracyInferences ? (100 * accuracyCorrect) / accuracyInferences : null,
  accuracyDevices: accuracyInferences ? 5 : 0,
  ...over,
});
const now = new Date('2026-11-27T00:00:00Z');

describe('the on-device accuracy health gate', () => {
  const gates: HealthGates = { minDevicesPerSide: 3, maxAccuracyDropPct: 5, autoRollback: true };

  it('breaches when the updated side falls more points below the control side than allowed, naming both and the limit', () => {
    // 150 of 240 = 62.5 % vs 218 of 250 = 87.2 %: a drop of 24.7 points > 5
    const readings = evaluateGates(gates, side(240, 150), side(250, 218), now);
    expect(readings).toMatchObject({ pass: false, notJudged: [] });
    expect(readings.breaches).toEqual([
      'on-device accuracy 62.5 % vs 87.2 % on the old model (drop 24.7 pts, limit 5 pts)',
    ]);
  });

  it('passes a drop within the limit, and any gain', () => {
    // 84 of 100 = 84 % vs 87.2 %: a drop of 3.2 points ≤ 5
    expect(evaluateGates(gates, side(100, 84), side(250, 218), now)).toMatchObject({
      pass: true,
      breaches: [],
      notJudged: [],
    });
    expect(evaluateGates(gates, side(100, 99), side(250, 218), now).pass).toBe(true);
  });

  it('does not judge accuracy below the minimum inferences per side (default 30), and says so', () => {
    const few = evaluateGates(gates, side(29, 0), side(250, 218), now);
    expect(few).toMatchObject({ pass: null, breaches: [] });
    expect(few.notJudged).toEqual([
      'on-device accuracy: not enough inferences checked against ground truth (29 updated, 250 control; at least 30 per side)',
    ]);
    expect(
      evaluateGates({ ...gates, minAccuracyInferences: 300 }, side(290, 280), side(250, 218), now).notJudged[0],
    ).toMatch(/290 updated, 250 control; at least 300 per side/);
    expect(evaluateGates(gates, side(30, 0), side(0, 0), now).pass).toBeNull();
    // exactly the minimum is enough
    expect(evaluateGates(gates, side(30, 0), side(30, 30), now).breaches).toEqual([
      'on-device accuracy 0 % vs 100 % on the old model (drop 100 pts, limit 5 pts)',
    ]);
  });

  it('a breach of another gate is a verdict even while accuracy still waits for data', () => {
    const both = { ...gates, maxScoreShiftQ: 20 };
    const readings = evaluateGates(both, side(3, 3, { meanScoreQ: 10 }), side(250, 218), now);
    expect(readings.pass).toBe(false);
    expect(readings.breaches).toEqual(['mean score 10 vs 90 (shift -80 q, limit ±20)']);
    expect(readings.notJudged).toHaveLength(1);
  });

  it('needs enough devices reporting accuracy on both sides', () => {
    const readings = evaluateGates(gates, side(240, 150, { accuracyDevices: 2 }), side(250, 218), now);
    expect(readings).toMatchObject({
      pass: null,
      breaches: [],
      notJudged: ['on-device accuracy: not enough devices reporting it (2 updated, 5 control; at least 3 per side)'],
    });
  });

  it('judges accuracy without events: an on-change model over a steady stream may send none', () => {
    const quiet = { devices: 0, events: 0, eventsPerDeviceHour: null, meanScoreQ: null, meanEnergyUj: null };
    expect(evaluateGates(gates, side(240, 150, quiet), side(250, 218, quiet), now)).toMatchObject({
      pass: false,
      breaches: [expect.stringMatching(/^on-device accuracy 62.5 %/)],
    });
    // With an event gate configured too, that gate waits and says why; the accuracy verdict stands.
    const both = evaluateGates({ ...gates, maxEventRateChange: 0.5 }, side(100, 99, quiet), side(250, 218, quiet), now);
    expect(both).toMatchObject({
      pass: null,
      breaches: [],
      notJudged: ['event gates: not enough devices with events (0 updated, 0 control; at least 3 per side)'],
    });
  });
});

describe('the drift gate (no ground truth)', () => {
  const gates: HealthGates = { minDevicesPerSide: 3, maxDriftPsi: 0.25, autoRollback: false };
  const signals = (ones: number, n = 1000): WindowSignals => ({
    inferences: n,
    classCounts: [n - ones, ones],
    scoreHistogram: [...Array(15).fill(0), n],
    lowMargin: 0,
    inputStats: [],
  });

  it('fails when the new model fires far more often than its shipped reference, judged without the control side', () => {
    const updated = side(0, 0, {
      summary: signals(900),
      summaryReference: { signals: signals(100), source: 'manifest.monitoring: validation split' },
    });
    const readings = evaluateGates(gates, updated, side(0, 0), now);
    expect(readings.pass).toBe(false);
    expect(readings.breaches[0]).toMatch(
      /^drift against manifest\.monitoring: validation split: class mix PSI 3\.\d+ > 0\.25$/,
    );
    expect(gateVerdicts(gates, readings).find((v) => v.gate === 'drift')).toMatchObject({
      limit: 0.25,
      verdict: 'fail',
      reading: expect.closeTo(3.5, 0),
    });
  });

  it('without a shipped reference, compares with the control side on the old model; the same mix passes', () => {
    const readings = evaluateGates(
      gates,
      side(0, 0, { summary: signals(120) }),
      side(0, 0, { summary: signals(100) }),
      now,
    );
    expect(readings).toMatchObject({ pass: true, breaches: [], notJudged: [] });
    expect(gateVerdicts(gates, readings).find((v) => v.gate === 'drift')!.verdict).toBe('pass');
  });

  it('waits for the minimum number of inferences, and for a reference', () => {
    const few = evaluateGates(
      gates,
      side(0, 0, { summary: signals(90, 100) }),
      side(0, 0, { summary: signals(100) }),
      now,
    );
    expect(few.pass).toBeNull();
    expect(few.notJudged).toEqual([
      'drift against the control side on the old model: not enough inferences in summaries (100 updated, 1000 reference; at least 200)',
    ]);
    const none = evaluateGates(gates, side(0, 0, { summary: signals(900) }), side(0, 0), now);
    expect(none.pass).toBeNull();
    expect(none.notJudged[0]).toMatch(/^drift: no reference yet/);
    expect(gateVerdicts({ ...gates, maxDriftPsi: undefined }, none).find((v) => v.gate === 'drift')!.verdict).toBe(
      'off',
    );
  });

  const drifting = ['gas-ethylene@1.0.0 · gas-ethylene · nrf52840 · nrf52840-lte-m to 2026-11-27T00:00:00.000Z: …'];
  const ownFirst = /^the updated side's own first window after install \(1000 inferences, 3 devices\)$/;

  it('while the old model drifts, judges the new one against its own first window — not the control side, not the shipped reference', () => {
    // The fixing model: far from the drifting old model and from its pooled validation split, steady on its own.
    const updated = side(0, 0, {
      summary: signals(310, 2000),
      summaryReference: { signals: signals(100), source: 'manifest.monitoring: validation split' },
      summaryFirstWindow: { signals: signals(300), devices: 3 },
      summaryAfterFirstWindow: signals(320),
    });
    const readings = evaluateGates(
      gates,
      updated,
      side(0, 0, { summary: signals(900), driftingCohorts: drifting }),
      now,
    );
    expect(readings).toMatchObject({ pass: true, breaches: [], notJudged: [] });
    const verdict = gateVerdicts(gates, readings).find((v) => v.gate === 'drift')!;
    expect(verdict).toMatchObject({ verdict: 'pass', reference: expect.stringMatching(ownFirst) });
    expect(verdict.reading).toBeLessThan(0.01);
    // The same readings with a healthy old model: the control side is the reference, and v2 differs from it.
    const healthy = evaluateGates(gates, updated, side(0, 0, { summary: signals(900) }), now);
    expect(healthy.breaches[0]).toMatch(/^drift against the control side on the old model: class mix PSI /);
  });

  it('a new model going wrong after install breaches against its own first window, and the breach names it', () => {
    const updated = side(0, 0, {
      summary: signals(500, 2000),
      summaryFirstWindow: { signals: signals(100), devices: 3 },
      summaryAfterFirstWindow: signals(900),
    });
    const readings = evaluateGates(
      gates,
      updated,
      side(0, 0, { summary: signals(100), driftingCohorts: drifting }),
      now,
    );
    expect(readings.pass).toBe(false);
    expect(readings.breaches).toEqual([
      expect.stringMatching(
        /^drift against the updated side's own first window after install \(1000 inferences, 3 devices\): class mix PSI 3\.\d+ > 0\.25$/,
      ),
    ]);
    expect(gateVerdicts(gates, readings).find((v) => v.gate === 'drift')).toMatchObject({
      verdict: 'fail',
      reference: expect.stringMatching(ownFirst),
    });
  });

  it('while the old model drifts and the first window is not complete, waits and says why; then waits for data after it', () => {
    const collecting = evaluateGates(
      gates,
      side(0, 0, { summary: signals(90, 150), summaryFirstWindow: null, summaryAfterFirstWindow: null }),
      side(0, 0, { summary: signals(900), driftingCohorts: drifting }),
      now,
    );
    expect(collecting).toMatchObject({ pass: null, breaches: [] });
    expect(collecting.notJudged).toEqual([
      `drift: the old model is drifting (${drifting[0]}), so neither the control side nor a shipped reference is a fair reference; the updated side's own first window after install is not complete (150 of 200 inferences)`,
    ]);
    expect(gateVerdicts(gates, collecting).find((v) => v.gate === 'drift')).toEqual({
      gate: 'drift',
      reading: null,
      limit: 0.25,
      verdict: 'not-judged',
    });
    // No control side and no shipped reference: the own first window is the reference there too.
    const after = evaluateGates(
      gates,
      side(0, 0, {
        summary: signals(90, 1100),
        summaryFirstWindow: { signals: signals(300), devices: 3 },
        summaryAfterFirstWindow: signals(30, 100),
      }),
      side(0, 0),
      now,
    );
    expect(after.notJudged).toEqual([
      "drift against the updated side's own first window after install (1000 inferences, 3 devices): not enough inferences in summaries (100 updated, 1000 reference; at least 200)",
    ]);
  });
});
