/**
 * The read side of group commit: callers ask for one key, and the keys asked for while a lookup is
 * on its way go to the database together in the next statement (`WHERE id = ANY($1)`). A statement
 * costs this process a socket write and a read, which on a busy machine outweigh the row itself
 * (bench:register: ~0.4 ms of the event loop per statement), so a CONNECT storm costs a statement
 * per batch. A key is always read by a statement that starts after it was asked for: what a caller
 * gets is as fresh as its own query would have been. Batches grow with load by themselves (no timer).
 */
type Waiters<V> = Array<{ resolve: (v: V | undefined) => void; reject: (err: unknown) => void }>;

export class BatchedLookup<K, V> {
  private pending = new Map<K, Waiters<V>>();
  private inFlight = 0;
  private scheduled = false;

  constructor(
    /** The rows of the keys that exist (a key left out of the map has none). */
    private readonly load: (keys: K[]) => Promise<Map<K, V>>,
    private readonly maxBatch: number,
    /** Lookups on the database at once; >1 lets a real PostgreSQL use more than one connection. */
    private readonly concurrency = 2,
  ) {}

  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.concurrency) return;
    this.scheduled = true;
    // setImmediate: every key asked for in the same I/O turn goes into one statement.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.concurrency && this.pending.size > 0) {
      // The first maxBatch keys, without copying every key waiting (a storm can queue thousands).
      const batch: Array<[K, Waiters<V>]> = [];
      for (const entry of this.pending) {
        if (batch.length >= this.maxBatch) break;
        batch.push(entry);
      }
      for (const [key] of batch) this.pending.delete(key);
      this.inFlight++;
      this.load(batch.map(([key]) => key))
        .then(
          (rows) => batch.forEach(([key, waiting]) => waiting.forEach((w) => w.resolve(rows.get(key)))),
          (err: unknown) => batch.forEach(([, waiting]) => waiting.forEach((w) => w.reject(err))),
        )
        .finally(() => {
          this.inFlight--;
          if (this.pending.size > 0) this.schedule();
        });
    }
  }
}
