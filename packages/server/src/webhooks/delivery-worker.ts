import { randomUUID } from 'node:crypto';
import type { Store } from '../storage/store.js';
import {
  anyDeliveryDue,
  type ClaimedDelivery,
  claimDueDeliveries,
  insertDeliveries,
  pruneFinishedDeliveries,
} from '../storage/webhook-delivery-repository.js';
import { activeWebhookIds, type WebhookRow } from '../storage/webhook-repository.js';
import { AttemptRecorder } from './attempt-recorder.js';
import type { SecretBox } from './secret-box.js';
import { type SendOutcome, WebhookSender } from './send-webhook.js';
import { TEST_EVENT_TYPE, type WebhookPayload } from './webhook-events.js';

export interface DeliveryWorkerOptions {
  timeoutMs: number;
  retryBaseMs: number;
  pollMs: number;
  allowPrivate: boolean;
  /**
   * Deliveries in flight at once (32); a hanging receiver holds one slot, not the worker, and one
   * subscription takes at most three quarters of them while others have deliveries waiting.
   */
  concurrency?: number;
  /** Finished deliveries are deleted after this many days (30); checked at most once a minute. */
  retentionDays?: number;
  /** Where failures of the worker itself (database down) are reported. */
  onError?: (error: unknown) => void;
}

/** A claimed delivery, with the end of its lease. */
interface Held extends ClaimedDelivery {
  leaseUntil: number;
}

/**
 * Sends the outbox's deliveries: claims due ones with a lease, sends each signed, records every
 * attempt, and schedules retries with back-off.
 * strategy: one loop per process claims due deliveries in batches (up to four times
 * `concurrency` held at once, claimed again when no more than `concurrency` are queued) into a
 * queue in memory, and every freed slot takes the next one at once (claimDueDeliveries keeps
 * order per person and lets several processes share the work). Fairness: a claim takes from each
 * active subscription in turn, one subscription holds at most three quarters of what the process
 * may hold and sends on at most three quarters of the slots, so a hanging receiver (each attempt
 * bounded by the timeout) or a huge backlog leaves slots and claims to the others. Finished
 * attempts are written in batches by an AttemptRecorder. A queued delivery whose lease would end
 * before its attempt could is dropped unsent; it is claimed again when the lease runs out. The lease
 * outlives an attempt (twice the timeout, plus 5 s), so a delivery is only claimed again after
 * its worker crashed; it then goes out again with the same id and body.
 */
