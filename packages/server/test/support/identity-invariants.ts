import { sql } from 'kysely';
import type { Db } from '../../src/storage/store.js';

/**
 * What must hold of the identity tables whatever happened (fuzzing, crashes, lost connections):
 * no user id or anonymous id held by two persons, no person over the device cap, no device or
 * attribute left pointing at a person that is gone (a half-done merge). Returns the violations.
 */
export async function identityViolations(db: Db, maxDevicesPerPerson: number): Promise<string[]> {
  const found: string[] = [];
  const check = async (what: string, query: ReturnType<typeof sql<Record<string, unknown>>>) => {
    const { rows } = await query.execute(db);
    for (const row of rows) found.push(`${what}: ${JSON.stringify(row)}`);
  };
  await check(
    'user id held by two persons',
    sql`select project_id, user_id, count(*) as n from persons where user_id is not null
        group by project_id, user_id having count(*) > 1`,
  );
  await check(
    'anonymous id held twice',
    sql`select project_id, anonymous_id, count(*) as n from devices
        group by project_id, anonymous_id having count(*) > 1`,
  );
  await check(
    'person over the device cap',
    sql`select person_id, count(*) as n from devices group by person_id
        having count(*) > ${maxDevicesPerPerson}`,
  );
  await check(
    'device of a missing person (or of another project)',
    sql`select d.project_id, d.anonymous_id, d.person_id from devices d
        left join persons p on p.id = d.person_id and p.project_id = d.project_id where p.id is null`,
  );
  await check(
    'attribute of a missing person',
    sql`select a.project_id, a.person_id, a.name from person_attributes a
        left join persons p on p.id = a.person_id and p.project_id = a.project_id where p.id is null`,
  );
  return found;
}
