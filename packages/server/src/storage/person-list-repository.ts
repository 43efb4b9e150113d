import type { PersonsQuery } from './group-member-query.js';
import type { Db } from './store.js';

export type PersonSort = 'last_seen' | 'first_seen';

export interface PersonListQuery {
  sort: PersonSort;
  order: 'asc' | 'desc';
  identified?: boolean;
  /** The position after the previous page: [sort value, person id]. */
  after?: [number, number];
  limit: number;
}

/**
 * strategy: keyset paging on (sort column, id) over the `persons_project_<column>` index, so every
 * page costs the same at 1,000,000 persons; the last row's position is the next page's start.
 * `matching` narrows the list to the persons of a condition (`personsMatching`): the same walk
 * down the index, each person tested by the condition until a page is full.
 */
export async function listPersonsPage(
  db: Db,
  projectId: string,
  query: PersonListQuery,
  matching?: PersonsQuery,
) {
  const column = `p.${query.sort}` as const;
  const direction = query.order;
  let q = (matching ?? db.selectFrom('persons as p').where('p.project_id', '=', projectId)).select([
    'p.id',
    'p.user_id',
    'p.first_seen',
    'p.last_seen',
    'p.bound_at',
    'p.imported_at',
  ]);
  if (query.identified !== undefined) q = q.where('p.user_id', query.identified ? 'is not' : 'is', null);
  if (query.after) {
    const [value, id] = query.after;
    const beyond = direction === 'desc' ? '<' : '>';
    q = q.where((eb) =>
      eb.or([eb(column, beyond, value), eb.and([eb(column, '=', value), eb('p.id', beyond, id)])]),
    );
  }
  return q.orderBy(column, direction).orderBy('p.id', direction).limit(query.limit).execute();
}

/**
 * The latest events of a project, newest first, before event `beforeId` when given: one backward
 * stretch of the `events_project_id` index (0017), however many events the project or the install holds.
 */
export function recentEventsQuery(db: Db, projectId: string, limit: number, beforeId?: number) {
  let q = db
    .selectFrom('events')
    .select(['id', 'type', 'name', 'anonymous_id', 'user_id', 'timestamp', 'received_at', 'url'])
    .where('project_id', '=', projectId);
  if (beforeId !== undefined) q = q.where('id', '<', beforeId);
  return q.orderBy('id', 'desc').limit(limit);
}

export async function recentEvents(db: Db, projectId: string, limit: number, beforeId?: number) {
  return recentEventsQuery(db, projectId, limit, beforeId).execute();
}
