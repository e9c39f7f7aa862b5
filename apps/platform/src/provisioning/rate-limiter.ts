/**
 * Token bucket per key: `perMinute` tokens, refilled continuously, burst up to `perMinute`.
 * In memory, per platform process: a restart forgives, which is acceptable for a limit whose job
 * is to stop a leaked claim from minting devices at line rate.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();

  /** Takes one token; returns 0 when allowed, else the seconds until a token is available. */
  take(key: string, perMinute: number, nowMs: number): number {
    const bucket = this.buckets.get(key) ?? { tokens: perMinute, atMs: nowMs };
    bucket.tokens = Math.min(perMinute, bucket.tokens + ((nowMs - bucket.atMs) * perMinute) / 60_000);
    bucket.atMs = nowMs;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) * 60) / perMinute);
  }
}
