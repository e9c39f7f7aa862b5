import { foldInputStats, SummaryAccumulator } from './summary-accumulator';
import { assessDrift, sumSignals, type WindowSignals } from './assess';
import { jensenShannonDivergence, populationStabilityIndex, PSEUDO_COUNT } from './divergence';
import { meanShift, momentsOf, normalTail } from './two-sample';

describe('divergences between histograms', () => {
  it('PSI is Σ (c − r)·ln(c/r) over the smoothed proportions; 0 for the same histogram', () => {
    expect(populationStabilityIndex([50, 50], [50, 50])).toBe(0);
    // By hand, with the pseudo-count: r = (50.5, 50.5)/101, c = (80.5, 20.5)/101.
    const r = [50.5 / 101, 50.5 / 101];
    const c = [80.5 / 101, 20.5 / 101];
    const expected = (c[0]! - r[0]!) * Math.log(c[0]! / r[0]!) + (c[1]! - r[1]!) * Math.log(c[1]! / r[1]!);
    expect(PSEUDO_COUNT).toBe(0.5);
    expect(populationStabilityIndex([50, 50], [80, 20])).toBeCloseTo(expected, 12);
    expect(populationStabilityIndex([50, 50], [80, 20])).toBeCloseTo(0.4063, 4); // above 0.25: a "significant" shift
  });

  it('JS divergence is 0 for equal histograms, → 1 bit for disjoint ones, and symmetric', () => {
    expect(jensenShannonDivergence([3, 7, 0], [3, 7, 0])).toBeCloseTo(0, 12);
    expect(jensenShannonDivergence([1e9, 0], [0, 1e9])).toBeCloseTo(1, 6);
    expect(jensenShannonDivergence([10, 30, 60], [40, 40, 20])).toBeCloseTo(
      jensenShannonDivergence([40, 40, 20], [10, 30, 60]),
      12,
    );
  });

  it('refuses histograms of different shapes or negative counts', () => {
    expect(() => populationStabilityIndex([1, 2], [1, 2, 3])).toThrow(RangeError);
    expect(() => jensenShannonDivergence([1, -2], [1, 2])).toThrow(RangeError);
  });
});

describe('mean shift from sums', () => {
  it('moments from (n, Σx, Σx²): the unbiased variance', () => {
    const xs = [1, 2, 3, 4, 10];
    const m = momentsOf({ count: 5, sum: 20, sumSquares: xs.reduce((a, x) => a + x * x, 0) });
    expect(m.mean).toBe(4);
    expect(m.variance).toBeCloseTo(xs.reduce((a, x) => a + (x - 4) ** 2, 0) / 4, 12);
  });

  it("Welch's z and the normal tail (P(Z > 1.96) = 0.025)", () => {
    expect(normalTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalTail(0)).toBeCloseTo(0.5, 7);
    const shift = meanShift({ count: 1000, mean: 0, variance: 1 }, { count: 1000, mean: 0.2, variance: 1 })!;
    expect(shift.z).toBeCloseTo(0.2 / Math.sqrt(2 / 1000), 9);
    expect(shift.shiftSd).toBeCloseTo(0.2, 12);
    expect(shift.p).toBeLessThan(1e-5);
    expect(meanShift({ count: 10, mean: 0, variance: 1 }, { count: 1000, mean: 5, variance: 1 })).toBeNull();
  });
});

describe('drift verdicts', () => {
  const window = (over: Partial<WindowSignals> = {}): WindowSignals => ({
    inferences: 1000,
    classCounts: [900, 100],
    scoreHistogram: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 50, 100, 150, 300, 400],
    lowMargin: 30,
    inputStats: [{ count: 16000, sum: 0, sumSquares: 16000 * 400 }],
    ...over,
  });

  it('is stable for the reference itself, and says why it is drift when signals move', () => {
    expect(assessDrift(window(), window())).toMatchObject({ verdict: 'stable', reasons: [] });
    const drifted = assessDrift(
      window(),
      window({
        classCounts: [400, 600],
        scoreHistogram: [0, 0, 0, 0, 0, 0, 0, 0, 200, 200, 200, 200, 100, 50, 30, 20],
        inputStats: [{ count: 16000, sum: 16000 * 15, sumSquares: 16000 * (400 + 225) }],
      }),
    );
    expect(drifted.verdict).toBe('drift');
    expect(drifted.reasons.join('; ')).toMatch(/class mix PSI .* score histogram JS .* input channel 0 moved 0\.75 SD/);
  });

  it('gives no verdict below the minimum number of inferences', () => {
    expect(assessDrift(window(), window({ inferences: 50, classCounts: [0, 50] })).verdict).toBe('insufficient-data');
  });

  it('adds windows of several devices into one', () => {
    const both = sumSignals([window(), window({ inferences: 10, classCounts: [1, 9], lowMargin: 2 })])!;
    expect(both).toMatchObject({ inferences: 1010, classCounts: [901, 109], lowMargin: 32 });
    expect(both.inputStats[0]!.count).toBe(32000);
    expect(sumSignals([])).toBeNull();
  });
});

describe('SummaryAccumulator', () => {
  it('counts the winner, its score bin, close calls and per-channel sums, [time][channel] layout', () => {
    const acc = new SummaryAccumulator(3, 2, 32);
    acc.add([1, -2, 3, -4], [-128, 100, 90]); // winner 1 (100), runner-up 90: a close call
    acc.add([0, 0, 5, 5], [127, -128, -128]); // winner 0 (127), clear
    const s = acc.snapshot();
    expect(s).toMatchObject({ inferences: 2, classCounts: [1, 1, 0], lowMargin: 1 });
    expect(s.scoreHistogram[(100 + 128) >> 4]).toBe(1);
    expect(s.scoreHistogram[15]).toBe(1);
    expect(s.inputStats).toEqual([
      { count: 4, sum: 1 + 3 + 0 + 5, sumSquares: 1 + 9 + 0 + 25 },
      { count: 4, sum: -2 - 4 + 0 + 5, sumSquares: 4 + 16 + 0 + 25 },
    ]);
    acc.reset();
    expect(acc.snapshot().inferences).toBe(0);
  });

  it('folds channel k into slot k mod slots, exactly as foldInputStats folds a full reference', () => {
    // 5 channels into 2 slots: the slot is (index mod 5) mod 2, not index mod 2 (5 is odd).
    const input = [1, 2, 3, 4, 5, -1, -2, -3, -4, -5];
    const full = new SummaryAccumulator(2, 5);
    const folded = new SummaryAccumulator(2, 5, 32, 2);
    full.add(input, [10, -10]);
    folded.add(input, [10, -10]);
    expect(folded.statSlots).toBe(2);
    expect(folded.snapshot().inputStats).toEqual(foldInputStats(full.snapshot().inputStats, 2));
    expect(folded.snapshot().inputStats[0]).toEqual({ count: 6, sum: 0, sumSquares: 2 * (1 + 9 + 25) });
    expect(foldInputStats(full.snapshot().inputStats, 8)).toEqual(full.snapshot().inputStats);
  });

  it('addReduced with reduceInput adds the same as add (what a simulator memoises)', () => {
    const a = new SummaryAccumulator(2, 3, 32, 2);
    const b = new SummaryAccumulator(2, 3, 32, 2);
    const reduced = new Float64Array(6);
    b.reduceInput([7, -8, 9], reduced);
    a.add([7, -8, 9], [0, 40]);
    b.addReduced([0, 40], reduced);
    b.addReduced([0, 40], reduced);
    a.add([7, -8, 9], [0, 40]);
    expect(b.snapshot()).toEqual(a.snapshot());
  });
});
