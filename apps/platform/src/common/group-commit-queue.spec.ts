import { GroupCommitQueue } from './group-commit-queue';

describe(GroupCommitQueue.name, () => {
  it('writes items submitted in the same turn as one batch, and the next ones while it is in flight as the next', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sut = new GroupCommitQueue<number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
    }, 100);

    const first = [1, 2, 3].map((i) => sut.submit(i));
    await new Promise((r) => setImmediate(r));
    const second = [4, 5].map((i) => sut.submit(i)); // arrive while batch 1 is being written
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1, 2, 3]]);
    release();
    await Promise.all([...first, ...second]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('caps batch size and rejects every submitter of a failed batch (they must re-send)', async () => {
    const sizes: number[] = [];
    const sut = new GroupCommitQueue<number>(async (items) => {
      sizes.push(items.length);
      if (items.includes(13)) throw new Error('disk full');
    }, 10);
    const results = await Promise.allSettled(Array.from({ length: 25 }, (_, i) => sut.submit(i)));
    expect(sizes).toEqual([10, 10, 5]);
    expect(results.map((r) => r.status)).toEqual([
      ...Array(10).fill('fulfilled'),
      ...Array(10).fill('rejected'),
      ...Array(5).fill('fulfilled'),
    ]);
  });
});
