import { type Kysely, type Migration, sql } from 'kysely';
import { HOLDER_SHARDS } from './event-rollup-migration.js';
import type { MigrationDialect } from './migrations.js';

/**
 * `0036_import_holder_counts`: on SQLite, a writer may count the holders it changes itself. The
 * `attribute_holders` row triggers of 0013 skip while `attribute_holders_paused` has a row; a
 * writer inserts that row in its transaction, writes, removes it and adds its counts set-based
 * (see attribute-holder-counts.ts). Other connections never see the row (it never commits), so
 * every other write path keeps counting row by row. The import does this (the trigger upserted a
 * counter row per value it wrote). On PostgreSQL, the triggers count per statement instead.
 */
export function attributeHoldersMigration(dialect: MigrationDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect.name === 'postgres') return countPerStatement(db);
      await db.schema
        .createTable('attribute_holders_paused')
        .addColumn('paused', 'integer', (c) => c.primaryKey())
        .modifyEnd(sql`without rowid`)
        .execute();
      const shards = sql.lit(HOLDER_SHARDS);
      const add = (row: 'new' | 'old', delta: ReturnType<typeof sql>) => {
        const r = sql.raw(row);
        return sql`insert into attribute_holders as h (project_id, name, shard, holders)
          values (${r}.project_id, ${r}.name, ${r}.person_id % ${shards}, ${delta})
          on conflict (project_id, name, shard) do update set holders = h.holders + excluded.holders;`;
      };
      const counting = sql`not exists (select 1 from attribute_holders_paused)`;
      for (const name of [
        'attribute_holders_added',
        'attribute_holders_removed',
        'attribute_holders_changed',
      ]) {
        await sql`drop trigger ${sql.id(name)}`.execute(db);
      }
      await sql`create trigger attribute_holders_added after insert on person_attributes
        when new.value is not null and ${counting} begin ${add('new', sql`1`)} end`.execute(db);
      await sql`create trigger attribute_holders_removed after delete on person_attributes
        when old.value is not null and ${counting} begin ${add('old', sql`-1`)} end`.execute(db);
      await sql`create trigger attribute_holders_changed after update of value on person_attributes
        when (old.value is null) <> (new.value is null) and ${counting}
        begin ${add('new', sql`case when new.value is null then -1 else 1 end`)} end`.execute(db);
    },
  };
}

/**
 * PostgreSQL: the row triggers become statement triggers over transition tables, so a statement
 * adds its counts once per name and shard (a COPY of 50,000 values updated the same 16 counter
 * rows per name row by row, each update a new row version in one transaction: a chain every later
 * update walked). Per statement, the holders after minus those before: exact for every write path,
 * a change of `person_id` included.
 */
async function countPerStatement(db: Kysely<unknown>) {
  for (const name of ['attribute_holders_added', 'attribute_holders_removed', 'attribute_holders_changed']) {
    await sql`drop trigger ${sql.id(name)} on person_attributes`.execute(db);
  }
  await sql`drop function attribute_holders_count()`.execute(db);
  const shards = sql.lit(HOLDER_SHARDS);
  const held = (rows: string, sign: string) =>
    sql`select project_id, name, person_id % ${shards} as shard, ${sql.raw(sign)}count(*) as holders
      from ${sql.raw(rows)} where value is not null group by 1, 2, 3`;
  const addAll = (source: ReturnType<typeof sql>) => sql`
    insert into attribute_holders as h (project_id, name, shard, holders)
      select project_id, name, shard, sum(holders) from (${source}) d
      group by 1, 2, 3 having sum(holders) <> 0 order by 1, 2, 3
      on conflict (project_id, name, shard) do update set holders = h.holders + excluded.holders;`;
  const functions = [
    ['attribute_holders_inserted', addAll(held('new_rows', ''))],
    ['attribute_holders_deleted', addAll(held('old_rows', '-'))],
    ['attribute_holders_updated', addAll(sql`${held('new_rows', '')} union all ${held('old_rows', '-')}`)],
  ] as const;
  for (const [name, body] of functions) {
    await sql`create function ${sql.id(name)}() returns trigger language plpgsql as $$ begin
      ${body}
      return null;
    end $$`.execute(db);
  }
  await sql`create trigger attribute_holders_added after insert on person_attributes
    referencing new table as new_rows for each statement execute function attribute_holders_inserted()`.execute(
    db,
  );
  await sql`create trigger attribute_holders_removed after delete on person_attributes
    referencing old table as old_rows for each statement execute function attribute_holders_deleted()`.execute(
    db,
  );
  await sql`create trigger attribute_holders_changed after update on person_attributes
    referencing old table as old_rows new table as new_rows
    for each statement execute function attribute_holders_updated()`.execute(db);
}
