import type { Generated } from 'kysely';

// Webhook subscriptions, their delivery outbox and the attempts. Part of `Database` (schema.ts).

/** A webhook subscription (DESIGN §4 "Destinations: webhooks"). */
export interface WebhooksTable {
  id: string;
  project_id: string;
  url: string;
  /** JSON list of event types. */
  events: string;
  /** JSON list of group ids the group events are limited to; null for every group. */
  group_ids: string | null;
  /** JSON list of attribute names sent with each event (and watched by `user.attributes_changed`). */
  attributes: string;
  /** The signing secret, encrypted (webhooks/secret-box.ts): a database dump does not reveal it. */
  secret_sealed: string;
  /** `active` or `paused` (by the owner, or after failing for 3 days). */
  status: string;
  /** Start of the current run of failed attempts; null after a success. */
  failing_since: number | null;
  created_at: number;
  updated_at: number;
}

/** One event to send to one subscription: the outbox row, written with the change that caused it. */
export interface WebhookDeliveriesTable {
  /** Order of the outbox; a person's later delivery waits for its earlier ones. */
  seq: Generated<number>;
  /** The `id` of the payload, the same on every attempt. */
  id: string;
  webhook_id: string;
  project_id: string;
  person_id: number | null;
  type: string;
  /** The JSON body sent, byte for byte, on every attempt. */
  payload: string;
  /** `pending`, `delivered` or `failed`. */
  status: string;
  attempts: Generated<number>;
  next_attempt_at: number;
  /** After this, a failed attempt marks the delivery failed instead of scheduling another. */
  give_up_at: number;
  /** A worker claimed the delivery until this time; after it (a crash), another worker may. */
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
  finished_at: number | null;
}

/** One attempt to send a delivery: when, the answer's status (null when none came), how long, why it failed. */
export interface WebhookAttemptsTable {
  delivery_id: string;
  attempt: number;
  at: number;
  status: number | null;
  duration_ms: number;
  error: string | null;
}
