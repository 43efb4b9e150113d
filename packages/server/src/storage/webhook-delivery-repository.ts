import { type Insertable, type Selectable, sql } from 'kysely';
import { chunked } from './chunked.js';
import type { WebhookAttemptsTable, WebhookDeliveriesTable } from './schema.js';
import type { Db, StoreTx } from './store.js';

export type NewDelivery = Insertable<WebhookDeliveriesTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;
export type AttemptRow = Selectable<WebhookAttemptsTable>;

/** A delivery claimed by a worker, with what it needs to send it. */
export interface ClaimedDelivery {
  seq: number;
  id: string;
  webhook_id: string;
  payload: string;
  give_up_at: number;
  url: string;
  secret_sealed: string;
}

/** Writes outbox rows in the caller's transaction (the change's own). */
export async function insertDeliveries(db: Db, rows: NewDelivery[]): Promise<void> {
  for (const chunk of chunked(rows, 500)) await db.insertInto('webhook_deliveries').values(chunk).execute();
}

/**
 * Claims up to `limit` deliveries due now, leasing them until `leaseUntil`.
 * strategy: a delivery is due when pending, its time has come, no worker holds a live lease on it,
 * its subscription is active, and no earlier delivery of the same person to the same subscription
 * is still pending (order per person). Where writers run concurrently (PostgreSQL) the rows are
 * taken `FOR UPDATE SKIP LOCKED`, so several processes claim different rows without waiting; the
 * lease then keeps them claimed after this transaction, and a crashed worker's lease runs out.
 */
export async function claimDueDeliveries(
  tx: StoreTx,
  now: number,
  leaseUntil: number,
  limit: number,
): Promise<ClaimedDelivery[]> {
  let query = tx.db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
    .select(['d.seq', 'd.id', 'd.webhook_id', 'd.payload', 'd.give_up_at', 'w.url', 'w.secret_sealed'])
    .where('d.status', '=', 'pending')
    // `+ 0` and `|| ''` keep SQLite's planner off the due index (a range over every pending row,
    // then a sort) and on the pending rows in `seq` order, where a claim stops after a few rows.
    .where(sql`d.next_attempt_at + 0`, '<=', now)
    .where((eb) => eb.or([eb('d.lease_until', 'is', null), eb('d.lease_until', '<=', now)]))
    .where('w.status', '=', 'active')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('webhook_deliveries as e')
            .select('e.seq')
            .whereRef('e.webhook_id', '=', 'd.webhook_id')
            .whereRef('e.person_id', '=', 'd.person_id')
            .where(sql`e.status || ''`, '=', 'pending')
            .whereRef('e.seq', '<', 'd.seq'),
        ),
      ),
    )
    .orderBy('d.seq')
    .limit(limit);
  if (tx.capabilities.concurrentWriters) query = query.forUpdate(['d']).skipLocked();
  const claimed = await query.execute();
  if (claimed.length > 0) {
    await tx.db
      .updateTable('webhook_deliveries')
      .set({ lease_until: leaseUntil })
      .where(
        'seq',
        'in',
        claimed.map((d) => d.seq),
      )
      .execute();
  }
  return claimed;
}

/** How many attempts a delivery has had, read for change (its row locked where writers are concurrent). */
export async function lockDeliveryAttempts(tx: StoreTx, deliveryId: string): Promise<number | undefined> {
  let query = tx.db.selectFrom('webhook_deliveries').select('attempts').where('id', '=', deliveryId);
  if (tx.forUpdate) query = query.forUpdate();
  return (await query.executeTakeFirst())?.attempts;
}

/** Records one attempt and the delivery's state after it (lease released). */
export async function recordAttempt(
  db: Db,
  attempt: AttemptRow,
  next: { status: string; next_attempt_at: number; finished_at: number | null; last_error: string | null },
): Promise<void> {
  await db.insertInto('webhook_attempts').values(attempt).execute();
  await db
    .updateTable('webhook_deliveries')
    .set({ ...next, attempts: attempt.attempt, lease_until: null })
    .where('id', '=', attempt.delivery_id)
    .execute();
}

/** A page of a subscription's deliveries, newest first, with their attempts. */
export async function listDeliveries(
  db: Db,
  webhookId: string,
  page: { limit: number; beforeSeq: number | null },
): Promise<{ deliveries: DeliveryRow[]; attempts: AttemptRow[] }> {
  let query = db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('webhook_id', '=', webhookId)
    .orderBy('seq', 'desc')
    .limit(page.limit);
  if (page.beforeSeq !== null) query = query.where('seq', '<', page.beforeSeq);
  const deliveries = await query.execute();
  const attempts = deliveries.length
    ? await db
        .selectFrom('webhook_attempts')
        .selectAll()
        .where(
          'delivery_id',
          'in',
          deliveries.map((d) => d.id),
        )
        .orderBy('delivery_id')
        .orderBy('attempt')
        .execute()
    : [];
  return { deliveries, attempts };
}

export async function countDeliveries(db: Db, webhookId: string): Promise<number> {
  const row = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('webhook_id', '=', webhookId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findDelivery(
  db: Db,
  webhookId: string,
  deliveryId: string,
): Promise<DeliveryRow | undefined> {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('id', '=', deliveryId)
    .where('webhook_id', '=', webhookId)
    .executeTakeFirst();
}

/** Makes a delivery due now again (same id), with a new 24-hour window of retries. */
export async function requeueDelivery(
  db: Db,
  deliveryId: string,
  now: number,
  giveUpAt: number,
): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', next_attempt_at: now, give_up_at: giveUpAt, finished_at: null })
    .where('id', '=', deliveryId)
    .execute();
}

/** Whether any delivery is pending and due: a read, so an idle worker never takes the write lock. */
export async function anyDeliveryDue(db: Db, now: number): Promise<boolean> {
  const row = await db
    .selectFrom('webhook_deliveries')
    .select('seq')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Erasure: the deliveries (sent or not) that carry this person's data, with their attempts. */
export async function forgetPersonDeliveries(db: Db, projectId: string, personId: number): Promise<void> {
  // By subscription and person: the order-per-person index serves it.
  const webhooks = db.selectFrom('webhooks').select('id').where('project_id', '=', projectId);
  const ids = db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('webhook_id', 'in', webhooks)
    .where('person_id', '=', personId);
  await db.deleteFrom('webhook_attempts').where('delivery_id', 'in', ids).execute();
  await db
    .deleteFrom('webhook_deliveries')
    .where('webhook_id', 'in', webhooks)
    .where('person_id', '=', personId)
    .execute();
}

/**
 * Deletes up to `limit` deliveries finished (delivered or failed) before `before`, with their
 * attempts; answers how many. Callers repeat while a full batch went, keeping each short.
 */
export async function pruneFinishedDeliveries(db: Db, before: number, limit: number): Promise<number> {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('status', 'in', ['delivered', 'failed'])
    .where('finished_at', '<', before)
    .limit(limit)
    .execute();
  const ids = rows.map((r) => r.id);
  if (ids.length === 0) return 0;
  await db.deleteFrom('webhook_attempts').where('delivery_id', 'in', ids).execute();
  await db.deleteFrom('webhook_deliveries').where('id', 'in', ids).execute();
  return ids.length;
}
