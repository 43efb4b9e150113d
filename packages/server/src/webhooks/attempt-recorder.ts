import type { Store, StoreTx } from '../storage/store.js';
import {
  type AttemptRow,
  type DeliveryState,
  lockDeliveryAttempts,
  recordAttempts,
} from '../storage/webhook-delivery-repository.js';
import { noteSubscriptionOutcome } from '../storage/webhook-repository.js';
import type { SendOutcome } from './send-webhook.js';
import { nextAttemptAt, PAUSE_AFTER_MS } from './webhook-events.js';

/** One finished attempt, waiting to be recorded. */
export interface FinishedAttempt {
  deliveryId: string;
  webhookId: string;
  giveUpAt: number;
  outcome: SendOutcome;
  /** When the answer (or the failure) came. */
  finishedAt: number;
  /** Whether a failure is retried with back-off (false: the delivery is marked failed). */
  retry: boolean;
}

interface Waiting {
  attempt: FinishedAttempt;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Most attempts recorded by one transaction. */
const MOST_PER_TRANSACTION = 500;

/**
 * Records finished attempts in batches: one transaction writes every attempt that finished while
 * the previous one ran (up to 500), with each delivery's next state and each subscription's run of
 * failures. Nothing waits for a timer: an attempt finishing with no transaction running is written
 * at once, and under load the batches grow by themselves.
 */
export class AttemptRecorder {
  private waiting: Waiting[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly retryBaseMs: number,
    /** Called after each batch commits or fails (the worker may then claim what became due). */
    private readonly onBatch: () => void,
  ) {}

  /** Settles once the attempt is committed; rejects when its batch's transaction failed. */
  record(attempt: FinishedAttempt): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ attempt, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Waits until every attempt handed over so far is written (or has failed). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MOST_PER_TRANSACTION);
      try {
        await this.store.transaction((tx) =>
          this.write(
            tx,
            batch.map((w) => w.attempt),
          ),
        );
        for (const w of batch) w.resolve();
      } catch (error) {
        // Their leases run out and the deliveries are sent again: at least once, never lost.
        for (const w of batch) w.reject(error);
      }
      this.onBatch();
    }
    this.flushing = null;
  }

  private async write(tx: StoreTx, batch: FinishedAttempt[]): Promise<void> {
    const counts = await lockDeliveryAttempts(
      tx,
      batch.map((a) => a.deliveryId),
    );
    const now = Date.now();
    const attempts: AttemptRow[] = [];
    const states = new Map<string, DeliveryState>();
    const lastOutcome = new Map<string, FinishedAttempt>();
    for (const finished of batch) {
      const before = counts.get(finished.deliveryId);
      if (before === undefined) continue; // deleted with its subscription, or erased, meanwhile
      const { outcome } = finished;
      const attempt = before + 1;
      counts.set(finished.deliveryId, attempt);
      const next =
        outcome.ok || !finished.retry
          ? null
          : nextAttemptAt(attempt, finished.finishedAt, this.retryBaseMs, finished.giveUpAt);
      attempts.push({
        delivery_id: finished.deliveryId,
        attempt,
        at: finished.finishedAt - outcome.durationMs,
        status: outcome.status,
        duration_ms: outcome.durationMs,
        error: outcome.error,
      });
      states.set(finished.deliveryId, {
        id: finished.deliveryId,
        status: outcome.ok ? 'delivered' : next === null ? 'failed' : 'pending',
        attempts: attempt,
        next_attempt_at: next ?? now,
        finished_at: outcome.ok || next === null ? now : null,
        last_error: outcome.error,
      });
      lastOutcome.set(finished.webhookId, finished);
    }
    await recordAttempts(tx.db, attempts, [...states.values()]);
    for (const [webhookId, last] of lastOutcome)
      await noteSubscriptionOutcome(tx.db, webhookId, last.outcome.ok, now, PAUSE_AFTER_MS);
  }
}
