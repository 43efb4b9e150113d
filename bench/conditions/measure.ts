import { sql } from 'kysely';
import { parseCondition } from '../../packages/server/src/conditions/parse-condition.js';
import { personsMatching } from '../../packages/server/src/storage/condition-query.js';
import { openStore } from '../../packages/server/src/storage/store.js';

const location = process.argv[2] ?? '/tmp/condbench/db-100000.db';
const store = openStore(location);
const now = Date.parse('2026-06-15T12:00:00Z');
const DAY = 86400000;
const attributeTypes = new Map([
  ['membership_level', 'string'],
  ['age', 'number'],
  ['signed_up', 'datetime'],
] as const);
const input = {
  all: [
    { attr: 'membership_level', op: 'in', value: ['gold', 'diamond'] },
    { attr: 'age', op: 'gte', value: 30 },
    { event: 'purchase', within_days: 30 },
  ],
};
const parsed = parseCondition(input, { attributeTypes: new Map(attributeTypes) });
if (!parsed.ok) throw new Error(parsed.message);

async function time(label: string, run: () => Promise<unknown>) {
  const times: number[] = [];
  let result: unknown;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    result = await run();
    times.push(performance.now() - start);
  }
  console.log(label, JSON.stringify(result), times.map((t) => t.toFixed(0)).join(' / '), 'ms');
}

await time('compiled', () =>
  personsMatching(store.db, 'p1', parsed.condition, { now, groups: new Map() })
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst(),
);
await time(
  'by hand ',
  async () =>
    (
      await sql`select count(*) as n from persons p
      where p.project_id = 'p1'
      and p.id in (select person_id from person_attributes where project_id = 'p1' and name = 'membership_level' and text_value in ('gold', 'diamond'))
      and p.id in (select person_id from person_attributes where project_id = 'p1' and name = 'age' and num_value >= 30)
      and p.id in (
        select p2.id from events e join persons p2 on p2.project_id = e.project_id and p2.user_id = e.user_id
          where e.project_id = 'p1' and e.type = 'track' and e.name = 'purchase' and e.timestamp between ${now - 30 * DAY} and ${now}
        union
        select d.person_id from events e join devices d on d.project_id = e.project_id and d.anonymous_id = e.anonymous_id
          where e.project_id = 'p1' and e.user_id is null and e.type = 'track' and e.name = 'purchase' and e.timestamp between ${now - 30 * DAY} and ${now})`.execute(
        store.db,
      )
    ).rows[0],
);
await store.close();
