/**
 * A least-recently-used map with a fixed capacity, for values derived from rows that never change
 * once written (an artifact's bytes, a rollout's timeout): every process may keep its own copy and
 * stay correct with other writers, since there is nothing to invalidate; the bound keeps a
 * long-running process from holding every value it ever derived.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key); // re-inserted at the end: the most recently used
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** The cached value, or the one `make` returns; a promise that rejects is not kept (the next caller tries again). */
  getOrCreate(key: K, make: () => V): V {
    let value = this.get(key);
    if (value === undefined) {
      const made = make();
      value = made;
      this.set(key, made);
      if (made instanceof Promise)
        made.catch(() => {
          if (this.entries.get(key) === made) this.entries.delete(key);
        });
    }
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
