import { type SelectQueryBuilder, sql } from 'kysely';
import { projectOfPersons } from './condition-query.js';
import { type IdWindow, idWindowSql } from './condition-sql-values.js';
import type { Database, PersonsTable } from './schema.js';
import type { Db } from './store.js';

/** A select over `persons as p` narrowed to the members of a group (static or dynamic). */
export type PersonsQuery = SelectQueryBuilder<Database & { p: PersonsTable }, 'p', object>;

/** One member as the members list and its CSV show it. */
export interface MemberRow {
  person_id: number;
  user_id: string | null;
  first_seen: number;
  last_seen: number;
}

/** Members within a window of person ids (`ids`), or all of them. */
export type WindowedPersons = (ids?: IdWindow) => PersonsQuery;

/** The persons of a static group (within `ids` when given). */
export function staticGroupPersons(db: Db, projectId: string, groupId: string, ids?: IdWindow): PersonsQuery {
  return db
    .selectFrom('persons as p')
    .where(projectOfPersons(projectId, ids !== undefined))
    .$if(ids !== undefined, (q) => q.where(idWindowSql(sql.ref('p.id'), ids)))
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('group_members as gm')
          .select('gm.person_id')
          .where('gm.group_id', '=', groupId)
          .whereRef('gm.person_id', '=', 'p.id'),
      ),
    ) as PersonsQuery;
}

export async function countPersons(persons: PersonsQuery): Promise<number> {
  const row = await persons.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The first window of a page walks this many persons per member wanted; each next one 4× more. */
const WINDOW_PER_MEMBER = 16;
const FIRST_WINDOW_MIN = 1024;

/**
 * Members after person id `afterId`, by person id, at most `limit`. strategy: walk the persons in
 * id order in windows of ids that grow 4× each time — `(afterId, afterId + w]`, then the next 4w,
 * … — and stop once `limit` members are found; the last window has no upper end, so the answer is
 * exactly the first `limit` members after `afterId`. Each window's query is restricted to its
 * persons inside the condition too (attribute leaves probed by primary key, behaviour leaves read
 * by person from the rollup), so a page costs about what the persons it walks cost, whatever the
 * size of the group or project.
 */
export async function pagePersons(
  db: Db,
  persons: WindowedPersons,
  afterId: number,
  limit: number,
): Promise<MemberRow[]> {
  const found: MemberRow[] = [];
  const last = await db
    .selectFrom('persons')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  const lastId = Number(last?.id ?? 0);
  let after = afterId;
  let width = Math.max(FIRST_WINDOW_MIN, limit * WINDOW_PER_MEMBER);
  while (found.length < limit) {
    const upTo = after + width >= lastId ? null : after + width;
    const rows = await persons({ after, upTo })
      .select(['p.id', 'p.user_id', 'p.first_seen', 'p.last_seen'])
      .orderBy('p.id')
      .limit(limit - found.length)
      .execute();
    for (const r of rows) {
      found.push({
        person_id: Number(r.id),
        user_id: r.user_id,
        first_seen: Number(r.first_seen),
        last_seen: Number(r.last_seen),
      });
    }
    if (upTo === null) break;
    after = upTo;
    width *= 4;
  }
  return found;
}

/** Members first seen at or after `since`. */
export function firstSeenSince(persons: PersonsQuery, since: number): PersonsQuery {
  return persons.where('p.first_seen', '>=', since);
}

/**
 * Members with any event at or after `since`, by the events' resolution (DESIGN §3 rule 5): sent
 * with their user id, or with no user id from one of their devices.
 */
export function activeSince(persons: PersonsQuery, projectId: string, since: number): PersonsQuery {
  return persons.where((eb) =>
    eb.or([
      eb.exists(
        eb
          .selectFrom('events as e')
          .select('e.id')
          .where('e.project_id', '=', projectId)
          .whereRef('e.user_id', '=', 'p.user_id')
          .where('e.timestamp', '>=', since),
      ),
      eb.exists(
        eb
          .selectFrom('devices as d')
          .innerJoin('events as e', (join) =>
            join.onRef('e.project_id', '=', 'd.project_id').onRef('e.anonymous_id', '=', 'd.anonymous_id'),
          )
          .select('e.id')
          .whereRef('d.person_id', '=', 'p.id')
          .where('e.user_id', 'is', null)
          .where('e.timestamp', '>=', since),
      ),
    ]),
  );
}
