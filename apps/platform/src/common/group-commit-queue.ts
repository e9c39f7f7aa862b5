/**
 * Group commit: callers submit items and get a promise that settles when the batch holding their
 * item is durably written. While one batch is being written, new items gather for the next one,
 * so batches grow with load by themselves (no timer, no added latency when idle).
 */
export class GroupCommitQueue<T> {
  private pending: Array<{ item: T; resolve: () => void; reject: (err: unknown) => void }> = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly maxBatch: number,
    /** Batches written at once; >1 lets a real PostgreSQL use more than one connection. */
    private readonly concurrency = 1,
  ) {}

  submit(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  get queued(): number {
    return this.pending.length;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.concurrency) return;
    this.scheduled = true;
    // setImmediate: gather everything that arrived in the same I/O turn into one batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.concurrency && this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.inFlight++;
      this.write(batch.map((b) => b.item))
        .then(
          () => batch.forEach((b) => b.resolve()),
          (err: unknown) => batch.forEach((b) => b.reject(err)),
        )
        .finally(() => {
          this.inFlight--;
          if (this.pending.length > 0) this.schedule();
        });
    }
  }
}
