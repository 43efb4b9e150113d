import type { Selectable, Updateable } from 'kysely';
import { chunked } from './chunked.js';
import type { WebhooksTable } from './schema.js';
import type { Db } from './store.js';

export type WebhookRow = Selectable<WebhooksTable>;

/** What the outbox needs of a subscription to decide which changes it is sent. */
export interface ActiveSubscription {
  id: string;
  events: string[];
  groupIds: string[] | null;
  attributes: string[];
}

export async function insertWebhook(db: Db, row: WebhookRow): Promise<void> {
  await db.insertInto('webhooks').values(row).execute();
}

export async function findWebhook(db: Db, projectId: string, id: string): Promise<WebhookRow | undefined> {
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('id', '=', id)
    .where('project_id', '=', projectId)
    .executeTakeFirst();
}

export async function listWebhooks(db: Db, projectId: string): Promise<WebhookRow[]> {
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Changes a subscription; false when there is none with this id in the project. */
export async function updateWebhook(
  db: Db,
  projectId: string,
  id: string,
  change: Updateable<WebhooksTable>,
): Promise<boolean> {
  const result = await db
    .updateTable('webhooks')
    .set(change)
    .where('id', '=', id)
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Deletes a subscription with its delivery log; false when there is none with this id in the project. */
export async function deleteWebhook(db: Db, projectId: string, id: string): Promise<boolean> {
  const deliveries = db.selectFrom('webhook_deliveries').select('id').where('webhook_id', '=', id);
  const found = await findWebhook(db, projectId, id);
  if (!found) return false;
  await db.deleteFrom('webhook_attempts').where('delivery_id', 'in', deliveries).execute();
  await db.deleteFrom('webhook_deliveries').where('webhook_id', '=', id).execute();
  await db.deleteFrom('webhooks').where('id', '=', id).execute();
  return true;
}

/**
 * The project's active subscriptions, as the outbox reads them once per write transaction: one
 * indexed read, and nothing more to do when it comes back empty.
 */
export async function listActiveSubscriptions(db: Db, projectId: string): Promise<ActiveSubscription[]> {
  const rows = await db
    .selectFrom('webhooks')
    .select(['id', 'events', 'group_ids', 'attributes'])
    .where('project_id', '=', projectId)
    .where('status', '=', 'active')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    events: JSON.parse(row.events) as string[],
    groupIds: row.group_ids === null ? null : (JSON.parse(row.group_ids) as string[]),
    attributes: JSON.parse(row.attributes) as string[],
  }));
}

/** The ids of every active subscription, of every project (the delivery worker claims for each). */
export async function activeWebhookIds(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('webhooks')
    .select('id')
    .where('status', '=', 'active')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Keeps a subscription's run of failures: a success ends it; a failure starts it, and a run older
 * than `pauseAfterMs` (3 days) pauses the subscription. Returns true when this call paused it.
 */
export async function noteSubscriptionOutcome(
  db: Db,
  webhookId: string,
  ok: boolean,
  now: number,
  pauseAfterMs: number,
): Promise<boolean> {
  if (ok) {
    await db
      .updateTable('webhooks')
      .set({ failing_since: null })
      .where('id', '=', webhookId)
      .where('failing_since', 'is not', null)
      .execute();
    return false;
  }
  await db
    .updateTable('webhooks')
    .set({ failing_since: now })
    .where('id', '=', webhookId)
    .where('failing_since', 'is', null)
    .execute();
  const paused = await db
    .updateTable('webhooks')
    .set({ status: 'paused', updated_at: now })
    .where('id', '=', webhookId)
    .where('status', '=', 'active')
    .where('failing_since', '<=', now - pauseAfterMs)
    .executeTakeFirst();
  return paused.numUpdatedRows > 0n;
}

/** The user ids of these persons (null for anonymous ones); persons gone since are missing. */
export async function userIdsOfPersons(db: Db, personIds: number[]): Promise<Map<number, string | null>> {
  const result = new Map<number, string | null>();
  for (const ids of chunked([...new Set(personIds)], 500)) {
    const rows = await db.selectFrom('persons').select(['id', 'user_id']).where('id', 'in', ids).execute();
    for (const row of rows) result.set(row.id, row.user_id);
  }
  return result;
}
