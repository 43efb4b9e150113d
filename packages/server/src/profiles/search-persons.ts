import type { Db } from '../storage/store.js';
import { containsText } from '../storage/text-search.js';

export interface PersonSearch {
  q?: string;
  identified?: boolean;
  limit: number;
  offset: number;
}

/** Persons of a project, most recently seen first; `q` matches the user id or any attribute value. */
export async function searchPersons(db: Db, projectId: string, search: PersonSearch) {
  let query = db.selectFrom('persons').where('project_id', '=', projectId);
  if (search.identified !== undefined) {
    query = query.where('user_id', search.identified ? 'is not' : 'is', null);
  }
  if (search.q) {
    const q = search.q;
    const contains = (column: string) => containsText(column, q);
    query = query.where((eb) =>
      eb.or([
        contains('persons.user_id'),
        eb.exists(
          eb
            .selectFrom('person_attributes')
            .select('person_attributes.person_id')
            .whereRef('person_attributes.person_id', '=', 'persons.id')
            .where(contains('person_attributes.value')),
        ),
      ]),
    );
  }
  const [count, rows] = await Promise.all([
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    query
      .select(['id', 'user_id', 'first_seen', 'last_seen', 'bound_at', 'imported_at'])
      .orderBy('last_seen', 'desc')
      .orderBy('id', 'desc')
      .limit(search.limit)
      .offset(search.offset)
      .execute(),
  ]);
  return {
    total: Number(count.n),
    limit: search.limit,
    offset: search.offset,
    users: rows.map((p) => ({
      person_id: p.id,
      user_id: p.user_id,
      identified: p.user_id !== null,
      bound: p.bound_at !== null,
      imported: p.imported_at !== null,
      first_seen: new Date(p.first_seen).toISOString(),
      last_seen: new Date(p.last_seen).toISOString(),
    })),
  };
}
