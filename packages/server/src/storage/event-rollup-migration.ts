import { type Kysely, type Migration, sql } from 'kysely';
import type { MigrationDialect } from './migrations.js';

/** Rollup rows are per hour of UTC: `timestamp / HOUR_MS` (timestamps are never negative). */
export const HOUR_MS = 3_600_000;

/**
 * The rollup columns that say whose a row is, computed from `persons` and `devices` as the
 * queries over `events` resolve an event (DESIGN §3 rule 5): `person_id` is the person holding
 * the row's user id, or for a row without one the person holding its device (what conditions
 * count); `report_person_id` falls back to the device's person when no one holds the user id
 * (what reports count); `device_type` is the device's type now (reports leave bots out).
 */
const RESOLVED = {
  userPerson: sql`(select p.id from persons p where p.project_id = event_rollup.project_id and p.user_id = event_rollup.user_id)`,
  devicePerson: sql`(select d.person_id from devices d where d.project_id = event_rollup.project_id and d.anonymous_id = event_rollup.anonymous_id)`,
  deviceType: sql`(select d.device_type from devices d where d.project_id = event_rollup.project_id and d.anonymous_id = event_rollup.anonymous_id)`,
};
const RESOLVE_SET = sql`person_id = case when event_rollup.user_id <> '' then ${RESOLVED.userPerson} else ${RESOLVED.devicePerson} end,
  report_person_id = coalesce(case when event_rollup.user_id <> '' then ${RESOLVED.userPerson} end, ${RESOLVED.devicePerson}),
  device_type = ${RESOLVED.deviceType}`;

const KEY = sql`project_id, hour, type, name, user_id, anonymous_id, session_id`;

/**
 * `0013_event_rollup`: the events counted per hour and source — project, UTC hour, type, name,
 * user id, anonymous id, session id (absent ones as '') — with the person each row resolves to
 * now. The counts are a function of `events` alone; the person columns of `persons` and
 * `devices`. Triggers keep both exact in the transaction that changes any of the three tables
 * (ingestion, identity merges, admin merge, split and erasure, imports alike); the existing events
 * are counted here.
 */
export function eventRollupMigration(dialect: MigrationDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('event_rollup')
        .addColumn('project_id', 'text', (c) => c.notNull())
        .addColumn('hour', 'bigint', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('anonymous_id', 'text', (c) => c.notNull())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('events', 'bigint', (c) => c.notNull())
        .addColumn('person_id', 'bigint')
        .addColumn('report_person_id', 'bigint')
        .addColumn('device_type', 'text')
        .addPrimaryKeyConstraint('event_rollup_pk', [
          'project_id',
          'hour',
          'type',
          'name',
          'user_id',
          'anonymous_id',
          'session_id',
        ])
        .modifyEnd(dialect.withoutRowId ? sql`without rowid` : sql``)
        .execute();
      // Behaviour leaves read one event name over a range of hours, with whose rows they are.
      await db.schema
        .createIndex('event_rollup_name')
        .on('event_rollup')
        .columns(['project_id', 'type', 'name', 'hour', 'person_id', 'events'])
        .execute();
      // Rows are resolved again when the person holding a user id, or a device, changes.
      await db.schema
        .createIndex('event_rollup_user')
        .on('event_rollup')
        .columns(['user_id', 'project_id'])
        .execute();
      await db.schema
        .createIndex('event_rollup_anonymous')
        .on('event_rollup')
        .columns(['anonymous_id', 'project_id'])
        .execute();

      await sql`insert into event_rollup (${KEY}, events)
        select e.project_id, e.timestamp / ${sql.lit(HOUR_MS)}, e.type, coalesce(e.name, ''),
          coalesce(e.user_id, ''), coalesce(e.anonymous_id, ''), coalesce(e.session_id, ''), count(*)
        from events e group by 1, 2, 3, 4, 5, 6, 7`.execute(db);
      await sql`update event_rollup set ${RESOLVE_SET}`.execute(db);

      const statements = dialect.withoutRowId ? sqliteTriggers() : postgresTriggers();
      for (const statement of statements) await statement.execute(db);
      await createAttributeHolders(db, dialect);
    },
  };
}

