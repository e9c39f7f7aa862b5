import { loadUciDriftStream, uciBatchStartRow } from './gas.stream';

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

  it('uciBatchStartRow is where a batch begins in either order, and names the batches the files hold', () => {
    const batch8 = uciBatchStartRow(8);
    for (const s of [inFileOrder, shuffled]) {
      expect(batchOf(s.describe(batch8 - 1))).toBe(6); // the files have no batch 7
      expect(batchOf(s.describe(batch8))).toBe(8);
    }
    expect(() => uciBatchStartRow(7)).toThrow(
      'UCI batch 7 is not in the files (they hold batches 1, 2, 3, 4, 5, 6, 8, 9)',
    );
  });

  it('endBatch: after the end batch the replay starts that batch again, in the same order as without it', () => {
    const held = loadUciDriftStream(undefined, { shuffledWithinBatches: true, endBatch: 8 });
    const batch8 = uciBatchStartRow(8);
    const batch9 = uciBatchStartRow(9);
    expect(held.length).toBe(batch9);
    // The same rows as the full replay up to the end of batch 8 (the shuffle is per batch).
    for (const i of [0, batch8 - 1, batch8, batch9 - 1]) expect(held.describe(i)).toBe(shuffled.describe(i));
    // Then batch 8 again from its first row, round after round; batch 1 never comes back.
    expect(held.describe(batch9)).toBe(held.describe(batch8));
    expect(held.describe(batch9 + 5)).toBe(held.describe(batch8 + 5));
    expect(held.describe(batch9 + 3 * (batch9 - batch8) + 7)).toBe(held.describe(batch8 + 7));
    expect(Array.from(held.values(batch9 + 2))).toEqual(Array.from(held.values(batch8 + 2)));
    expect(held.groundTruth(batch9 + 2)).toBe(held.groundTruth(batch8 + 2));
    expect(() => loadUciDriftStream(undefined, { endBatch: 10 })).toThrow('UCI batch 10 is not in the files');
  });
});
