import { type Kysely, type Migration, sql } from 'kysely';
import type { MigrationDialect } from './migrations.js';

/** Whether an `event_rollup` row (by its alias) counts for reports: resolved to a person, not a crawler's. */
const counted = (row: 'new' | 'old' | 'r') =>
  sql`${sql.raw(row)}.report_person_id is not null and coalesce(${sql.raw(row)}.device_type, '') <> 'bot'`;

/** The `report_visits` row of an `event_rollup` row (by its alias). */
const visitOf = (row: 'new' | 'old') => {
  const r = sql.raw(row);
  return sql`project_id = ${r}.project_id and hour = ${r}.hour and person_id = ${r}.report_person_id`;
};

const KEY = sql`project_id, hour, person_id`;

/**
 * `0031_report_visits`: who visited in which UTC hour — one row per project, hour and report
 * person, with `rollup_rows`, how many `event_rollup` rows of that hour count for that person
 * (resolved, not a crawler's). Visitor counts need only this: one narrow row per person and hour
 * where the rollup has one per source, session, hour and event name. It is a function of
 * `event_rollup` alone, kept by triggers on it, so it is exact wherever the rollup is: in the
 * transaction that adds or erases events, and in the one where an identity merge, split or
 * erasure resolves rollup rows to another person. The existing rollup rows are counted here.
 */
export function reportVisitsMigration(dialect: MigrationDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('report_visits')
        .addColumn('project_id', 'text', (c) => c.notNull())
        .addColumn('hour', 'bigint', (c) => c.notNull())
        .addColumn('person_id', 'bigint', (c) => c.notNull())
        .addColumn('rollup_rows', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('report_visits_pk', ['project_id', 'hour', 'person_id'])
        .modifyEnd(dialect.withoutRowId ? sql`without rowid` : sql``)
        .execute();
      await sql`insert into report_visits (${KEY}, rollup_rows)
        select r.project_id, r.hour, r.report_person_id, count(*) from event_rollup r
        where ${counted('r')} group by r.project_id, r.hour, r.report_person_id`.execute(db);
      const statements = dialect.name === 'sqlite' ? sqliteTriggers() : postgresTriggers();
      for (const statement of statements) await statement.execute(db);
    },
  };
}

/** Counts `row`'s visit one up (a new row of the rollup counts for its person and hour). */
function addVisit(row: 'new' | 'old', upsert: 'sqlite' | 'postgres') {
  const r = sql.raw(row);
  const current = upsert === 'sqlite' ? sql`rollup_rows` : sql`report_visits.rollup_rows`;
  return sql`insert into report_visits (${KEY}, rollup_rows)
    select ${r}.project_id, ${r}.hour, ${r}.report_person_id, 1 where ${counted(row)}
    on conflict (${KEY}) do update set rollup_rows = ${current} + 1;`;
}

/** Counts `row`'s visit one down, and removes it at none. */
function removeVisit(row: 'new' | 'old') {
  return sql`update report_visits set rollup_rows = rollup_rows - 1 where ${visitOf(row)} and ${counted(row)};
    delete from report_visits where ${visitOf(row)} and rollup_rows <= 0;`;
}

/** The rollup rows resolved again: to another person, or to a device that is now (or no longer) a crawler. */
const MOVED = sql`old.report_person_id is distinct from new.report_person_id
  or old.device_type is distinct from new.device_type`;

/** SQLite: row triggers on `event_rollup` (an upsert that only counts events up changes neither). */
function sqliteTriggers() {
  const moved = sql`old.report_person_id is not new.report_person_id or old.device_type is not new.device_type`;
  return [
    sql`create trigger report_visits_add after insert on event_rollup when ${counted('new')} begin
      ${addVisit('new', 'sqlite')}
    end`,
    sql`create trigger report_visits_remove after delete on event_rollup when ${counted('old')} begin
      ${removeVisit('old')}
    end`,
    sql`create trigger report_visits_move after update of report_person_id, device_type on event_rollup
      when ${moved} begin
      ${removeVisit('old')}
      ${addVisit('new', 'sqlite')}
    end`,
  ];
}

/**
 * PostgreSQL: rows added and removed are counted per statement from its transition table (one
 * grouped upsert, in key order so concurrent writers lock visits in the same order); rows resolved
 * again per row.
 */
function postgresTriggers() {
  const grouped = (
    table: string,
  ) => sql`select r.project_id, r.hour, r.report_person_id as person_id, count(*) as n
    from ${sql.raw(table)} r where ${counted('r')} group by r.project_id, r.hour, r.report_person_id`;
  return [
    sql`create function report_visits_add() returns trigger language plpgsql as $$ begin
      insert into report_visits (${KEY}, rollup_rows)
      select g.project_id, g.hour, g.person_id, g.n from (${grouped('new_rollup')}) g
      order by g.project_id, g.hour, g.person_id
      on conflict (${KEY}) do update set rollup_rows = report_visits.rollup_rows + excluded.rollup_rows;
      return null;
    end $$`,
    sql`create trigger report_visits_add after insert on event_rollup
      referencing new table as new_rollup for each statement execute function report_visits_add()`,
    sql`create function report_visits_remove() returns trigger language plpgsql as $$ begin
      update report_visits v set rollup_rows = v.rollup_rows - g.n from (${grouped('old_rollup')}) g
        where (v.project_id, v.hour, v.person_id) = (g.project_id, g.hour, g.person_id);
      delete from report_visits where rollup_rows <= 0
        and (project_id, hour, person_id) in (select r.project_id, r.hour, r.report_person_id from old_rollup r);
      return null;
    end $$`,
    sql`create trigger report_visits_remove after delete on event_rollup
      referencing old table as old_rollup for each statement execute function report_visits_remove()`,
    sql`create function report_visits_move() returns trigger language plpgsql as $$ begin
      ${removeVisit('old')}
      ${addVisit('new', 'postgres')}
      return null;
    end $$`,
    sql`create trigger report_visits_move after update of report_person_id, device_type on event_rollup
      for each row when (${MOVED}) execute function report_visits_move()`,
  ];
}
