import { KnownJob, OtaJobCache } from './ota-job-cache';

const job = (id: number, state: KnownJob['state'] = 'NOTIFIED', attempts = 1): KnownJob => ({
  id,
  rolloutId: 1,
  deviceId: `dev-${id}`,
  artifactId: 1,
  fromSha256: null,
  state,
  reason: null,
  attempts,
  chunksReceived: 0,
  deadlineAt: null,
});

describe('OtaJobCache', () => {
  it('keeps what an operation learned when nobody touched the job meanwhile, and hands out copies', () => {
    const cache = new OtaJobCache();
    cache.fill(job(1), cache.ticket());
    const copy = cache.get(1)!;
    expect(copy.state).toBe('NOTIFIED');
    copy.state = 'FAILED';
    expect(cache.get(1)!.state).toBe('NOTIFIED');
  });

  it('does not keep a read that raced a write: the next reader goes to the database', () => {
    const cache = new OtaJobCache();
    const read = cache.ticket(); // a reader goes to the database…
    const write = cache.ticket(); // …while a writer does too, and finishes first
    cache.fill(job(1, 'DOWNLOADING'), write);
    cache.fill(job(1, 'NOTIFIED'), read); // the reader may have seen the row before the write
    expect(cache.get(1)).toBeUndefined();
  });

  it('does not keep a write that raced a transition it cannot see the result of', () => {
    const cache = new OtaJobCache();
    const batch = cache.ticket();
    cache.forget(1); // a single transition starts (and ends) while the batch is in flight
    cache.fill(job(1, 'DOWNLOADED'), batch);
    expect(cache.get(1)).toBeUndefined();
    cache.fill(job(1, 'CANCELED'), cache.ticket()); // read again afterwards: kept
    expect(cache.get(1)!.state).toBe('CANCELED');
  });

  it('evicts the least recently touched jobs in bulk, and then trusts no operation begun before', () => {
    const cache = new OtaJobCache(10);
    for (let id = 1; id <= 10; id++) cache.fill(job(id), cache.ticket());
    const old = cache.ticket();
    cache.fill(job(11), cache.ticket()); // over capacity: the oldest tenth goes
    expect(cache.get(1)).toBeUndefined();
    expect(cache.get(2)!.id).toBe(2);
    expect(cache.size).toBe(10);
    cache.fill(job(1), old); // begun before the eviction: what touched job 1 is no longer known
    expect(cache.get(1)).toBeUndefined();
  });
});
