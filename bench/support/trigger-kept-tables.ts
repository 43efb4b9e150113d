/**
 * The benchmark loader's way past the triggers that keep aggregates on PostgreSQL: per-row
 * triggers on 3.5M attribute rows (all counting into the same few `attribute_holders` rows) and the
 * rollup's statement trigger on 10M events make a 1M load take hours. The loader turns the
 * insert triggers whose tables are filled here off for the load, and `fillTriggerKeptTables`
 * then writes those tables set-based, exactly as the triggers would have left them
 * (`test/bench-support/trigger-kept-tables.test.ts` loads both ways and compares). Triggers not
 * listed here keep firing during the load. Production triggers are not changed.
 */
import { sql } from 'kysely';
import { HOUR_MS } from '../../packages/server/src/storage/event-rollup-migration.js';
import type { Store } from '../../packages/server/src/storage/store.js';

/**
 * The insert triggers the loader turns off, and the table each keeps. A trigger-kept table added
 * later (another rollup) goes here with its trigger, and into `fillTriggerKeptTables`.
 */
export const BYPASSED_TRIGGERS = [
  { table: 'persons', trigger: 'event_rollup_person_added', keeps: 'event_rollup' },
  { table: 'devices', trigger: 'event_rollup_device_added', keeps: 'event_rollup' },
  { table: 'events', trigger: 'event_rollup_add', keeps: 'event_rollup' },
  { table: 'person_attributes', trigger: 'attribute_holders_added', keeps: 'attribute_holders' },
] as const;

/** The tables `fillTriggerKeptTables` writes. */
export const TRIGGER_KEPT_TABLES = [...new Set(BYPASSED_TRIGGERS.map((t) => t.keeps))];

/** Turns the bypassed triggers off (`enabled` false) or on again. */
export async function setBypassedTriggers(store: Store, enabled: boolean): Promise<void> {
  for (const { table, trigger } of BYPASSED_TRIGGERS) {
    const action = enabled ? sql`enable` : sql`disable`;
    await sql`alter table ${sql.table(table)} ${action} trigger ${sql.ref(trigger)}`.execute(store.db);
  }
}

/**
 * Writes every table of `TRIGGER_KEPT_TABLES` again from the rows it is kept from, set-based:
 * what the triggers leave after the loader's inserts (persons and devices, attributes, then events;
 * nothing updated or deleted). Secondary indexes are built after the rows are in.
 */
export async function fillTriggerKeptTables(store: Store): Promise<void> {
  const db = store.db;
  // event_rollup: the events counted per hour and source, resolved as the insert trigger does
  // (a user id's person, else the device's; reports fall back to the device's person).
  const indexes = await setIndexesAside(store, 'event_rollup');
  await sql`delete from event_rollup`.execute(db);
  await sql`insert into event_rollup (project_id, hour, type, name, user_id, anonymous_id, session_id, events,
      person_id, report_person_id, device_type)
    select g.project_id, g.hour, g.type, g.name, g.user_id, g.anonymous_id, g.session_id, g.events,
      case when g.user_id <> '' then u.id else d.person_id end, coalesce(u.id, d.person_id), d.device_type
    from (select project_id, timestamp / ${sql.lit(HOUR_MS)} as hour, type, coalesce(name, '') as name,
            coalesce(user_id, '') as user_id, coalesce(anonymous_id, '') as anonymous_id,
            coalesce(session_id, '') as session_id, count(*) as events
          from events group by 1, 2, 3, 4, 5, 6, 7) g
    left join persons u on g.user_id <> '' and u.project_id = g.project_id and u.user_id = g.user_id
    left join devices d on d.project_id = g.project_id and d.anonymous_id = g.anonymous_id`.execute(db);
  for (const index of indexes) await sql.raw(index).execute(db);

  // attribute_holders: persons holding a value, per attribute (shard 0: on PostgreSQL a count
  // goes to the shard of its writing connection, 0037, and is summed when read).
  await sql`delete from attribute_holders`.execute(db);
  await sql`insert into attribute_holders (project_id, name, shard, holders)
    select project_id, name, 0, count(*) from person_attributes where value is not null
    group by project_id, name`.execute(db);
}

/**
 * Drops the secondary indexes of `table` (not its primary key) and answers the statements that
 * build them again (on every partition): one sorted build beats millions of scattered inserts.
 */
export async function setIndexesAside(store: Store, table: string): Promise<string[]> {
  const db = store.db;
  const found =
    store.name === 'sqlite'
      ? (
          await sql<{ name: string; definition: string }>`select name, sql as definition from sqlite_master
            where type = 'index' and tbl_name = ${table} and sql is not null`.execute(db)
        ).rows
      : (
          await sql<{ name: string; definition: string }>`select i.indexname as name, i.indexdef as definition
            from pg_indexes i
            where i.tablename = ${table} and i.schemaname = current_schema()
              and not exists (select 1 from pg_constraint c
                where c.conname = i.indexname and c.connamespace = current_schema()::regnamespace)`.execute(
            db,
          )
        ).rows;
  for (const index of found) await sql`drop index ${sql.ref(index.name)}`.execute(db);
  // PostgreSQL describes an index of a partitioned table `on only` the parent: built that way it
  // stays invalid, with no index on any partition.
  return found.map((index) => index.definition.replace(/ ON ONLY /i, ' ON '));
}
