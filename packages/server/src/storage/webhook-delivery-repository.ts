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
 * Claims up to `limit` deliveries of one subscription due now, leasing them until `leaseUntil`.
 * strategy: a delivery is due when pending, its time has come, no worker holds a live lease on it,
 * its subscription is active, and no earlier delivery of the same person to the same subscription
 * is still pending (order per person: a claimed one stays pending until its attempt is recorded,
 * so one claim never holds two deliveries of a person, and the later one is claimable only once
 * the earlier one is done). The subscription's pending rows are read in `seq` order
 * (`webhook_deliveries_claim`), so a claim stops after a few rows. Where writers run
 * concurrently (PostgreSQL) the rows are taken `FOR UPDATE SKIP LOCKED`, so several processes
 * claim different rows without waiting; the lease then keeps them claimed after this
 * transaction, and a crashed worker's lease runs out.
 */
export async function claimDueDeliveries(
  tx: StoreTx,
  webhookId: string,
  now: number,
  leaseUntil: number,
  limit: number,
): Promise<ClaimedDelivery[]> {
  let query = tx.db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
    .select(['d.seq', 'd.id', 'd.webhook_id', 'd.payload', 'd.give_up_at', 'w.url', 'w.secret_sealed'])
    .where('d.webhook_id', '=', webhookId)
    .where('d.status', '=', 'pending')
    // `+ 0` and `|| ''` keep SQLite's planner off the due and person indexes (a range over every
    // pending row, then a sort) and on the subscription's pending rows in `seq` order.
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
  for (const chunk of chunked(claimed, 500)) {
    await tx.db
      .updateTable('webhook_deliveries')
      .set({ lease_until: leaseUntil })
      .where(
        'seq',
        'in',
        chunk.map((d) => d.seq),
      )
      .execute();
  }
  return claimed;
}

/**
 * How many attempts each of these deliveries has had, read for change (rows locked, in id order,
 * where writers are concurrent); deliveries deleted meanwhile are absent.
 */
export async function lockDeliveryAttempts(tx: StoreTx, deliveryIds: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const chunk of chunked([...new Set(deliveryIds)].sort(), 500)) {
    let query = tx.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'attempts'])
      .where('id', 'in', chunk)
      .orderBy('id');
    if (tx.forUpdate) query = query.forUpdate();
    for (const row of await query.execute()) counts.set(row.id, row.attempts);
  }
  return counts;
}

/** A delivery's state after an attempt. */
export interface DeliveryState {
  id: string;
  status: 'delivered' | 'pending' | 'failed';
  attempts: number;
  next_attempt_at: number;
  finished_at: number | null;
  last_error: string | null;
}

/**
 * Records attempts and the deliveries' states after them (leases released). Delivered ones are
 * set a statement per number of attempts (nearly always one statement for the lot); the others,
 * whose next times differ, a statement each.
 */
export async function recordAttempts(db: Db, attempts: AttemptRow[], states: DeliveryState[]): Promise<void> {
  for (const chunk of chunked(attempts, 500)) await db.insertInto('webhook_attempts').values(chunk).execute();
  const delivered = new Map<string, DeliveryState[]>();
  for (const state of states) {
    if (state.status !== 'delivered' || state.last_error !== null) {
      await db
        .updateTable('webhook_deliveries')
        .set({ ...state, lease_until: null })
        .where('id', '=', state.id)
        .execute();
      continue;
    }
    const key = `${state.attempts}:${state.finished_at}:${state.next_attempt_at}`;
    const group = delivered.get(key);
    if (group) group.push(state);
    else delivered.set(key, [state]);
  }
  for (const group of delivered.values()) {
    const { attempts: count, finished_at, next_attempt_at } = group[0];
    for (const chunk of chunked(group, 500)) {
      await db
        .updateTable('webhook_deliveries')
        .set({
          status: 'delivered',
          attempts: count,
          finished_at,
          next_attempt_at,
          last_error: null,
          lease_until: null,
        })
        .where(
          'id',
          'in',
          chunk.map((s) => s.id),
        )
        .execute();
    }
  }
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
