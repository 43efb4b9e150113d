import { describe, expect, it } from 'vitest';
import { isRetryable, retryAfterMs, retryDelay } from '../src/retry-policy.js';

describe('retry policy', () => {
  it('retries network errors, timeouts, rate limits and server errors only', () => {
    expect([0, 408, 429, 500, 502, 503].every(isRetryable)).toBe(true);
    expect([200, 400, 401, 404, 413].some(isRetryable)).toBe(false);
  });

  it('doubles the back-off from one second up to one minute, half of it jittered', () => {
    const noJitter = () => 1;
    const fullJitter = () => 0;
    expect([0, 1, 2, 3].map((retry) => retryDelay(retry, null, 0, noJitter))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
    expect(retryDelay(0, null, 0, fullJitter)).toBe(500);
    expect(retryDelay(20, null, 0, noJitter)).toBe(60000);
  });

  it('never retries sooner than Retry-After', () => {
    expect(retryDelay(0, '5', 0, () => 1)).toBe(5000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30000);
    expect(retryAfterMs('soon', now)).toBe(0);
    expect(retryAfterMs('-3', now)).toBe(0);
    expect(retryAfterMs(null, now)).toBe(0);
  });
});
