import { guard, warn } from './debug-log.js';
import type { MessageQueue } from './queue.js';
import { isRetryable, retryDelay } from './retry-policy.js';
import { beaconBatch, byteLength, type PostResult, postBatch } from './transport.js';
import type { Message } from './types.js';

/** Largest request body in bytes: two fit in the browser's 64 KiB budget for requests that outlive the page. */
export const MAX_REQUEST_BYTES = 32000;

export interface DeliveryOptions {
  /** `{host}/v1/batch` */
  url: string;
  writeKey: string;
  /** Messages per request at most. */
  flushAt: number;
  /** Milliseconds a message may wait for others to share its request. */
  flushInterval: number;
}

/**
 * Sends the message queue to the server's `/v1/batch`.
 *
 * strategy: every message is in the persisted queue before any attempt, and leaves it only once
 * the server has answered, so nothing is lost to a cut network, a reload or a closed tab. One
 * request is in flight at a time, oldest messages first, so the server sees them in call order.
 * - A batch goes out when `flushAt` messages wait or `flushInterval` after the first of them;
 *   at once for what earlier pages left, and when the page is hidden (tab or app switched).
 * - 2xx: the batch leaves the queue; per-message rejections are reported in debug mode.
 * - Network error, 408, 429, 5xx: the batch stays; the next attempt waits an exponential
 *   back-off, and at least Retry-After. Retries reuse the messageIds, so the server stores
 *   each message once even when only its answer was lost. While the browser says it is
 *   offline nothing is attempted; the `online` event resumes at once.
 * - Any other status (400, 401, 413...): sending again cannot help; the batch is dropped.
 * - Page hide: what is not in flight goes with sendBeacon, which outlives the page, and leaves
 *   the queue once the browser accepted it. While failing or offline it stays queued instead,
 *   for the next page load.
 */
export class Delivery {
  private inFlight: string[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;

  constructor(
    private queue: MessageQueue,
    private options: DeliveryOptions,
  ) {
    addEventListener(
      'online',
      guard(() => this.flush(true)),
    );
    addEventListener(
      'pagehide',
      guard(() => this.sendOnPageHide()),
    );
    document.addEventListener(
      'visibilitychange',
      guard(() => document.visibilityState === 'hidden' && this.flush()),
    );
    this.schedule(0);
  }

  /** To call after each message added to the queue. */
  added(): void {
    if (this.queue.all().length >= this.options.flushAt) this.flush();
    else this.schedule(this.options.flushInterval);
  }

  private schedule(delay: number, force = false): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(
      guard(() => {
        this.timer = undefined;
        this.flush(force);
      }),
      delay,
    );
  }

  /** Sends the next batch, unless one is in flight, a back-off is running (`force` ends it) or the browser is offline. */
  private flush(force = false): void {
    if (this.inFlight.length || (this.failures && !force) || navigator.onLine === false) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.nextBatch(this.queue.all());
    if (!batch.length) return;
    this.inFlight = batch.map((message) => message.messageId);
    postBatch(this.options.url, this.body(batch))
      .then(guard((result: PostResult) => this.settle(result)))
      .catch(() => undefined);
  }

  private settle({ status, retryAfter, body }: PostResult): void {
    const sent = this.inFlight;
    this.inFlight = [];
    if (isRetryable(status)) {
      const delay = retryDelay(this.failures++, retryAfter);
      warn(`delivery failed (${status || 'network error'}), retrying in ${Math.round(delay)} ms`);
      clearTimeout(this.timer);
      this.timer = undefined;
      this.schedule(delay, true);
      return;
    }
    this.failures = 0;
    this.queue.remove(sent);
    if (status >= 300) warn(`the server refused a batch (${status}); dropped it:`, body);
    else if (body?.rejected || body?.warnings) warn('the server refused or adjusted messages:', body);
    if (this.queue.all().length) this.flush();
  }

  private sendOnPageHide(): void {
    if (this.failures || navigator.onLine === false) return;
    let waiting = this.queue.all().filter((message) => !this.inFlight.includes(message.messageId));
    while (waiting.length) {
      const batch = this.nextBatch(waiting);
      if (!beaconBatch(this.options.url, this.body(batch))) return;
      this.queue.remove(batch.map((message) => message.messageId));
      waiting = waiting.slice(batch.length);
    }
  }

  /** The oldest messages that fit one request: at most `flushAt` and MAX_REQUEST_BYTES, at least one. */
  private nextBatch(messages: Message[]): Message[] {
    let bytes = 100;
    let count = 0;
    for (const message of messages.slice(0, this.options.flushAt)) {
      bytes += byteLength(JSON.stringify(message)) + 1;
      if (count && bytes > MAX_REQUEST_BYTES) break;
      count++;
    }
    return messages.slice(0, count);
  }

  private body(batch: Message[]): string {
    return JSON.stringify({ batch, writeKey: this.options.writeKey, sentAt: new Date().toISOString() });
  }
}
