import { type Kysely, type Migration, sql } from 'kysely';
import { createMonthPartitions, monthOf, PARTITION_MONTHS_AHEAD } from './event-partitions.js';
import type { MigrationDialect } from './migrations.js';

/**
 * `0020_lean_events`: one index entry per event for its owner instead of two. An event belongs to
 * its user id when it has one, else to its device (DESIGN §3 rule 5), and every query reading a
 * person's events by device already says `user_id is null`: so the user-id index keeps only events
 * with a user id, the anonymous-id index only events without one (before, a signed-in event was in
 * both). Same names, same columns, same queries. On PostgreSQL `events` also becomes a table
 * partitioned by month of `timestamp` (event-partitions.ts), without the primary key on `id` that
 * no query reads (ids still come from the same sequence; `events_project_id` serves reads by id).
 */
export function leanEventsMigration(dialect: MigrationDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect.name === 'postgres') {
        await partitionEvents(db);
      } else {
        await sql`drop index events_user_time`.execute(db);
        await sql`drop index events_anonymous_time`.execute(db);
      }
      await createEventIndexes(db, dialect.name === 'postgres');
    },
  };
}

/** The indexes of `events` after 0020 (on PostgreSQL created on the partitioned table, so on each partition). */
async function createEventIndexes(db: Kysely<unknown>, all: boolean): Promise<void> {
  await sql`create index events_user_time on events (project_id, user_id, timestamp) where user_id is not null`.execute(
    db,
  );
  await sql`create index events_anonymous_time on events (project_id, anonymous_id, timestamp) where user_id is null`.execute(
    db,
  );
  if (!all) return;
  await sql`create index events_project_time on events (project_id, timestamp)`.execute(db);
  await sql`create index events_name_time on events (project_id, name, timestamp)`.execute(db);
  await sql`create index events_project_id on events (project_id, id)`.execute(db);
}

/**
 * Rebuilds `events` as `partition by range (timestamp)`: the rows are copied into month partitions
 * (months with events, and the coming ones) and a default partition for the rest; the rollup's
 * triggers move to the new table (the rollup itself is unchanged: the same events are counted).
 */
async function partitionEvents(db: Kysely<unknown>): Promise<void> {
  await sql`alter table events rename to events_unpartitioned`.execute(db);
  for (const index of [
    'events_user_time',
    'events_anonymous_time',
    'events_project_time',
    'events_name_time',
    'events_project_id',
  ]) {
    await sql`drop index if exists ${sql.ref(index)}`.execute(db);
  }
  await sql`create table events (like events_unpartitioned including defaults) partition by range (timestamp)`.execute(
    db,
  );
  await sql`create table events_default partition of events default`.execute(db);
  const { rows } = await sql<{ day: string }>`
    select distinct (timestamp / 86400000) as day from events_unpartitioned`.execute(db);
  const months = new Set<number>();
  const current = monthOf(Date.now());
  for (const row of rows) {
    const month = monthOf(Number(row.day) * 86_400_000);
    // Stray timestamps (decades away) stay in the default partition rather than in a table each.
    if (month >= current - 120 && month <= current + 24) months.add(month);
  }
  for (let m = current; m <= current + PARTITION_MONTHS_AHEAD; m++) months.add(m);
  await createMonthPartitions(db, [...months]);
  await sql`insert into events select * from events_unpartitioned`.execute(db);
  // The id sequence (and where it stands) moves to the new table, so dropping the old one keeps it.
  const { rows: seq } = await sql<{ name: string }>`
    select pg_get_serial_sequence('events_unpartitioned', 'id') as name`.execute(db);
  await sql`alter sequence ${sql.raw(seq[0].name)} owned by events.id`.execute(db);
  await sql`drop table events_unpartitioned`.execute(db);
  await sql`create trigger event_rollup_add after insert on events
    referencing new table as new_events for each statement execute function event_rollup_add()`.execute(db);
  await sql`create trigger event_rollup_remove after delete on events
    referencing old table as old_events for each statement execute function event_rollup_remove()`.execute(
    db,
  );
}
