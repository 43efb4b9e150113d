import { chunked } from './chunked.js';
import type { Db } from './store.js';

/** The user ids of these persons, in the order given; persons since erased are left out. */
export async function findUserIdsOfPersons(
  db: Db,
  projectId: string,
  personIds: number[],
): Promise<string[]> {
  const byPerson = new Map<number, string>();
  for (const ids of chunked(personIds, 500)) {
    const rows = await db
      .selectFrom('persons')
      .select(['id', 'user_id'])
      .where('project_id', '=', projectId)
      .where('id', 'in', ids)
      .execute();
    for (const row of rows) if (row.user_id !== null) byPerson.set(Number(row.id), row.user_id);
  }
  return personIds.map((id) => byPerson.get(id)).filter((id) => id !== undefined);
}
