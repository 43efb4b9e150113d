import { sql } from 'kysely';
import type { Store } from '../../packages/server/src/storage/store.js';

/**
 * `count` persons, each with one device (`anon-<i>`), a user id (`user-<i>`) and a
 * `membership_level` (bronze, silver, gold, diamond in turn) and one page view, written by the database itself in
 * a few set-based statements (a recursive CTE on SQLite, generate_series on PostgreSQL).
 */
export async function seedPersons(
  store: Store,
  projectId: string,
  count: number,
  now: number,
): Promise<void> {
  const db = store.db;
  const series =
    store.name === 'sqlite'
      ? sql`with recursive seq(i) as (select 1 union all select i + 1 from seq where i < ${count}) select i from seq`
      : sql`select i from generate_series(1, ${count}::int) as i`;
  const level = sql`case i % 4 when 0 then 'bronze' when 1 then 'silver' when 2 then 'gold' else 'diamond' end`;
  await store.transaction(async (tx) => {
    await sql`insert into persons (id, project_id, user_id, created_at, first_seen, last_seen, bound_at, imported_at)
      select i, ${projectId}, 'user-' || i, ${now}, ${now}, ${now}, ${now}, ${now} from (${series}) s`.execute(
      tx.db,
    );
    await sql`insert into devices (project_id, anonymous_id, person_id, first_seen, last_seen, session_count)
      select ${projectId}, 'anon-' || i, i, ${now}, ${now}, 1 from (${series}) s`.execute(tx.db);
    await sql`insert into person_attributes (project_id, person_id, name, value, updated_at, text_value)
      select ${projectId}, i, 'membership_level', '"' || ${level} || '"', ${now}, ${level} from (${series}) s`.execute(
      tx.db,
    );
    // One page view per person, so the facts decide loads include events (behaviour leaves).
    await sql`insert into events (project_id, message_id, type, name, anonymous_id, user_id, timestamp, received_at, session_id, url, properties, context)
      select ${projectId}, 'seed-' || i, 'page', null, 'anon-' || i, 'user-' || i, ${now}, ${now}, 's0',
        'https://shop.example/home', '{}', '{}' from (${series}) s`.execute(tx.db);
    await tx.db
      .insertInto('attribute_definitions')
      .values({
        project_id: projectId,
        name: 'membership_level',
        type: 'string',
        type_source: 'inferred',
        from_sdk: 0,
        from_server: 0,
        from_import: 1,
        first_seen: now,
        last_seen: now,
      })
      .execute();
  });
  if (store.name === 'postgres') await sql`select setval('persons_id_seq', ${count})`.execute(db);
}
