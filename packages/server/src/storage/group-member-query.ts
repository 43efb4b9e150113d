import type { SelectQueryBuilder } from 'kysely';
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

/** The persons of a static group. */
export function staticGroupPersons(db: Db, projectId: string, groupId: string): PersonsQuery {
  return db
    .selectFrom('persons as p')
    .where('p.project_id', '=', projectId)
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

/** Members after person id `afterId`, by person id. */
export async function pagePersons(
  persons: PersonsQuery,
  afterId: number,
  limit: number,
): Promise<MemberRow[]> {
  const rows = await persons
    .select(['p.id', 'p.user_id', 'p.first_seen', 'p.last_seen'])
    .where('p.id', '>', afterId)
    .orderBy('p.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    person_id: Number(r.id),
    user_id: r.user_id,
    first_seen: Number(r.first_seen),
    last_seen: Number(r.last_seen),
  }));
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
