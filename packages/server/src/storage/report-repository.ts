import { type Expression, type RawBuilder, sql } from 'kysely';
import { isPostgres } from './condition-sql-dialect.js';
import { type ReportWindow, resolvedActivity, resolvedVisits, type SeriesBuckets } from './report-events.js';
import type { Db } from './store.js';

/** The activity of the visitors of one breakdown key (and one bucket of a series). */
export interface ActivityRow {
  /** Attribute: the stored JSON text of the value; device type; group id; null where lacking. */
  key: string | null;
  /** The bucket number (see `report-events.ts`); 0 without a series. */
  bucket: number;
  visitors: number;
  sessions: number;
  pageviews: number;
  /** Events named as the metric's event. */
  events: number;
  /** Visitors with at least one such event. */
  converters: number;
}

/** What a breakdown asks of the events. */
export interface ActivityQuery extends ReportWindow {
  /** The event counted by `events` and `converters`; null counts none. */
  event: string | null;
  buckets: SeriesBuckets | null;
  /** Whether to count distinct sessions (the dearest sum) and page views; 0 otherwise. */
  measure: { sessions: boolean; pageviews: boolean };
}

/**
 * A group of a groups breakdown: its id and a select of its members' person ids (one column, `id`), such
 * as `personsMatching(...).select('p.id')` or a static group's member query.
 */
export interface GroupMembers {
  id: string;
  personIds: Expression<unknown>;
}

/**
 * Activity per stored value of one attribute. A person holds at most one value of an attribute,
 * so rows of different stored values (`"5"` and `5`) can be added up after reading them through
 * the attribute's type; persons lacking it (or holding an unset tombstone) have key null.
 */
export async function activityByAttribute(
  db: Db,
  query: ActivityQuery,
  attribute: string,
): Promise<ActivityRow[]> {
  return activity(
    db,
    perPerson(query, null, await holdsVisits(db)),
    sql`left join person_attributes a on a.project_id = ${query.projectId} and a.person_id = pp.person_id
      and a.name = ${attribute}`,
    sql`a.value`,
  );
}

/** Activity per device type: a person counts once in the row of each device type used. */
export function activityByDeviceType(db: Db, query: ActivityQuery): Promise<ActivityRow[]> {
  return activity(db, perPerson(query, sql`ev.device_type`, false), sql``, sql`pp.device_type`);
}

/** Activity per group: a person counts in the row of each group holding them now. */
export async function activityByGroups(
  db: Db,
  query: ActivityQuery,
  groups: GroupMembers[],
): Promise<ActivityRow[]> {
  if (groups.length === 0) return [];
  const members = sql.join(
    groups.map(
      (group) =>
        sql`select cast(${group.id} as text) as group_id, m.id as person_id from (${group.personIds}) m`,
    ),
    sql` union all `,
  );
  return activity(
    db,
    perPerson(query, null, await holdsVisits(db)),
    sql`join (${members}) gm on gm.person_id = pp.person_id`,
    sql`gm.group_id`,
  );
}

/**
 * Per person (and bucket, and `by`, a column of the activity rows such as the device type):
 * sessions are distinct session ids (sessions are per device, so a person's devices add up), page
 * views are `page` events, events the metric's `track` events.
 * strategy: a breakdown by attribute or group that counts neither sessions nor page views (the
 * visitor, event and conversion metrics) reads the narrow visits (`resolvedVisits`); the others
 * read the rollup's rows per session and event name (`resolvedActivity`), as do all of them on a
 * database not migrated to `report_visits` yet (`visits` false).
 */
function perPerson(
  query: ActivityQuery,
  by: RawBuilder<unknown> | null,
  visits: boolean,
): RawBuilder<unknown> {
  if (visits && !query.measure.sessions && !query.measure.pageviews && by === null) {
    return sql`select ev.person_id, ev.bucket, 0 as sessions, 0 as pageviews, sum(ev.events) as events
      from ${resolvedVisits(query, query.buckets, query.event)} ev
      group by ev.person_id, ev.bucket`;
  }
  const sessions = query.measure.sessions ? sql`count(distinct ev.session_id)` : sql`0`;
  const pageviews = query.measure.pageviews
    ? sql`sum(case when ev.type = 'page' then ev.n else 0 end)`
    : sql`0`;
  const events =
    query.event === null
      ? sql`0`
      : sql`sum(case when ev.type = 'track' and ev.name = ${query.event} then ev.n else 0 end)`;
  const key = by === null ? sql`` : sql`, ${by}`;
  return sql`select ev.person_id, ev.bucket ${key}, ${sessions} as sessions, ${pageviews} as pageviews,
      ${events} as events
    from ${resolvedActivity(query, query.buckets)} ev
    where ev.person_id is not null
    group by ev.person_id, ev.bucket ${key}`;
}

/** Databases known to hold `report_visits` (migration 0031). */
const migrated = new WeakMap<Db, true>();

/**
 * Whether `db` holds `report_visits`: a server can answer before its database is migrated (its
 * readiness says so), and then reads the rollup. Only a yes is remembered, so the table is used
 * from the first report after the migration.
 */
async function holdsVisits(db: Db): Promise<boolean> {
  if (migrated.has(db)) return true;
  const { rows } = isPostgres(db)
    ? await sql<{ n: number | string }>`select count(*) as n from pg_class
        where oid = to_regclass('report_visits')`.execute(db)
    : await sql<{ n: number | string }>`select count(*) as n from sqlite_master
        where type = 'table' and name = 'report_visits'`.execute(db);
  if (Number(rows[0]?.n) === 0) return false;
  migrated.set(db, true);
  return true;
}

async function activity(
  db: Db,
  persons: RawBuilder<unknown>,
  join: RawBuilder<unknown>,
  key: RawBuilder<unknown>,
): Promise<ActivityRow[]> {
  const { rows } = await sql<Record<keyof ActivityRow, string | number | null>>`
    select ${key} as key, pp.bucket as bucket, count(*) as visitors, sum(pp.sessions) as sessions,
      sum(pp.pageviews) as pageviews, sum(pp.events) as events,
      sum(case when pp.events > 0 then 1 else 0 end) as converters
    from (${persons}) pp ${join}
    group by ${key}, pp.bucket`.execute(db);
  return rows.map((row) => ({
    key: row.key === null ? null : String(row.key),
    bucket: Number(row.bucket),
    visitors: Number(row.visitors),
    sessions: Number(row.sessions),
    pageviews: Number(row.pageviews),
    events: Number(row.events),
    converters: Number(row.converters),
  }));
}
