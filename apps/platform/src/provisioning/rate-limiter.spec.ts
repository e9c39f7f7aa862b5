import { RateLimiter } from './rate-limiter';

describe(RateLimiter.name, () => {
  it('allows a burst of perMinute, then refuses with the seconds to wait, and refills continuously', () => {
    const sut = new RateLimiter();
    expect([0, 1, 2].map(() => sut.take('c', 3, 0))).toEqual([0, 0, 0]);
    expect(sut.take('c', 3, 0)).toBe(20); // one token every 20 s
    expect(sut.take('c', 3, 10_000)).toBe(10);
    expect(sut.take('c', 3, 20_000)).toBe(0);
    expect(sut.take('other', 3, 20_000)).toBe(0); // keys are independent
  });
});
