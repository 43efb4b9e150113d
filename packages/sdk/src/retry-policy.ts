const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 60000;

/** Whether a batch answered with this status (0: network error) may succeed if sent again. */
export function isRetryable(status: number): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

/**
 * Milliseconds to wait before retry number `retry` (0 for the first) of a batch.
 *
 * strategy: exponential back-off, 1 s, 2 s, 4 s... capped at one minute, with "equal jitter"
 * (half of it fixed, half random) so that the many browsers cut off by one outage do not come
 * back in lockstep. A Retry-After answer (seconds or an HTTP date) is a floor, never shortened.
 */
export function retryDelay(
  retry: number,
  retryAfter: string | null,
  now = Date.now(),
  random = Math.random,
): number {
  const backoff = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** retry);
  return Math.max(backoff / 2 + (random() * backoff) / 2, retryAfterMs(retryAfter, now));
}

/** A Retry-After header in milliseconds from `now`; 0 when absent, past or unreadable. */
export function retryAfterMs(header: string | null, now: number): number {
  if (!header) return 0;
  const seconds = Number(header);
  const ms = Number.isNaN(seconds) ? Date.parse(header) - now : seconds * 1000;
  return Math.max(ms || 0, 0);
}
