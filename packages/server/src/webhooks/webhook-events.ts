/** The events a subscription may ask for (DESIGN §4 "Destinations: webhooks"). */
export const WEBHOOK_EVENT_TYPES = [
  'group.entered',
  'group.left',
  'user.identified',
  'user.merged',
  'user.attributes_changed',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The type of the delivery `POST /api/webhooks/:id/test` sends. */
export const TEST_EVENT_TYPE = 'webhook.test';

/** The body of every delivery; `id` is the same on every attempt, so receivers can drop repeats. */
export interface WebhookPayload {
  id: string;
  type: WebhookEventType | typeof TEST_EVENT_TYPE;
  occurred_at: string;
  project_id: string;
  data: Record<string, unknown>;
}

/** A delivery's outbox fields, before it is written. */
export interface PendingDelivery {
  id: string;
  webhookId: string;
  personId: number | null;
  payload: WebhookPayload;
}

/** How long a delivery is retried (24 h) and how long a subscription may fail before it is paused (3 days). */
export const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;
export const PAUSE_AFTER_MS = 3 * 24 * 60 * 60 * 1000;

/** Most wait between two attempts of one delivery (1 h). */
const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;

/**
 * When to try a delivery again after its `attempt`-th failure: exponential back-off from
 * `baseMs` (10 s, 20 s, 40 s, …, at most 1 h between attempts); null when that would be past
 * `giveUpAt` (24 h after the change), and the delivery is then marked failed.
 */
export function nextAttemptAt(attempt: number, now: number, baseMs: number, giveUpAt: number): number | null {
  const delay = Math.min(baseMs * 2 ** Math.min(attempt - 1, 30), MAX_RETRY_DELAY_MS);
  const at = now + delay;
  return at > giveUpAt ? null : at;
}