/** Holder counts are spread over this many rows per attribute, so concurrent writers rarely wait on one. */
export const HOLDER_SHARDS = 16;

/**
 * How many persons hold a live value of each attribute (Data Settings), counted in the
 * transaction that writes the value: one row per project, name and shard (`person_id %
 * HOLDER_SHARDS`), summed when read.
 */
async function createAttributeHolders(db: Kysely<unknown>, dialect: MigrationDialect) {
  await db.schema
    .createTable('attribute_holders')
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('shard', 'integer', (c) => c.notNull())
    .addColumn('holders', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('attribute_holders_pk', ['project_id', 'name', 'shard'])
    .modifyEnd(dialect.withoutRowId ? sql`without rowid` : sql``)
    .execute();
  const shards = sql.lit(HOLDER_SHARDS);
  await sql`insert into attribute_holders (project_id, name, shard, holders)
    select project_id, name, person_id % ${shards}, count(*) from person_attributes where value is not null
    group by project_id, name, person_id % ${shards}`.execute(db);
  const add = (row: 'new' | 'old', delta: ReturnType<typeof sql>) => {
    const r = sql.raw(row);
    return sql`insert into attribute_holders as h (project_id, name, shard, holders)
      values (${r}.project_id, ${r}.name, ${r}.person_id % ${shards}, ${delta})
      on conflict (project_id, name, shard) do update set holders = h.holders + excluded.holders;`;
  };
  const changed = sql`(old.value is null) <> (new.value is null)`;
  const statements = dialect.withoutRowId
    ? [
        sql`create trigger attribute_holders_added after insert on person_attributes
          when new.value is not null begin ${add('new', sql`1`)} end`,
        sql`create trigger attribute_holders_removed after delete on person_attributes
          when old.value is not null begin ${add('old', sql`-1`)} end`,
        sql`create trigger attribute_holders_changed after update of value on person_attributes
          when ${changed} begin ${add('new', sql`case when new.value is null then -1 else 1 end`)} end`,
      ]
    : [
        sql`create function attribute_holders_count() returns trigger language plpgsql as $$ begin
          if tg_op = 'DELETE' then ${add('old', sql`-1`)}
          elsif tg_op = 'INSERT' then ${add('new', sql`1`)}
          else ${add('new', sql`case when new.value is null then -1 else 1 end`)}
          end if;
          return null;
        end $$`,
        sql`create trigger attribute_holders_added after insert on person_attributes
          for each row when (new.value is not null) execute function attribute_holders_count()`,
        sql`create trigger attribute_holders_removed after delete on person_attributes
          for each row when (old.value is not null) execute function attribute_holders_count()`,
        sql`create trigger attribute_holders_changed after update of value on person_attributes
          for each row when (${changed}) execute function attribute_holders_count()`,
      ];
  for (const statement of statements) await statement.execute(db);
}

/** The row key of an event as written in a trigger (`new` or `old`). */
function eventKey(row: 'new' | 'old') {
  const r = sql.raw(row);
  return sql`${r}.project_id, ${r}.timestamp / ${sql.lit(HOUR_MS)}, ${r}.type, coalesce(${r}.name, ''),
    coalesce(${r}.user_id, ''), coalesce(${r}.anonymous_id, ''), coalesce(${r}.session_id, '')`;
}

function resolveWhere(filter: ReturnType<typeof sql>) {
  return sql`update event_rollup set ${RESOLVE_SET} where ${filter};`;
}

/**
 * The rows of one device or user id. In SQLite, `+project_id` keeps the planner off the primary
 * key (whose first column is `project_id`: every row of the project) and on the id's index.
 * PostgreSQL needs the same since its plan is cached per connection: planned while the table is
 * nearly empty and not yet analysed, every index estimates one row, and the plan may read
 * `project_id`'s indexes (every row of the project, filtered by the id) for the life of the
 * connection: 5 ms a changed device at 10,000 rollup rows, growing with the table.
 */
const PROJECT = {
  sqlite: sql`+project_id`,
  postgres: sql`project_id`,
  /** PostgreSQL's counterpart of `+project_id`, since `0039_rollup_resolve_by_id`. */
  'postgres-by-id': sql`project_id || ''`,
};
type Backend = keyof typeof PROJECT;
const byDevice = (row: 'new' | 'old', backend: Backend) =>
  sql`${PROJECT[backend]} = ${sql.raw(row)}.project_id and anonymous_id = ${sql.raw(row)}.anonymous_id`;
const byUser = (row: 'new' | 'old', backend: Backend) =>
  sql`${PROJECT[backend]} = ${sql.raw(row)}.project_id and user_id = ${sql.raw(row)}.user_id`;

/** SQLite: row triggers; the insert resolves a new row once, an existing row only counts up. */
function sqliteTriggers() {
  return [
    sql`create trigger event_rollup_add after insert on events begin
      insert into event_rollup (${KEY}, events, person_id, report_person_id, device_type)
      select ${eventKey('new')}, 1,
        case when new.user_id is not null
          then (select p.id from persons p where p.project_id = new.project_id and p.user_id = new.user_id)
          else (select d.person_id from devices d where d.project_id = new.project_id and d.anonymous_id = new.anonymous_id) end,
        coalesce((select p.id from persons p where p.project_id = new.project_id and p.user_id = new.user_id),
          (select d.person_id from devices d where d.project_id = new.project_id and d.anonymous_id = new.anonymous_id)),
        (select d.device_type from devices d where d.project_id = new.project_id and d.anonymous_id = new.anonymous_id)
      where true
      on conflict (${KEY}) do update set events = events + 1;
    end`,
    sql`create trigger event_rollup_remove after delete on events begin
      update event_rollup set events = events - 1 where (${KEY}) = (${eventKey('old')});
      delete from event_rollup where (${KEY}) = (${eventKey('old')}) and events <= 0;
    end`,
    sql`create trigger event_rollup_person_added after insert on persons when new.user_id is not null begin
      ${resolveWhere(byUser('new', 'sqlite'))}
    end`,
    sql`create trigger event_rollup_person_changed after update of user_id on persons
      when old.user_id is not new.user_id begin
      ${resolveWhere(sql`+project_id = new.project_id and user_id in (old.user_id, new.user_id)`)}
    end`,
    sql`create trigger event_rollup_person_removed after delete on persons when old.user_id is not null begin
      ${resolveWhere(byUser('old', 'sqlite'))}
    end`,
    sql`create trigger event_rollup_device_added after insert on devices begin
      ${resolveWhere(byDevice('new', 'sqlite'))}
    end`,
    sql`create trigger event_rollup_device_changed after update of person_id, device_type on devices
      when old.person_id is not new.person_id or old.device_type is not new.device_type begin
      ${resolveWhere(byDevice('new', 'sqlite'))}
    end`,
    sql`create trigger event_rollup_device_removed after delete on devices begin
      ${resolveWhere(byDevice('old', 'sqlite'))}
    end`,
  ];
}

/**
 * The PostgreSQL functions that resolve a user id's or a device's rollup rows again, per row of
 * `persons` and `devices`.
 */
export function resolvingFunctions(
  verb: 'create' | 'create or replace',
  backend: 'postgres' | 'postgres-by-id',
) {
  const create = sql.raw(verb);
  return {
    person: sql`${create} function event_rollup_person() returns trigger language plpgsql as $$ begin
      if tg_op <> 'INSERT' and old.user_id is not null then
        ${resolveWhere(byUser('old', backend))}
      end if;
      if tg_op <> 'DELETE' and new.user_id is not null then
        ${resolveWhere(byUser('new', backend))}
      end if;
      return null;
    end $$`,
    device: sql`${create} function event_rollup_device() returns trigger language plpgsql as $$ begin
      if tg_op = 'DELETE' then
        ${resolveWhere(byDevice('old', backend))}
      else
        ${resolveWhere(byDevice('new', backend))}
      end if;
      return null;
    end $$`,
  };
}

/**
 * PostgreSQL: events are counted per statement from its transition table (one grouped upsert per
 * batch, in key order so concurrent writers lock rows in the same order); persons and devices
 * per row.
 */
function postgresTriggers() {
  const keys = (table: string) => sql`select e.project_id, e.timestamp / ${sql.lit(HOUR_MS)} as hour, e.type,
      coalesce(e.name, '') as name, coalesce(e.user_id, '') as user_id,
      coalesce(e.anonymous_id, '') as anonymous_id, coalesce(e.session_id, '') as session_id
    from ${sql.raw(table)} e`;
  const grouped = (table: string) =>
    sql`select ${KEY}, count(*) as events from (${keys(table)}) t group by ${KEY}`;
  return [
    sql`create function event_rollup_add() returns trigger language plpgsql as $$ begin
      insert into event_rollup (${KEY}, events, person_id, report_person_id, device_type)
      select g.project_id, g.hour, g.type, g.name, g.user_id, g.anonymous_id, g.session_id, g.events,
        case when g.user_id <> ''
          then (select p.id from persons p where p.project_id = g.project_id and p.user_id = g.user_id)
          else (select d.person_id from devices d where d.project_id = g.project_id and d.anonymous_id = g.anonymous_id) end,
        coalesce((select p.id from persons p where g.user_id <> '' and p.project_id = g.project_id and p.user_id = g.user_id),
          (select d.person_id from devices d where d.project_id = g.project_id and d.anonymous_id = g.anonymous_id)),
        (select d.device_type from devices d where d.project_id = g.project_id and d.anonymous_id = g.anonymous_id)
      from (${grouped('new_events')}) g
      order by g.project_id, g.hour, g.type, g.name, g.user_id, g.anonymous_id, g.session_id
      on conflict (${KEY}) do update set events = event_rollup.events + excluded.events;
      return null;
    end $$`,
    sql`create trigger event_rollup_add after insert on events
      referencing new table as new_events for each statement execute function event_rollup_add()`,
    sql`create function event_rollup_remove() returns trigger language plpgsql as $$ begin
      update event_rollup r set events = r.events - g.events from (${grouped('old_events')}) g
        where (r.project_id, r.hour, r.type, r.name, r.user_id, r.anonymous_id, r.session_id)
          = (g.project_id, g.hour, g.type, g.name, g.user_id, g.anonymous_id, g.session_id);
      delete from event_rollup where events <= 0
        and (project_id, hour, type, name, user_id, anonymous_id, session_id) in (${keys('old_events')});
      return null;
    end $$`,
    sql`create trigger event_rollup_remove after delete on events
      referencing old table as old_events for each statement execute function event_rollup_remove()`,
    resolvingFunctions('create', 'postgres').person,
    sql`create trigger event_rollup_person_added after insert on persons
      for each row when (new.user_id is not null) execute function event_rollup_person()`,
    sql`create trigger event_rollup_person_changed after update of user_id on persons
      for each row when (old.user_id is distinct from new.user_id) execute function event_rollup_person()`,
    sql`create trigger event_rollup_person_removed after delete on persons
      for each row when (old.user_id is not null) execute function event_rollup_person()`,
    resolvingFunctions('create', 'postgres').device,
    sql`create trigger event_rollup_device_added after insert or delete on devices
      for each row execute function event_rollup_device()`,
    sql`create trigger event_rollup_device_changed after update of person_id, device_type on devices
      for each row when (old.person_id is distinct from new.person_id or old.device_type is distinct from new.device_type)
      execute function event_rollup_device()`,
  ];
}
