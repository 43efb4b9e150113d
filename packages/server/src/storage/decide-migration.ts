import { type Kysely, type Migration, sql } from 'kysely';
import type { MigrationDialect } from './migrations.js';

/** What decide keeps in memory per project is made of these tables (DESIGN §4, ARCHITECTURE "Decide"). */
const WATCHED = [
  { table: 'experiences', update: 'update' },
  { table: 'groups', update: 'update' },
  // Sightings move `last_seen` on every upload; only a new name or a new type changes conditions.
  { table: 'attribute_definitions', update: 'update of type' },
] as const;

/** The channel PostgreSQL notifies on, with the project id as payload. */
export const DEFINITIONS_CHANNEL = 'acquaint_definitions';

/**
 * `0015_decide`: the database tells server processes when a project's experiences, groups or
 * attribute types change, whoever changes them (an API call, an upload naming a new attribute,
 * another server process), so decide can keep them in memory.
 * - SQLite: triggers count changes per project in `definition_versions`; decide reads its
 *   project's row (one primary-key lookup) and reloads when the count moved.
 * - PostgreSQL: triggers `pg_notify` the project id in the changing transaction (delivered at
 *   commit, merged within one transaction); every server process LISTENs. A counter row there
 *   would make concurrent uploads that name new attributes wait on each other.
 */
export function decideMigration(dialect: MigrationDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect.name === 'postgres') {
        await sql`create function acquaint_definitions_changed() returns trigger language plpgsql as $$
          begin
            perform pg_notify(${sql.lit(DEFINITIONS_CHANNEL)},
              case when tg_op = 'DELETE' then old.project_id else new.project_id end);
            return null;
          end $$`.execute(db);
        for (const { table, update } of WATCHED) {
          await sql`create trigger ${sql.raw(`${table}_changed`)}
            after insert or delete or ${sql.raw(update)} on ${sql.table(table)}
            for each row execute procedure acquaint_definitions_changed()`.execute(db);
        }
        return;
      }
      await db.schema
        .createTable('definition_versions')
        .addColumn('project_id', 'text', (c) => c.primaryKey())
        .addColumn('version', 'integer', (c) => c.notNull())
        .modifyEnd(sql`without rowid`)
        .execute();
      for (const { table, update } of WATCHED) {
        for (const [event, row] of [
          ['insert', 'new'],
          ['delete', 'old'],
          [update, 'new'],
        ] as const) {
          await sql`create trigger ${sql.raw(`${table}_${event.split(' ')[0]}_changed`)}
            after ${sql.raw(event)} on ${sql.table(table)} begin
              insert into definition_versions (project_id, version) values (${sql.raw(row)}.project_id, 1)
                on conflict (project_id) do update set version = version + 1;
            end`.execute(db);
        }
      }
    },
  };
}
