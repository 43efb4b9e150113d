import { randomUUID } from 'node:crypto';
import type { Store } from '../storage/store.js';
import {
  anyDeliveryDue,
  type ClaimedDelivery,
  claimDueDeliveries,
  insertDeliveries,
  lockDeliveryAttempts,
  pruneFinishedDeliveries,
  recordAttempt,
} from '../storage/webhook-delivery-repository.js';
import { noteSubscriptionOutcome, type WebhookRow } from '../storage/webhook-repository.js';
import type { SecretBox } from './secret-box.js';
import { type SendOutcome, WebhookSender } from './send-webhook.js';
import { nextAttemptAt, PAUSE_AFTER_MS, TEST_EVENT_TYPE, type WebhookPayload } from './webhook-events.js';

export interface DeliveryWorkerOptions {
  timeoutMs: number;
  retryBaseMs: number;
  pollMs: number;
  allowPrivate: boolean;
  /** Deliveries in flight at once (32); a hanging receiver holds one slot, not the worker. */
  concurrency?: number;
  /** Finished deliveries are deleted after this many days (30); checked at most once a minute. */
  retentionDays?: number;
  /** Where failures of the worker itself (database down) are reported. */
  onError?: (error: unknown) => void;
}

/**
 * Sends the outbox's deliveries: claims due ones with a lease, sends each signed, records every
 * attempt, and schedules retries with back-off.
 * strategy: one loop per process keeps up to `concurrency` sends in flight; it claims as many
 * due deliveries as it has free slots (claimDueDeliveries keeps order per person and lets several
 * processes share the work), and sleeps `pollMs` when none are due. The lease outlives an attempt
 * (twice the timeout, plus 5 s), so a delivery is only claimed again after its worker crashed;
 * it then goes out again with the same id and body. Every attempt is recorded with the
 * subscription's run of failures (3 days of failures pause it).
 */
export class DeliveryWorker {
  private readonly sender: WebhookSender;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private stopped = true;
  private prunedAt = 0;
  private wake: () => void = () => {};
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly options: DeliveryWorkerOptions,
  ) {
    this.sender = new WebhookSender({ timeoutMs: options.timeoutMs, allowPrivate: options.allowPrivate });
    this.concurrency = options.concurrency ?? 32;
    this.leaseMs = options.timeoutMs * 2 + 5_000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Stops claiming, and waits for the sends in flight (at most one timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
    await Promise.all(this.inFlight);
    this.sender.close();
  }

  /** Looks for due deliveries now instead of at the next poll. */
  nudge(): void {
    this.wake();
  }

  /** Sends one test delivery now, without retries; answers the attempt (also in the delivery log). */
  async sendTest(webhook: WebhookRow): Promise<{ id: string; outcome: SendOutcome }> {
    const now = Date.now();
    const payload: WebhookPayload = {
      id: `dlv_${randomUUID()}`,
      type: TEST_EVENT_TYPE,
      occurred_at: new Date(now).toISOString(),
      project_id: webhook.project_id,
      data: { message: 'A test delivery from Acquaint.' },
    };
    const body = JSON.stringify(payload);
    await this.store.transaction((tx) =>
      insertDeliveries(tx.db, [
        {
          id: payload.id,
          webhook_id: webhook.id,
          project_id: webhook.project_id,
          person_id: null,
          type: TEST_EVENT_TYPE,
          payload: body,
          status: 'pending',
          next_attempt_at: now,
          give_up_at: now,
          lease_until: now + this.leaseMs,
          last_error: null,
          created_at: now,
          finished_at: null,
        },
      ]),
    );
    const outcome = await this.attempt(webhook.url, webhook.secret_sealed, body);
    await this.record(payload.id, webhook.id, now, outcome, false);
    return { id: payload.id, outcome };
  }

  /**
   * Deletes deliveries finished more than the retention ago (with their attempts), in batches of
   * 1,000 so no transaction is long; answers how many went.
   */
  async prune(now = Date.now()): Promise<number> {
    const before = now - (this.options.retentionDays ?? 30) * 24 * 60 * 60 * 1000;
    let pruned = 0;
    for (;;) {
      const batch = await this.store.transaction((tx) => pruneFinishedDeliveries(tx.db, before, 1000));
      pruned += batch;
      if (batch < 1000 || this.stopped) return pruned;
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (Date.now() - this.prunedAt > 60_000) {
        this.prunedAt = Date.now();
        await this.prune().catch((error) => this.options.onError?.(error));
      }
      const room = this.concurrency - this.inFlight.size;
      let claimed: ClaimedDelivery[] = [];
      if (room > 0) {
        try {
          const now = Date.now();
          if (await anyDeliveryDue(this.store.db, now))
            claimed = await this.store.transaction((tx) =>
              claimDueDeliveries(tx, now, now + this.leaseMs, room),
            );
        } catch (error) {
          this.options.onError?.(error);
        }
      }
      for (const delivery of claimed) {
        const sending: Promise<void> = this.deliver(delivery).finally(() => {
          this.inFlight.delete(sending);
          this.wake();
        });
        this.inFlight.add(sending);
      }
      if (room > 0 && claimed.length === room) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const outcome = await this.attempt(delivery.url, delivery.secret_sealed, delivery.payload);
    try {
      await this.record(delivery.id, delivery.webhook_id, delivery.give_up_at, outcome, true);
    } catch (error) {
      // The lease runs out and the delivery is sent again: at least once, never lost.
      this.options.onError?.(error);
    }
  }

  private async attempt(url: string, sealedSecret: string, body: string): Promise<SendOutcome> {
    let secret: string;
    try {
      secret = this.secrets.open(sealedSecret);
    } catch (error) {
      return { ok: false, status: null, durationMs: 0, error: (error as Error).message };
    }
    return this.sender.send(url, secret, body);
  }

  /** Records an attempt; a failure is retried with back-off (when `retry`) until the delivery gives up. */
  private async record(
    deliveryId: string,
    webhookId: string,
    giveUpAt: number,
    outcome: SendOutcome,
    retry: boolean,
  ): Promise<void> {
    await this.store.transaction(async (tx) => {
      const attempts = await lockDeliveryAttempts(tx, deliveryId);
      if (attempts === undefined) return; // deleted with its subscription meanwhile
      const now = Date.now();
      const attempt = attempts + 1;
      const next =
        outcome.ok || !retry ? null : nextAttemptAt(attempt, now, this.options.retryBaseMs, giveUpAt);
      await recordAttempt(
        tx.db,
        {
          delivery_id: deliveryId,
          attempt,
          at: now - outcome.durationMs,
          status: outcome.status,
          duration_ms: outcome.durationMs,
          error: outcome.error,
        },
        {
          status: outcome.ok ? 'delivered' : next === null ? 'failed' : 'pending',
          next_attempt_at: next ?? now,
          finished_at: outcome.ok || next === null ? now : null,
          last_error: outcome.error,
        },
      );
      await noteSubscriptionOutcome(tx.db, webhookId, outcome.ok, now, PAUSE_AFTER_MS);
    });
  }
}
