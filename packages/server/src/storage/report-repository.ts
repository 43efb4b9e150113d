import { type Expression, type RawBuilder, sql } from 'kysely';
import { activityByAttributeInProcess } from './attribute-activity-in-process.js';
import { type ReportWindow, resolvedActivity, type SeriesBuckets } from './report-events.js';
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
  return activityByAttributeInProcess(db, query, attribute) ?? activityByAttributeInSql(db, query, attribute);
}

/** `activityByAttribute` in SQL alone, on either backend. */
export function activityByAttributeInSql(
  db: Db,
  query: ActivityQuery,
  attribute: string,
): Promise<ActivityRow[]> {
  return activity(
    db,
    perPerson(query, sql``),
    sql`left join person_attributes a on a.project_id = ${query.projectId} and a.person_id = pp.person_id
      and a.name = ${attribute}`,
    sql`a.value`,
  );
}

/** Activity per device type: a person counts once in the row of each device type used. */
export function activityByDeviceType(db: Db, query: ActivityQuery): Promise<ActivityRow[]> {
  return activity(db, perPerson(query, sql`, ev.device_type`), sql``, sql`pp.device_type`);
}

/** Activity per group: a person counts in the row of each group holding them now. */
export function activityByGroups(
  db: Db,
  query: ActivityQuery,
  groups: GroupMembers[],
): Promise<ActivityRow[]> {
  if (groups.length === 0) return Promise.resolve([]);
  const members = sql.join(
    groups.map(
      (group) =>
        sql`select cast(${group.id} as text) as group_id, m.id as person_id from (${group.personIds}) m`,
    ),
    sql` union all `,
  );
  return activity(
    db,
    perPerson(query, sql``),
    sql`join (${members}) gm on gm.person_id = pp.person_id`,
    sql`gm.group_id`,
  );
}

/**
 * Per person (and bucket, and `by`): sessions are distinct session ids (sessions are per device,
 * so a person's devices add up), page views are `page` events, events the metric's `track` events.
 */
function perPerson(query: ActivityQuery, by: RawBuilder<unknown>): RawBuilder<unknown> {
  const sessions = query.measure.sessions ? sql`count(distinct ev.session_id)` : sql`0`;
  const pageviews = query.measure.pageviews
    ? sql`sum(case when ev.type = 'page' then ev.n else 0 end)`
    : sql`0`;
  const events =
    query.event === null
      ? sql`0`
      : sql`sum(case when ev.type = 'track' and ev.name = ${query.event} then ev.n else 0 end)`;
  return sql`select ev.person_id, ev.bucket ${by}, ${sessions} as sessions, ${pageviews} as pageviews,
      ${events} as events
    from ${resolvedActivity(query, query.buckets)} ev
    where ev.person_id is not null
    group by ev.person_id, ev.bucket ${by}`;
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
