import type { Db } from '../../src/storage/store.js';

/** Holder counts as a grouped scan of the values finds them (what the kept counts replace). */
export async function holdersByScan(db: Db, projectId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('person_attributes')
    .select(['name', (eb) => eb.fn.countAll<number>().as('n')])
    .where('project_id', '=', projectId)
    .where('value', 'is not', null)
    .groupBy('name')
    .execute();
  return new Map(rows.filter((r) => Number(r.n) > 0).map((r) => [r.name, Number(r.n)]));
}