export class DeliveryWorker {
  private readonly sender: WebhookSender;
  private readonly recorder: AttemptRecorder;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly concurrency: number;
  /** Most deliveries held (queued, in flight or being recorded) at once, and by one subscription. */
  private readonly mostHeld: number;
  private readonly mostHeldPerWebhook: number;
  /** Most sends in flight for one subscription. */
  private readonly mostSendingPerWebhook: number;
  private readonly leaseMs: number;
  /** Claimed deliveries not yet sent, in claim order. */
  private readonly queue: Held[] = [];
  /** Deliveries claimed and not yet recorded, by id (never claimed twice by this process). */
  private readonly unfinished = new Set<string>();
  /** Per subscription: deliveries held (queued, in flight or being recorded) and those in flight. */
  private readonly held = new Map<string, number>();
  private readonly sending = new Map<string, number>();
  private stopped = true;
  private prunedAt = 0;
  /** Which active subscription the next claim starts with (round robin). */
  private claimTurn = 0;
  private claimedAt = 0;
  /** Set by a wake that came while the loop was not asleep, so the loop does not sleep through it. */
  private woken = false;
  private wakeSleeper: (() => void) | null = null;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly options: DeliveryWorkerOptions,
  ) {
    this.sender = new WebhookSender({ timeoutMs: options.timeoutMs, allowPrivate: options.allowPrivate });
    this.concurrency = options.concurrency ?? 32;
    this.mostHeld = this.concurrency * 4;
    this.mostHeldPerWebhook = this.concurrency * 3;
    this.mostSendingPerWebhook = Math.max(1, this.concurrency - Math.floor(this.concurrency / 4));
    this.leaseMs = options.timeoutMs * 2 + 5_000;
    this.recorder = new AttemptRecorder(store, options.retryBaseMs, () => this.wake());
  }

  private wake(): void {
    this.woken = true;
    this.wakeSleeper?.();
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Stops claiming, and waits for the sends in flight (at most one timeout) and their records. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
    for (const delivery of this.queue.splice(0)) this.release(delivery);
    await Promise.all(this.inFlight);
    await this.recorder.drain();
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
    await this.recorder.record({
      deliveryId: payload.id,
      webhookId: webhook.id,
      giveUpAt: now,
      outcome,
      finishedAt: Date.now(),
      retry: false,
    });
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
      if (this.shouldClaim()) await this.claim();
      this.dispatch();
      if (this.stopped) break;
      // Woken by a nudge, a batch of attempts recorded (an ordered delivery may now be due), or
      // the queue running low.
      if (!this.woken)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.pollMs);
          this.wakeSleeper = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      this.wakeSleeper = null;
      this.woken = false;
    }
  }

  /**
   * Claims due deliveries into the queue, in one transaction: for each active subscription in
   * turn (starting one further each time), up to its share of what this process may hold.
   */
  private async claim(): Promise<void> {
    this.claimedAt = Date.now();
    let room = this.mostHeld - this.unfinished.size;
    if (room <= 0) return;
    try {
      const now = Date.now();
      if (!(await anyDeliveryDue(this.store.db, now))) return;
      const leaseUntil = now + this.leaseMs;
      const claimed = await this.store.transaction(async (tx) => {
        const webhooks = await activeWebhookIds(tx.db);
        this.claimTurn = (this.claimTurn + 1) % Math.max(1, webhooks.length);
        const all: ClaimedDelivery[] = [];
        for (let i = 0; i < webhooks.length && room > 0; i += 1) {
          const webhookId = webhooks[(this.claimTurn + i) % webhooks.length];
          const share = Math.min(room, this.mostHeldPerWebhook - (this.held.get(webhookId) ?? 0));
          if (share <= 0) continue;
          const rows = await claimDueDeliveries(tx, webhookId, now, leaseUntil, share);
          room -= rows.length;
          all.push(...rows);
        }
        return all;
      });
      for (const delivery of claimed) {
        // Still being sent or recorded here (its lease ran out meanwhile): not a second time at once.
        if (this.unfinished.has(delivery.id)) continue;
        this.unfinished.add(delivery.id);
        this.count(this.held, delivery.webhook_id, 1);
        this.queue.push({ ...delivery, leaseUntil });
      }
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  /** Fills free slots from the queue, in claim order, skipping subscriptions at their share of slots. */
  private dispatch(): void {
    for (let i = 0; i < this.queue.length && this.inFlight.size < this.concurrency; ) {
      const delivery = this.queue[i];
      if (delivery.leaseUntil - Date.now() < this.options.timeoutMs + 1_000) {
        this.queue.splice(i, 1);
        this.release(delivery);
        continue;
      }
      if ((this.sending.get(delivery.webhook_id) ?? 0) >= this.mostSendingPerWebhook) {
        i += 1;
        continue;
      }
      this.queue.splice(i, 1);
      this.count(this.sending, delivery.webhook_id, 1);
      const sending: Promise<void> = this.deliver(delivery).finally(() => {
        this.inFlight.delete(sending);
        this.count(this.sending, delivery.webhook_id, -1);
        if (this.stopped) return;
        this.dispatch();
        if (this.shouldClaim()) this.wake();
      });
      this.inFlight.add(sending);
    }
  }

  private async deliver(delivery: Held): Promise<void> {
    const outcome = await this.attempt(delivery.url, delivery.secret_sealed, delivery.payload);
    // The slot is free once the answer is in; the record follows in the next batch.
    this.recorder
      .record({
        deliveryId: delivery.id,
        webhookId: delivery.webhook_id,
        giveUpAt: delivery.give_up_at,
        outcome,
        finishedAt: Date.now(),
        retry: true,
      })
      // The lease runs out and the delivery is sent again: at least once, never lost.
      .catch((error) => this.options.onError?.(error))
      .finally(() => this.release(delivery));
  }

  /**
   * Whether to claim now: when no more than `concurrency` deliveries are queued, or, at most once
   * a poll, when slots are free that no queued delivery may take (their subscriptions send on
   * their full share: others may have deliveries due).
   */
  private shouldClaim(): boolean {
    if (this.queue.length <= this.concurrency) return true;
    if (this.inFlight.size >= this.concurrency || this.sendable() > 0) return false;
    return Date.now() - this.claimedAt >= this.options.pollMs;
  }

  /** Queued deliveries that a free slot could take (their subscription is below its share of slots). */
  private sendable(): number {
    let n = 0;
    for (const d of this.queue)
      if ((this.sending.get(d.webhook_id) ?? 0) < this.mostSendingPerWebhook) n += 1;
    return n;
  }

  /** Forgets a delivery this process held (sent and recorded, or dropped unsent). */
  private release(delivery: Held): void {
    this.unfinished.delete(delivery.id);
    this.count(this.held, delivery.webhook_id, -1);
  }

  private count(counts: Map<string, number>, webhookId: string, by: number): void {
    const n = (counts.get(webhookId) ?? 0) + by;
    if (n > 0) counts.set(webhookId, n);
    else counts.delete(webhookId);
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
}
