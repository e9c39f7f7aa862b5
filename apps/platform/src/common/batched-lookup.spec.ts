import { BatchedLookup } from './batched-lookup';

describe(BatchedLookup.name, () => {
  it('reads keys asked for in the same turn in one lookup, once each, and the ones asked meanwhile in the next', async () => {
    const lookups: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sut = new BatchedLookup<string, number>(
      async (keys) => {
        lookups.push(keys);
        if (lookups.length === 1) await gate;
        return new Map(keys.filter((k) => k !== 'nobody').map((k) => [k, k.length]));
      },
      100,
      1,
    );

    const first = Promise.all(['a', 'bb', 'a', 'nobody'].map((k) => sut.get(k)));
    await new Promise((r) => setImmediate(r));
    const second = sut.get('a'); // asked after the first lookup started: read again, by the next one
    await new Promise((r) => setImmediate(r));
    expect(lookups).toEqual([['a', 'bb', 'nobody']]);
    release();
    expect(await first).toEqual([1, 2, 1, undefined]);
    expect(await second).toBe(1);
    expect(lookups).toEqual([['a', 'bb', 'nobody'], ['a']]);
  });

  it('caps the batch and rejects every caller of a failed lookup, and only those', async () => {
    const sizes: number[] = [];
    const sut = new BatchedLookup<number, number>(async (keys) => {
      sizes.push(keys.length);
      if (keys.includes(13)) throw new Error('connection lost');
      return new Map(keys.map((k) => [k, k * 2]));
    }, 10);
    const results = await Promise.allSettled(Array.from({ length: 25 }, (_, i) => sut.get(i)));
    expect(sizes).toEqual([10, 10, 5]);
    expect(results.map((r) => r.status)).toEqual([
      ...Array(10).fill('fulfilled'),
      ...Array(10).fill('rejected'),
      ...Array(5).fill('fulfilled'),
    ]);
    expect(results[24]).toEqual({ status: 'fulfilled', value: 48 });
  });
});
