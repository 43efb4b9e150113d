/** Buckets kept at most; past it they start full again (a flood of new keys cannot grow memory). */
const MAX_BUCKETS = 100_000;

/**
 * A token bucket per key (a project, an API key): `ratePerSecond` steady, `burst` at once. Kept in
 * this process's memory, so with N server processes a key may send N times the rate.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes `count` tokens (one a request, or one a message); returns 0 when allowed, else the
   * seconds to wait before they are free. More than the burst waits for a full bucket.
   */
  take(key: string, count = 1): number {
    const bucket = this.refill(key);
    const wanted = Math.min(count, this.burst);
    if (bucket.tokens >= wanted) {
      bucket.tokens -= wanted;
      return 0;
    }
    return this.secondsUntil(bucket, wanted);
  }

  /** The seconds to wait before `key` has a token again (0 when it has one); takes nothing. */
  wait(key: string): number {
    const bucket = this.refill(key);
    return bucket.tokens >= 1 ? 0 : this.secondsUntil(bucket, 1);
  }

  private refill(key: string): { tokens: number; at: number } {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSecond);
    bucket.at = now;
    if (this.buckets.size > MAX_BUCKETS && !this.buckets.has(key)) this.buckets.clear();
    this.buckets.set(key, bucket);
    return bucket;
  }

  private secondsUntil(bucket: { tokens: number }, tokens: number): number {
    return Math.max(1, Math.ceil((tokens - bucket.tokens) / this.ratePerSecond));
  }
}
