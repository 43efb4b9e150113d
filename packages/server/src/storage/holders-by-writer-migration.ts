import { type Kysely, type Migration, sql } from 'kysely';
import { HOLDER_SHARDS } from './event-rollup-migration.js';
import type { MigrationDialect } from './migrations.js';

/**
 * `0037_holders_by_writer`: on PostgreSQL, a statement's holder counts go to the shard of the
 * connection that writes them (`pg_backend_pid() % HOLDER_SHARDS`) instead of `person_id %
 * HOLDER_SHARDS`. Sharded by person, every batch that gave a few new persons a trait updated
 * nearly all 16 counter rows of each name and held them until commit, so concurrent ingestion
 * transactions queued behind each other (and behind their identity locks). By writer, concurrent
 * transactions update different rows, and a statement updates one row per name. The counts are
 * summed over shards when read (`countAttributeHolders`), so where a holder was counted does not
 * matter and the existing rows stay as they are. SQLite (one writer) is unchanged.
 */
export function holdersByWriterMigration(dialect: MigrationDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect.name !== 'postgres') return;
      const shard = sql`pg_backend_pid() % ${sql.lit(HOLDER_SHARDS)}`;
      const held = (rows: string, sign: string) =>
        sql`select project_id, name, ${sql.raw(sign)}count(*) as holders
          from ${sql.raw(rows)} where value is not null group by 1, 2`;
      const addAll = (source: ReturnType<typeof sql>) => sql`
        insert into attribute_holders as h (project_id, name, shard, holders)
          select project_id, name, ${shard}, sum(holders) from (${source}) d
          group by 1, 2 having sum(holders) <> 0 order by 1, 2
          on conflict (project_id, name, shard) do update set holders = h.holders + excluded.holders;`;
      const functions = [
        ['attribute_holders_inserted', addAll(held('new_rows', ''))],
        ['attribute_holders_deleted', addAll(held('old_rows', '-'))],
        [
          'attribute_holders_updated',
          addAll(sql`${held('new_rows', '')} union all ${held('old_rows', '-')}`),
        ],
      ] as const;
      for (const [name, body] of functions) {
        await sql`create or replace function ${sql.id(name)}() returns trigger language plpgsql as $$ begin
          ${body}
          return null;
        end $$`.execute(db);
      }
    },
  };
}
