import { BoundedCache } from './bounded-cache';

describe('BoundedCache', () => {
  it('keeps at most its capacity, evicting the least recently used', () => {
    const c = new BoundedCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1); // a is now the most recent
    c.set('c', 3);
    expect(c.size).toBe(2);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
  });

  it('shares one pending value per key and forgets a rejected one', async () => {
    const c = new BoundedCache<string, Promise<number>>(4);
    let calls = 0;
    const make = () => (calls++ === 0 ? Promise.reject(new Error('first fails')) : Promise.resolve(7));
    const first = c.getOrCreate('k', make);
    expect(c.getOrCreate('k', make)).toBe(first);
    await expect(first).rejects.toThrow('first fails');
    await expect(c.getOrCreate('k', make)).resolves.toBe(7);
    expect(calls).toBe(2);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new BoundedCache(0)).toThrow(RangeError);
  });
});
