import { sql } from 'kysely';
import type { Db } from '../../packages/server/src/storage/store.js';

const DAY = 86_400_000;

/**
 * The baseline: the benchmark's group — membership level gold or diamond, age 30 or more, and at
 * least one purchase in the 30 days before `now` — written by hand the way one would for this
 * schema: the two attributes joined on their typed columns, the purchase as `exists` through the
 * person's user id or, for events sent before sign-in, its devices (DESIGN §3 rule 5).
 */
function filter(projectId: string, now: number) {
  const from = now - 30 * DAY;
  return sql`
    from persons p
    join person_attributes l on l.person_id = p.id and l.name = 'membership_level'
      and l.text_value in ('gold', 'diamond')
    join person_attributes a on a.person_id = p.id and a.name = 'age' and a.num_value >= 30
    where p.project_id = ${projectId}
      and (exists (select 1 from events e
                   where e.project_id = ${projectId} and e.user_id = p.user_id and e.type = 'track'
                     and e.name = 'purchase' and e.timestamp between ${from} and ${now})
        or exists (select 1 from devices d
                   join events e on e.project_id = d.project_id and e.anonymous_id = d.anonymous_id
                   where d.person_id = p.id and e.user_id is null and e.type = 'track'
                     and e.name = 'purchase' and e.timestamp between ${from} and ${now}))`;
}

export async function handWrittenCount(db: Db, projectId: string, now: number): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n ${filter(projectId, now)}`.execute(
    db,
  );
  return Number(rows[0].n);
}

export async function handWrittenPage(
  db: Db,
  projectId: string,
  now: number,
  afterId: number,
): Promise<number[]> {
  const { rows } = await sql<{ id: number | string }>`
    select p.id, p.user_id, p.first_seen, p.last_seen ${filter(projectId, now)} and p.id > ${afterId}
    order by p.id limit 100`.execute(db);
  return rows.map((row) => Number(row.id));
}
