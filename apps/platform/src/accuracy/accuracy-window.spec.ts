import { AccuracySample, accuracyDeltas, sumAccuracy } from './accuracy-window';

const A = 0x0a0a0a0a;
const B = 0x0b0b0b0b;
const sample = (
  over: Partial<AccuracySample> & Pick<AccuracySample, 'seq' | 'atMs' | 'inferences' | 'correct'>,
): AccuracySample => ({
  deviceId: 'dev-1',
  bootId: '1',
  modelTag: A,
  modelId: 'soil',
  modelVersion: '1.0.0',
  ...over,
});

describe('accuracy over a time window from cumulative counts', () => {
  // Window [100, 200]. Device 1, boot 1: 10/8 at t=50 (before the window), 40/35 at t=150, then a
  // reboot at t≈160: boot 2 starts from zero, 20/12 at t=180, and 90/50 at t=250 (after the window).
  const samples: AccuracySample[] = [
    sample({ seq: 1, atMs: 50, inferences: 10, correct: 8 }),
    sample({ seq: 2, atMs: 150, inferences: 40, correct: 35 }),
    sample({ bootId: '2', seq: 1, atMs: 180, inferences: 20, correct: 12 }),
    sample({ bootId: '2', seq: 2, atMs: 250, inferences: 90, correct: 50 }),
  ];

  it('diffs each boot against its last report before the window, and a boot that started inside it against zero', () => {
    const deltas = accuracyDeltas(samples, 100, 200);
    // boot 1: (40 − 10) / (35 − 8) = 30 / 27; boot 2: 20 / 12 (no report before the window)
    expect(deltas.map((d) => [d.bootId, d.inferences, d.correct])).toEqual([
      ['1', 30, 27],
      ['2', 20, 12],
    ]);
    // 39 of 50 = 78 %
    expect(sumAccuracy(deltas)).toEqual({ inferences: 50, correct: 39, accuracyPct: 78 });
  });

  it('counts everything since boot without a window start, and nothing after the window end', () => {
    // all time: boot 1 ends at 40/35, boot 2 at 90/50 → 85 of 130
    expect(sumAccuracy(accuracyDeltas(samples, -Infinity, Infinity))).toMatchObject({ inferences: 130, correct: 85 });
    // up to t=160: boot 1 only, 40/35
    expect(sumAccuracy(accuracyDeltas(samples, -Infinity, 160))).toEqual({
      inferences: 40,
      correct: 35,
      accuracyPct: 87.5,
    });
    // a window with no report inside it adds nothing
    expect(accuracyDeltas(samples, 151, 179)).toEqual([]);
    expect(sumAccuracy([])).toEqual({ inferences: 0, correct: 0, accuracyPct: null });
  });

  it('keeps devices and model tags apart, takes the latest report by seq, and ignores a repeated report', () => {
    const more = [
      ...samples,
      sample({ seq: 2, atMs: 150, inferences: 40, correct: 35 }), // a QoS 1 re-delivery stored twice would change nothing
      sample({ modelTag: B, modelId: 'soil', modelVersion: '2.0.0', seq: 2, atMs: 150, inferences: 16, correct: 4 }),
      sample({ deviceId: 'dev-2', seq: 7, atMs: 120, inferences: 5, correct: 5 }),
      // a late re-delivery of an older report, received after a newer one: seq decides
      sample({ deviceId: 'dev-2', seq: 6, atMs: 190, inferences: 3, correct: 3 }),
    ];
    const deltas = accuracyDeltas(more, 100, 200);
    const of = (deviceId: string, tag: number) =>
      deltas.filter((d) => d.deviceId === deviceId && d.modelTag === tag).map((d) => [d.inferences, d.correct]);
    expect(of('dev-1', A)).toEqual([
      [30, 27],
      [20, 12],
    ]);
    expect(of('dev-1', B)).toEqual([[16, 4]]);
    expect(of('dev-2', A)).toEqual([[5, 5]]);
    expect(deltas.find((d) => d.modelTag === B)).toMatchObject({ modelId: 'soil', modelVersion: '2.0.0' });
  });

  it('never yields negative counts from a device whose counters fell within a boot', () => {
    const broken = [
      sample({ seq: 1, atMs: 50, inferences: 10, correct: 8 }),
      sample({ seq: 2, atMs: 150, inferences: 4, correct: 4 }),
    ];
    expect(accuracyDeltas(broken, 100, 200)).toEqual([]);
  });
});
