import { type RawBuilder, sql } from 'kysely';
import type { OffsetSegment } from '../reports/time-zone.js';
import { HOUR_MS } from './event-rollup-migration.js';
import { rollupSpan } from './event-rollup-span.js';

/** Which events a report reads: one project's, in `[from, to)`. */
export interface ReportWindow {
  projectId: string;
  from: number;
  to: number;
}

/** How events fall into the buckets of a series: wall-clock days or Monday weeks of a zone. */
export interface SeriesBuckets {
  segments: OffsetSegment[];
  unit: 'day' | 'week';
}

/**
 * The events of the window, each with the person it belongs to, as a subquery (`ev`) with
 * `person_id`, `anonymous_id`, `session_id`, `type`, `name`, `device_type`, `timestamp`, `id`,
 * `bucket` and the extra columns asked for.
 * strategy: events are never rewritten, so the person is found at query time (DESIGN §3 rule 5):
 * the person holding the event's user id when it has one, else the person holding its anonymous
 * id's device, so events sent before sign-in count for the person who signed in later. Events of
 * devices flagged as crawlers (`device_type = 'bot'`) are left out.
 */
export function resolvedEvents(
  window: ReportWindow,
  buckets: SeriesBuckets | null,
  extra: RawBuilder<unknown> = sql``,
): RawBuilder<unknown> {
  return sql`(select coalesce(pu.id, d.person_id) as person_id, e.anonymous_id, e.session_id, e.type,
      e.name, d.device_type, e.timestamp, e.id, ${bucketOf(buckets, sql`e.timestamp`)} as bucket ${extra}
    from events e
    left join persons pu on e.user_id is not null and pu.project_id = e.project_id and pu.user_id = e.user_id
    left join devices d on d.project_id = e.project_id and d.anonymous_id = e.anonymous_id
    where e.project_id = ${window.projectId} and e.timestamp >= ${window.from} and e.timestamp < ${window.to}
      and (d.device_type is null or d.device_type <> 'bot'))`;
}

/**
 * The bucket number of `e.timestamp`: its wall-clock day (days since 1970-01-01 where the owner
 * lives) or the week of that day, numbered so that week n starts on day 7n − 3, a Monday. The
 * zone's offsets over the range are literals computed in code (both backends do the same integer
 * arithmetic; neither needs to know the zone). Without a series, every event is in bucket 0.
 */
function bucketOf(buckets: SeriesBuckets | null, timestamp: RawBuilder<unknown>): RawBuilder<unknown> {
  if (buckets === null) return sql`0`;
  const { segments } = buckets;
  const offset =
    segments.length === 1
      ? sql.lit(segments[0].offsetMs)
      : sql`case ${sql.join(
          segments
            .slice(1)
            .map(
              (segment, i) =>
                sql`when ${timestamp} < ${sql.lit(segment.from)} then ${sql.lit(segments[i].offsetMs)}`,
            ),
          sql` `,
        )} else ${sql.lit(segments[segments.length - 1].offsetMs)} end`;
  const day = sql`((${timestamp} + ${offset}) / 86400000)`;
  return buckets.unit === 'day' ? day : sql`((${day} + 3) / 7)`;
}

/**
 * The activity of the window as rows of `person_id`, `session_id`, `type`, `name`, `device_type`,
 * `bucket` and `n`, the number of events a row stands for, bots left out, each resolved to its
 * person as `resolvedEvents` does. strategy: the whole UTC hours of the window are read from
 * `event_rollup` (one row per source, session, hour and event name, resolved by its triggers) and
 * the partial hours at the ends from the events — exact at any millisecond. A series whose zone
 * is not a whole number of hours from UTC over the range (so that an hour can straddle two days)
 * is read from the events alone.
 */
export function resolvedActivity(window: ReportWindow, buckets: SeriesBuckets | null): RawBuilder<unknown> {
  const parts = activityParts(window, buckets);
  return parts.length === 0
    ? sql`(select cast(null as bigint) as person_id, cast(null as text) as session_id, cast(null as text) as type,
        cast(null as text) as name, cast(null as text) as device_type, 0 as bucket, 0 as n where 1 = 0)`
    : sql`(${sql.join(parts, sql` union all `)})`;
}

/**
 * The selects `resolvedActivity` unites, each over rows of its own: the rollup's whole hours
 * (first, when there are any) and the events of the partial hours at the ends. With `tracked`,
 * only the `track` events of that name (as `name = tracked` over the union: an empty name is no
 * name), filtered where the rollup's name index can serve it.
 */
export function activityParts(
  window: ReportWindow,
  buckets: SeriesBuckets | null,
  tracked: string | null = null,
): RawBuilder<unknown>[] {
  const aligned =
    buckets === null ||
    buckets.segments.every(
      (segment, i) => segment.offsetMs % HOUR_MS === 0 && (i === 0 || segment.from % HOUR_MS === 0),
    );
  const span = aligned
    ? rollupSpan(window.from, window.to - 1)
    : { hours: null, edges: [{ lo: window.from, hi: window.to - 1 }] };
  const fromEvents = (lo: number, hi: number) =>
    sql`select ev.person_id, ev.session_id, ev.type, ev.name, ev.device_type, ev.bucket, 1 as n
      from ${resolvedEvents({ ...window, from: lo, to: hi + 1 }, buckets)} ev
      ${tracked === null ? sql`` : sql`where ev.type = 'track' and ev.name = ${tracked}`}`;
  const parts = span.edges.filter((edge) => edge.lo <= edge.hi).map((edge) => fromEvents(edge.lo, edge.hi));
  if (span.hours) {
    parts.unshift(sql`select r.report_person_id as person_id, nullif(r.session_id, '') as session_id, r.type,
        nullif(r.name, '') as name, r.device_type, ${bucketOf(buckets, sql`(r.hour * ${sql.lit(HOUR_MS)})`)} as bucket,
        r.events as n
      from event_rollup r
      where r.project_id = ${window.projectId} and r.hour between ${span.hours.from} and ${span.hours.to}
        and (r.device_type is null or r.device_type <> 'bot')
        ${tracked === null ? sql`` : sql`and r.type = 'track' and r.name = ${tracked} and r.name <> ''`}`);
  }
  return parts;
}
