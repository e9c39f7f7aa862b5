import { decodeAccuracyReportV1 } from '@tinyfleet/wire';
import { GroundTruthLog, type TruthEntry } from './ground-truth-log';

const entry = (i: number, model = 'soil@1'): TruthEntry => ({
  virtualTimeMs: Date.UTC(2026, 0, 1) + i * 900_000,
  sample: 1000 + i,
  trueLabel: i % 2,
  predictedLabel: i % 3 === 0 ? 1 : i % 2,
  model,
  modelTag: model === 'soil@1' ? 0xdeadbeef : 7,
  eventSeq: i % 4 === 0 ? 5000 + i : -1,
});

describe('GroundTruthLog', () => {
  it('keeps the last `capacity` entries verbatim, oldest first, and counts every one', () => {
    const log = new GroundTruthLog(3);
    const all = [entry(0), entry(1), entry(2, 'soil@2'), entry(3), entry(4, 'soil@2')];
    for (const e of all) log.record(e);
    expect(log.entries()).toEqual(all.slice(2));
    const correct = (model: string) => all.filter((e) => e.model === model && e.trueLabel === e.predictedLabel).length;
    expect(log.accuracy()).toEqual({
      'soil@1': { inferences: 3, correct: correct('soil@1'), accuracy: correct('soil@1') / 3 },
      'soil@2': { inferences: 2, correct: correct('soil@2'), accuracy: correct('soil@2') / 2 },
    });
  });

  it('reports only when the counts moved', () => {
    const log = new GroundTruthLog(0);
    log.record(entry(1));
    const report = decodeAccuracyReportV1(log.takeReport(9, 1)!);
    expect(report.models).toEqual([{ modelTag: 0xdeadbeef, inferences: 1, correct: 1 }]);
    expect(log.takeReport(9, 2)).toBeNull();
    expect(log.entries()).toEqual([]);
  });
});
