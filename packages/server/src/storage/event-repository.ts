import type { Insertable, Selectable } from 'kysely';
import { chunked } from './chunked.js';
import type { EventsTable } from './schema.js';
import type { Db, StoreTx } from './store.js';

export type NewEvent = Insertable<EventsTable>;
export type EventRow = Selectable<EventsTable>;

/**
 * Records the message ids as received and returns those not seen before in this project (DESIGN §3
 * rule 8). Where writers run concurrently, a second transaction inserting the same id waits for the
 * first and then sees it taken, so a message is applied once however the retries race.
 */
export async function claimMessageIds(
  tx: StoreTx,
  projectId: string,
  messageIds: string[],
  at: number,
): Promise<Set<string>> {
  // Sorted, so two transactions claiming overlapping ids lock them in the same order.
  const rows = [...new Set(messageIds)].sort().map((message_id) => ({
    project_id: projectId,
    message_id,
    received_at: at,
  }));
  return tx.insertNewRows('received_messages', rows, ['project_id', 'message_id'], 'message_id');
}

export async function insertEvents(tx: StoreTx, events: NewEvent[]): Promise<void> {
  await tx.writeRows({ table: 'events', rows: events });
}

/** Which events belong to a person (DESIGN §3 rule 5): by user id, else by anonymous id. */
export interface PersonIds {
  userId: string | null;
  anonymousIds: string[];
}

function personEvents(db: Db, projectId: string, ids: PersonIds) {
  return db
    .selectFrom('events')
    .where('project_id', '=', projectId)
    .where((eb) => {
      const byUser = ids.userId === null ? [] : [eb('user_id', '=', ids.userId)];
      const byDevice =
        ids.anonymousIds.length === 0
          ? []
          : [eb.and([eb('user_id', 'is', null), eb('anonymous_id', 'in', ids.anonymousIds)])];
      const parts = [...byUser, ...byDevice];
      return parts.length ? eb.or(parts) : eb.val(false);
    });
}

/**
 * The whole timeline, newest first, read in pages by position (timestamp, id) rather than by
 * offset, so reading everything costs the same per page however long the history is.
 */
export async function* allPersonEvents(
  db: Db,
  projectId: string,
  ids: PersonIds,
  pageSize = 1000,
): AsyncGenerator<EventRow> {
  let after: { timestamp: number; id: number } | null = null;
  for (;;) {
    let query = personEvents(db, projectId, ids).selectAll();
    if (after !== null) {
      const { timestamp, id } = after;
      query = query.where((eb) =>
        eb.or([
          eb('timestamp', '<', timestamp),
          eb.and([eb('timestamp', '=', timestamp), eb('id', '<', id)]),
        ]),
      );
    }
    const rows = await query.orderBy('timestamp', 'desc').orderBy('id', 'desc').limit(pageSize).execute();
    yield* rows;
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1];
    after = { timestamp: last.timestamp, id: last.id };
  }
}

/** The person's cross-device timeline, newest first. */
export async function findPersonEvents(
  db: Db,
  projectId: string,
  ids: PersonIds,
  page: { limit: number; offset: number },
): Promise<{ total: number; events: EventRow[] }> {
  const [count, events] = await Promise.all([
    personEvents(db, projectId, ids)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
    personEvents(db, projectId, ids)
      .selectAll()
      .orderBy('timestamp', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
  ]);
  return { total: Number(count.n), events };
}

export async function deletePersonEvents(db: Db, projectId: string, ids: PersonIds): Promise<number> {
  const byUser =
    ids.userId === null
      ? 0
      : Number(
          (
            await db
              .deleteFrom('events')
              .where('project_id', '=', projectId)
              .where('user_id', '=', ids.userId)
              .executeTakeFirst()
          ).numDeletedRows,
        );
  let byDevice = 0;
  for (const anonymousIds of chunked(ids.anonymousIds, 500)) {
    const result = await db
      .deleteFrom('events')
      .where('project_id', '=', projectId)
      .where('anonymous_id', 'in', anonymousIds)
      .where('user_id', 'is', null)
      .executeTakeFirst();
    byDevice += Number(result.numDeletedRows);
  }
  return byUser + byDevice;
}

/** Which of these message ids the project has already received (applied). */
export async function findReceivedMessageIds(
  db: Db,
  projectId: string,
  messageIds: string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (const ids of chunked([...new Set(messageIds)], 500)) {
    const rows = await db
      .selectFrom('received_messages')
      .select('message_id')
      .where('project_id', '=', projectId)
      .where('message_id', 'in', ids)
      .execute();
    for (const row of rows) found.add(row.message_id);
  }
  return found;
}
