import { loadUciDriftStream } from './gas.stream';

const batchOf = (describe: string) => Number(/\(batch (\d+)\)/.exec(describe)![1]);

describe('loadUciDriftStream', () => {
  const inFileOrder = loadUciDriftStream();
  const shuffled = loadUciDriftStream(undefined, { shuffledWithinBatches: true });
  const all = (s: typeof inFileOrder) => Array.from({ length: s.length }, (_, i) => s.describe(i));

  it('shuffledWithinBatches keeps the batch order and every row of each batch, in a seeded order', () => {
    const [file, mixed] = [all(inFileOrder), all(shuffled)];
    expect(mixed.map(batchOf)).toEqual(file.map(batchOf));
    expect([...mixed].sort()).toEqual([...file].sort());
    expect(mixed).not.toEqual(file);
    expect(all(loadUciDriftStream(undefined, { shuffledWithinBatches: true }))).toEqual(mixed);
    // Each row keeps its values and ground truth.
    const k = file.indexOf(mixed[100]!);
    expect(shuffled.groundTruth(100)).toBe(inFileOrder.groundTruth(k));
    expect(Array.from(shuffled.values(100))).toEqual(Array.from(inFileOrder.values(k)));
  });

  it('in file order a batch is runs of one gas; shuffled, the longest run of one gas is short', () => {
    const longestRun = (s: typeof inFileOrder) => {
      let [best, run] = [1, 1];
      for (let i = 1; i < s.length; i++) {
        run = s.groundTruth(i) === s.groundTruth(i - 1) ? run + 1 : 1;
        best = Math.max(best, run);
      }
      return best;
    };
    expect(longestRun(inFileOrder)).toBeGreaterThan(100);
    expect(longestRun(shuffled)).toBeLessThan(30);
  });
});
